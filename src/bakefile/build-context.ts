/**
 * The build context path as buildx hands it to the build, and so as
 * `--print` shows it: buildx's commands/bake.go turns the targets into build
 * options (toBuildOpt) before it prints them, and toBuildOpt writes the
 * context back into the target: a local path cleaned with path.Clean
 * (`./web` → `web`, `""` → `.`), a `cwd://` path without its prefix
 * (`cwd://foo` → `foo`, BAKE_CMD_CONTEXT's `cwd://` → `.`), a remote URL as
 * written (issue 16, causes 2 and 3). Named contexts are not written back:
 * buildx 0.13.1 and current buildx both print them as written.
 */
import { goClean } from '../golang/path.js';

const CWD_PREFIX = 'cwd://';

/** buildx's toBuildOpt: what becomes of a target's `context` before it is built or printed. */
export function buildContextPath(context: string): string {
  if (context.startsWith(CWD_PREFIX)) return goClean(context.slice(CWD_PREFIX.length));
  if (isRemoteURL(context)) return context;
  return goClean(context);
}

/** Schemes BuildKit's gitutil.ParseURL accepts in `scheme://` form. */
const GIT_URL_SCHEMES = new Set(['http', 'https', 'ssh', 'git']);
/** sshutil's SCP-style git remote, `user@host:path[#ref]`. */
const SCP_STYLE = /^[a-zA-Z0-9_-]+@[a-zA-Z0-9.-]+:/;

/**
 * buildx's build.IsRemoteURL: an http(s) URL, or what BuildKit's
 * gitutil.ParseGitRef reads as a git remote (`git://` and `ssh://` URLs,
 * `github.com/…`, `user@host:path`). Other `scheme://` values, such as
 * `docker-image://`, are not remote: buildx cleans them as paths.
 */
export function isRemoteURL(value: string): boolean {
  if (value.startsWith('http://') || value.startsWith('https://')) return true;
  if (value.startsWith('./') || value.startsWith('../')) return false;
  if (value.startsWith('github.com/')) return true;
  const scheme = /^([a-zA-Z0-9]+):\/\//.exec(value)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    if (!GIT_URL_SCHEMES.has(scheme)) return false;
    // ParseGitRef takes an http(s) URL in any letter case as a git ref only when its path ends in .git.
    if (scheme === 'http' || scheme === 'https') return urlPath(value).endsWith('.git');
    return true;
  }
  return SCP_STYLE.test(value);
}

/** buildflags.IsGitSSH: a git remote BuildKit reaches over SSH (`ssh://…`, or `user@host:path`). */
export function isGitSshURL(value: string): boolean {
  return /^ssh:\/\//i.test(value) || SCP_STYLE.test(value);
}

/** The path of a `scheme://host/path?query#fragment` URL, as Go's url.Parse splits it. */
function urlPath(value: string): string {
  const afterScheme = value.slice(value.indexOf('://') + 3).replace(/[?#].*$/s, '');
  const slash = afterScheme.indexOf('/');
  return slash < 0 ? '' : afterScheme.slice(slash);
}
