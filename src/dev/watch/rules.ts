/**
 * `bake dev --watch` (issue 15), the pure part: the watch rules of a
 * session's services compiled against the project directory, which rules a
 * changed file hits (the rule's `ignore` and the build context's
 * .dockerignore honoured, with moby's pattern semantics), and a burst of
 * changes planned as one sync, restart or rebuild per service. No clock, no
 * files: the server's watcher (server/watch.ts) feeds it paths and runs
 * what it plans.
 */
import { PatternMatcher } from '../../buildkit/session/pattern-matcher.js';
import { parseDockerignore } from '../../buildkit/solve-request.js';
import type { Service, Target, WatchRule } from '../../bakefile/model.js';
import { goClean, goJoin } from '../../golang/path.js';

export type WatchAction = 'sync' | 'rebuild' | 'sync+restart';

/** A rule ready to match host paths: everything absolute, patterns compiled. */
export interface CompiledRule {
  readonly service: string;
  readonly action: WatchAction;
  /** The watched file or directory on the host (absolute, clean). */
  readonly root: string;
  /** Where `root` lands in the container (sync rules). */
  readonly containerRoot: string | undefined;
  /** The target a rebuild builds (the service's). */
  readonly buildTarget: string | undefined;
  /** The rule's own `ignore`, relative to `root`. */
  readonly ignore: PatternMatcher;
  /** The build context's .dockerignore, relative to `contextDir`, when the rule watches inside the context. */
  readonly contextIgnore: { readonly dir: string; readonly matcher: PatternMatcher } | undefined;
}

/** What the rules need of the world: the .dockerignore text of a build context directory (undefined: none). */
export type DockerignoreOf = (contextDir: string, target: Target) => string | undefined;

/**
 * The rules of `services`, paths resolved against `projectDir`. The bake
 * file's checks (bakefile/services.ts) have passed: every rule has a known
 * action and a path, sync rules an absolute target.
 */
export function compileRules(
  services: readonly Service[],
  targets: ReadonlyMap<string, Target>,
  projectDir: string,
  dockerignoreOf: DockerignoreOf,
): CompiledRule[] {
  return services.flatMap((service) =>
    (service.watch ?? []).map((rule: WatchRule): CompiledRule => {
      const root = hostPath(projectDir, rule.path ?? '.');
      const target = service.target === undefined ? undefined : targets.get(service.target);
      const contextDir = target && !(target.context ?? '.').includes('://') ? hostPath(projectDir, target.context ?? '.') : undefined;
      const ignoreText = contextDir !== undefined && target && within(contextDir, root) !== undefined ? dockerignoreOf(contextDir, target) : undefined;
      return {
        service: service.name,
        action: rule.action as WatchAction,
        root,
        containerRoot: rule.target === undefined ? undefined : goClean(rule.target),
        buildTarget: service.target,
        ignore: new PatternMatcher(rule.ignore ?? []),
        contextIgnore:
          contextDir !== undefined && ignoreText !== undefined ? { dir: contextDir, matcher: new PatternMatcher(parseDockerignore(ignoreText)) } : undefined,
      };
    }),
  );
}

/** A path the watcher reports: changed (created or written) or removed. */
export interface Change {
  readonly path: string;
  readonly removed: boolean;
}

/** One file a sync copies: from the host path to the container path. */
export interface SyncCopy {
  readonly host: string;
  readonly container: string;
}

/** What one burst of changes does to one service. */
export interface ServiceBatch {
  readonly service: string;
  /** Copies, one per container path, the last change winning; empty for a rebuild. */
  readonly copies: readonly SyncCopy[];
  /** Container paths whose host file is gone. */
  readonly removals: readonly string[];
  /** A sync+restart rule was hit: restart after copying. */
  readonly restart: boolean;
  /** A rebuild rule was hit: the target to build again (its copies are left to the build). */
  readonly rebuild: string | undefined;
}

/** The rules a change hits, in rule order: under the rule's root and ignored by neither its `ignore` nor the context's .dockerignore. */
export function rulesHit(rules: readonly CompiledRule[], path: string): CompiledRule[] {
  const clean = goClean(path);
  if (isEditorScratch(clean)) return [];
  return rules.filter((rule) => {
    const rel = within(rule.root, clean);
    if (rel === undefined || (rel !== '.' && rule.ignore.matches(rel))) return false;
    const inContext = rule.contextIgnore && within(rule.contextIgnore.dir, clean);
    return !(inContext !== undefined && inContext !== '.' && rule.contextIgnore?.matcher.matches(inContext));
  });
}

/**
 * A burst of changes as one batch per service: a rebuild when any rebuild
 * rule was hit (the build reads the files itself), else the copies and
 * removals of its sync rules, and a restart when a sync+restart rule was hit.
 */
export function planChanges(rules: readonly CompiledRule[], changes: readonly Change[]): ServiceBatch[] {
  interface Building {
    files: Map<string, { host: string; removed: boolean }>;
    restart: boolean;
    rebuild: string | undefined;
  }
  const byService = new Map<string, Building>();
  for (const change of changes) {
    for (const rule of rulesHit(rules, change.path)) {
      let b = byService.get(rule.service);
      if (!b) byService.set(rule.service, (b = { files: new Map(), restart: false, rebuild: undefined }));
      if (rule.action === 'rebuild') {
        b.rebuild = rule.buildTarget;
        continue;
      }
      if (rule.action === 'sync+restart') b.restart = true;
      const rel = within(rule.root, goClean(change.path)) as string;
      const container = goJoin(rule.containerRoot ?? '/', rel);
      // A later change of the same file replaces an earlier one (a save after a delete is a write).
      b.files.delete(container);
      b.files.set(container, { host: goClean(change.path), removed: change.removed });
    }
  }
  return [...byService].map(([service, b]) => {
    const files = b.rebuild === undefined ? [...b.files] : [];
    return {
      service,
      copies: files.filter(([, f]) => !f.removed).map(([container, f]) => ({ host: f.host, container })),
      removals: files.filter(([, f]) => f.removed).map(([container]) => container),
      restart: b.rebuild === undefined && b.restart,
      rebuild: b.rebuild,
    };
  });
}

/** The directories to watch: each rule's root once, a root under another's left out. */
export function watchRoots(rules: readonly CompiledRule[]): string[] {
  const roots = [...new Set(rules.map((r) => r.root))].sort();
  return roots.filter((root) => !roots.some((other) => other !== root && within(other, root) !== undefined));
}

/**
 * Whether nothing under `path` can hit a rule: a directory the watcher need
 * not descend into (node_modules under an ignore, .git). Conservative: a
 * directory under some rule's root and not ignored by it is watched.
 */
export function ignoredEverywhere(rules: readonly CompiledRule[], path: string): boolean {
  const clean = goClean(path);
  if (isEditorScratch(clean)) return true;
  return !rules.some((rule) => {
    // An ancestor of a root is on the way to it; under a `!` pattern, an ignored directory may hold a file let in again.
    if (within(clean, rule.root) !== undefined) return true;
    if (rule.ignore.exclusions || rule.contextIgnore?.matcher.exclusions) return within(rule.root, clean) !== undefined;
    return rulesHit([rule], clean).length > 0;
  });
}

/** `path` relative to `dir` ('.' for dir itself), or undefined when it is not under `dir`; both absolute and clean. */
function within(dir: string, path: string): string | undefined {
  if (path === dir) return '.';
  const prefix = dir === '/' ? '/' : `${dir}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
}

function hostPath(projectDir: string, path: string): string {
  return goClean(path.startsWith('/') ? path : `${projectDir}/${path}`);
}

/**
 * Files no rule means, as compose leaves them out: a repository's .git,
 * and editors' backup, swap and lock files (vim writes `4913` to test a
 * directory, emacs `.#name` locks, `name~` backups).
 */
function isEditorScratch(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return path.includes('/.git/') || path.endsWith('/.git') || base === '4913' || base.endsWith('~') || base.startsWith('.#') || /\.sw[a-px]$/.test(base);
}
