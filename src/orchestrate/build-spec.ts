/**
 * The one translation from a resolved bake target to the BuildKit adapter's
 * build spec (buildx's bake.TargetsToBuildOpt → build.Options): paths
 * resolved from where bake runs, nulls dropped, entries parsed, and what the
 * target leaves incomplete refused with a fix. Pure: the world comes in as
 * arguments. What BuildKit cannot honour is the adapter's to refuse.
 */
import { posix, resolve } from 'node:path';
import { bakeError } from '../core/diagnostics.js';
import { sshPaths } from '../bakefile/entries.js';
import type { Entry, Target } from '../bakefile/model.js';
import { isRemoteContext, type BuildSpec, type ExportSpec, type NamedContextSpec } from '../buildkit/build-spec.js';
import type { CacheOptionsEntry } from '../buildkit/control.js';
import type { SecretSpec } from '../buildkit/session/index.js';

/** `cwd`: where relative paths start; `sshAuthSock`: the agent an ssh entry without paths forwards. */
export function buildSpec(t: Target, cwd: string, sshAuthSock: string | undefined): BuildSpec {
  const context = t.context ?? '.';
  return {
    name: t.name,
    context: isRemoteContext(context) ? context : resolve(cwd, context),
    dockerfile:
      t['dockerfile-inline'] !== undefined
        ? { kind: 'inline', text: t['dockerfile-inline'] }
        : { kind: 'file', path: resolve(cwd, context, t.dockerfile ?? 'Dockerfile') },
    namedContexts: new Map(Object.entries(t.contexts ?? {}).map(([key, value]) => [key, namedContext(value, cwd)])),
    args: present(t.args),
    labels: present(t.labels),
    tags: t.tags ?? [],
    target: t.target,
    platforms: t.platforms ?? [],
    noCache: t['no-cache'] ?? false,
    noCacheFilter: t['no-cache-filter'] ?? [],
    pull: t.pull ?? false,
    network: t.network,
    extraHosts: Object.entries(t['extra-hosts'] ?? {}).filter((e): e is [string, string] => e[1] !== null),
    cacheFrom: (t['cache-from'] ?? []).map(cacheEntry),
    cacheTo: (t['cache-to'] ?? []).map(cacheEntry),
    // No output means loading into the engine, as buildx's docker driver does.
    exports: (t.output?.length ? t.output : [{ type: 'docker' }]).map((out) => exportSpec(out, t, cwd)),
    secrets: secrets(t, cwd),
    ssh: sshAgents(t, cwd, sshAuthSock),
    attests: (t.attest ?? []).filter((a) => a['disabled'] !== 'true'),
    entitlements: t.entitlements ?? [],
  };
}

function namedContext(value: string, cwd: string): NamedContextSpec {
  if (value.startsWith('target:')) return { kind: 'linked' };
  return isRemoteContext(value) ? { kind: 'remote', ref: value } : { kind: 'dir', path: resolve(cwd, value), written: value };
}

/** args and labels: a null leaves the key unset. */
function present(map: Readonly<Record<string, string | null>> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).filter((e): e is [string, string] => e[1] !== null));
}

function cacheEntry(e: Entry): CacheOptionsEntry {
  const { type = '', ...attrs } = e;
  return { Type: type, Attrs: attrs };
}

function exportSpec(out: Entry, t: Target, cwd: string): ExportSpec {
  const type = out['type'] ?? '';
  const dest = out['dest'] === undefined ? undefined : posix.resolve(cwd, out['dest']);
  const names = out['name'] ? out['name'].split(',') : (t.tags ?? []);
  switch (type) {
    case 'cacheonly':
      return { kind: 'cacheonly' };
    case 'local':
    case 'tar':
      if (!dest) throw bakeError(`the ${type} output of target ${t.name} has no dest`, undefined, `Write output = ["type=${type},dest=PATH"].`);
      return { kind: type, dest };
    case 'oci':
    case 'docker':
      if (dest) return { kind: type, names, dest };
      if (type === 'oci') throw bakeError(`the oci output of target ${t.name} has no dest`, undefined, 'Write output = ["type=oci,dest=PATH.tar"].');
      return { kind: 'load', names };
    case 'image':
    case 'registry': {
      const push = type === 'registry' || out['push'] === 'true';
      if (push && !names.length)
        throw bakeError(`target ${t.name} asks to push but names no image`, undefined, 'Give it tags = ["registry/repo:tag"], or name=... in the output.');
      return { kind: 'image', names, push };
    }
    default:
      throw bakeError(
        `target ${t.name} has an output of type ${type || '(none)'}, which bake cannot export yet`,
        undefined,
        'Use type=docker, image, registry, local, tar, oci or cacheonly.',
      );
  }
}

/** Secret entries → what the session serves: `type=env` reads a variable (its name defaults to src, then id); files are relative to cwd. */
function secrets(t: Target, cwd: string): Map<string, SecretSpec> {
  const out = new Map<string, SecretSpec>();
  for (const s of t.secret ?? []) {
    const id = s['id'];
    if (!id) throw bakeError(`a secret of target ${t.name} has no id`, undefined, 'Write secret = ["id=NAME,src=PATH"].');
    const src = s['src'] ?? s['source'];
    const env = s['env'];
    if (s['type'] === 'env') out.set(id, { env: env ?? src ?? id });
    else out.set(id, { ...(src !== undefined ? { src: posix.resolve(cwd, src) } : {}), ...(env !== undefined ? { env } : {}) });
  }
  return out;
}

/** SSH entries → agent sockets, relative to cwd; an entry without paths forwards $SSH_AUTH_SOCK, as buildx does. */
function sshAgents(t: Target, cwd: string, authSock: string | undefined): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  for (const e of t.ssh ?? []) {
    const id = e['id'] || 'default';
    const paths = sshPaths(e);
    if (!paths.length && !authSock)
      throw bakeError(
        `ssh ${id} of target ${t.name} names no agent socket and SSH_AUTH_SOCK is not set`,
        undefined,
        `Start an ssh-agent, or write ssh = ["${id}=/path/to/agent.sock"].`,
      );
    out.set(id, paths.length ? paths.map((p) => posix.resolve(cwd, p)) : [authSock as string]);
  }
  return out;
}
