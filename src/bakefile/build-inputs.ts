/**
 * The checks buildx makes on a target's secrets and SSH agents when it turns
 * targets into build options, which it does before `--print` too, so a bake
 * file whose secret file is missing fails to print in buildx, old and current
 * (issue 16, cause 5; checked with buildx 0.13.1). They are BuildKit's
 * secretsprovider.NewStore (every secret read from a file is stat'ed; an id
 * alone names an environment variable if one is set, else a file) and
 * sshprovider.NewSSHAgentProvider (an entry without paths forwards
 * SSH_AUTH_SOCK, which must be set; every path is a socket or a private key
 * file). Whether a PEM block is a valid, unencrypted key is left to the build.
 */
import { bakeError, type SourceRange } from '../core/diagnostics.js';
import { compareStrings } from './expr/value.js';
import { isGitSshURL } from './build-context.js';
import { sshPaths } from './entries.js';
import type { HostFiles } from './host.js';
import { isHostFileError } from './host.js';
import type { Target } from './model.js';
import { attributeRange } from './sources.js';

/** secretsprovider.MaxSecretSize. */
const MAX_SECRET_SIZE = 500 * 1024;

export interface BuildHost {
  readonly files: HostFiles;
  /** The process environment: SSH_AUTH_SOCK, and the variables a secret id may name. */
  readonly env: (name: string) => string | undefined;
}

/** Throws buildx's error for the first target (by name) whose secrets or SSH agents cannot be served. */
export function checkBuildInputs(targets: ReadonlyMap<string, Target>, host: BuildHost): void {
  for (const name of [...targets.keys()].sort(compareStrings)) checkTargetInputs(targets.get(name) as Target, host);
}

/** One target's secrets, then its SSH agents, as buildx's toBuildOpt creates them. */
export function checkTargetInputs(t: Target, host: BuildHost): void {
  checkSecrets(t, host);
  checkSsh(t, host);
}

function checkSecrets(t: Target, host: BuildHost): void {
  for (const secret of t.secret ?? []) {
    const id = secret['id'] ?? '';
    let file = secret['src'] ?? '';
    if (file === '' && (secret['env'] ?? '') === '' && host.env(id) === undefined) file = id;
    if (file === '') continue;
    const stat = host.files.stat(file);
    const at = attributeRange(t, 'secret');
    if (isHostFileError(stat)) {
      throw bakeError(
        `failed to stat ${file}: stat ${file}: ${stat.error}`,
        at,
        `Create ${file} (relative paths start from ${host.files.workingDirectory}, where bake runs), point the secret's src at the file that holds it, or read it from the environment: id=${id},env=VARIABLE.`,
      );
    }
    if (stat.size > MAX_SECRET_SIZE)
      throw bakeError(
        `secret ${id} too big. max size 500KB`,
        at,
        `Keep ${file} under 500 KiB: pass a smaller secret, or the path of a file the build can reach another way.`,
      );
  }
}

function checkSsh(t: Target, host: BuildHost): void {
  const entries = t.ssh ?? [];
  // buildx forwards the default agent to a build whose context is a git repository over SSH.
  const implied = entries.length === 0 && isGitSshURL(t.context ?? '');
  const at = attributeRange(t, implied ? 'context' : 'ssh');
  const agents = implied ? [[]] : entries.map(sshPaths);
  for (const listed of agents) {
    const paths = listed.length === 0 || (listed.length === 1 && listed[0] === '') ? [host.env('SSH_AUTH_SOCK') ?? ''] : listed;
    if (paths[0] === '') {
      throw bakeError(
        'invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set',
        at,
        implied
          ? 'Start an SSH agent (eval "$(ssh-agent)"; ssh-add), or build from an https:// URL.'
          : 'Start an SSH agent (eval "$(ssh-agent)"; ssh-add), or name a key file: ssh = ["default=~/.ssh/id_ed25519"].',
      );
    }
    for (const path of paths) checkAgentPath(path, host.files, at);
  }
}

/** toAgentSource: a socket is an agent; anything else must be a file holding a PEM private key. */
function checkAgentPath(path: string, files: HostFiles, at: SourceRange | undefined): void {
  const fix = "Point the ssh entry (or SSH_AUTH_SOCK) at a running agent's socket or at a private key file.";
  const stat = files.stat(path);
  if (isHostFileError(stat)) throw bakeError(`stat ${path}: ${stat.error}`, at, fix);
  if (stat.kind === 'socket') return;
  if (stat.kind === 'directory') throw bakeError(`failed to read ${path}: read ${path}: is a directory`, at, fix);
  const read = files.read(path);
  if (isHostFileError(read)) throw bakeError(`failed to read ${path}: read ${path}: ${read.error}`, at, fix);
  // Go's pem.Decode finds no block: ssh.ParseRawPrivateKey's "no key found".
  if (!PEM_BLOCK.test(read.text.slice(0, 100 * 1024))) throw bakeError(`failed to parse ${path}: ssh: no key found`, at, fix);
}

const PEM_BLOCK = /^-----BEGIN ([^\r\n-]+)-----\r?\n[\s\S]*?^-----END \1-----/m;
