/**
 * From evaluated definitions to what is built: requested names expand through
 * groups, targets resolve `inherits` and `--set` overrides, `target:` contexts
 * pull in linked targets, and the `default` group is formed — buildx's
 * ReadTargets, step for step. Services resolve the same way for `bake dev`.
 */
import { unknownNameFix } from '../core/suggest.js';
import { bakeError, type Diagnostic, type SourceRange } from '../core/diagnostics.js';
import { buildContextPath } from './build-context.js';
import { checkBuildInputs, type BuildHost } from './build-inputs.js';
import { normalizeEntries } from './entries.js';
import { dedupe } from '../core/collections.js';
import type { EvaluatedFiles } from './evaluate.js';
import { mergeService, mergeTarget } from './merge.js';
import { sanitizeTargetName, type Group, type Service, type Target } from './model.js';
import { goQuote } from '../golang/strconv.js';
import { BadPatternError, goMatch } from '../golang/path.js';
import { applyOverrides, type Overrides } from './overrides.js';
import { unknownServiceError } from './services.js';
import { attributeRange, withOriginOf } from './sources.js';
import { setOwn } from '../core/own-property.js';

export interface ResolveOptions {
  /** Requested target or group names; empty means `default`. */
  readonly names: readonly string[];
  readonly overrides: Overrides;
  /** SOURCE_DATE_EPOCH from the environment, added to every target's args that lacks it. */
  readonly sourceDateEpoch: string | undefined;
  readonly warn: (d: Diagnostic) => void;
  /** The host's files and environment: with them, secrets and SSH agents are checked as buildx checks them. */
  readonly host?: BuildHost;
}

export interface ResolvedConfig {
  readonly groups: ReadonlyMap<string, Group>;
  readonly targets: ReadonlyMap<string, Target>;
  /** Targets pulled in only through `target:` contexts (printed with a cacheonly output). */
  readonly linked: ReadonlySet<string>;
}

export function resolveTargets(config: EvaluatedFiles, options: ResolveOptions): ResolvedConfig {
  const resolver = new TargetResolver(config, options);
  const requested = dedupe((options.names.length ? options.names : ['default']).flatMap((n) => matchNames(config, sanitizeTargetName(n))));
  const targets = new Map<string, Target>();
  const groups = new Map<string, Group>();
  for (const name of requested) {
    const [targetNames, groupNames] = resolveGroup(config.groups, name);
    for (const t of targetNames) {
      // A name that came from a group points at that group's targets list.
      const listedBy = resolver.groupListing(t);
      targets.set(t, resolver.resolve(t, listedBy && attributeRange(listedBy, 'targets')));
    }
    for (const g of groupNames) {
      const group = config.groups.find((x) => x.name === g);
      if (group) groups.set(g, { ...group, targets: [...group.targets] });
    }
  }
  for (const name of requested) {
    if (groups.has('default') && name === 'default') continue;
    const def = groups.get('default') ?? { name: 'default', targets: [] };
    groups.set('default', { ...def, targets: [...def.targets, name] });
  }
  const def = groups.get('default');
  if (def) groups.set('default', { ...def, targets: dedupe(def.targets).sort() });

  const linked = new Set<string>();
  for (const [name, t] of [...targets]) resolver.loadLinks(name, t, targets, linked, []);
  // buildx turns every target, linked ones too, into build options before printing, which rewrites the context.
  for (const t of targets.values()) t.context = buildContextPath(t.context ?? '.');
  if (options.sourceDateEpoch !== undefined) {
    for (const t of targets.values()) {
      if (!t.args || !('SOURCE_DATE_EPOCH' in t.args)) t.args = { ...t.args, SOURCE_DATE_EPOCH: options.sourceDateEpoch };
    }
  }
  if (options.host) checkBuildInputs(targets, options.host);
  return { groups, targets, linked };
}

/** buildx's matchNames: a requested name with glob characters stands for every group and target it matches. */
function matchNames(config: EvaluatedFiles, pattern: string): string[] {
  if (!/[*?[\]]/.test(pattern)) return [pattern];
  let names: string[] = [];
  try {
    names = [...config.groups, ...config.targets].map((d) => d.name).filter((n) => goMatch(pattern, n));
  } catch (e) {
    // buildx skips names path.Match refuses, so a malformed pattern matches nothing.
    if (!(e instanceof BadPatternError)) throw e;
  }
  if (!names.length) throw bakeError(`could not find any target matching ${goQuote(pattern)}`, undefined, 'Use a pattern that matches a target or group name.');
  return dedupe(names);
}

/** Expands a name through nested groups: the targets it stands for and the groups it passed through. */
function resolveGroup(groups: readonly Group[], name: string): [string[], string[]] {
  const visited = new Map<string, [string[], string[]]>();
  const walk = (n: string): [string[], string[]] => {
    const seen = visited.get(n);
    if (seen) return seen;
    const g = groups.find((x) => x.name === n);
    if (!g) return [[n], []];
    visited.set(n, [[], []]);
    const targets: string[] = [];
    const names = [n];
    for (const t of g.targets) {
      const [tt, tg] = walk(t);
      targets.push(...(tt.length ? tt : [t]));
      names.push(...tg);
    }
    visited.set(n, [targets, names]);
    return [targets, names];
  };
  const [t, g] = walk(name);
  return [dedupe(t), dedupe(g)];
}

class TargetResolver {
  private readonly targetsByName: ReadonlyMap<string, Target>;
  /** Targets resolved with no inherits cycle on the way; never mutated (callers get copies). */
  private readonly resolved = new Map<string, Target>();
  private cyclesSeen = 0;
  private listings: Map<string, Group> | undefined;

  constructor(
    private readonly config: EvaluatedFiles,
    private readonly options: ResolveOptions,
  ) {
    this.targetsByName = new Map(config.targets.map((t) => [t.name, t]));
  }

  /** The first group that lists a target name (built once: groups may list thousands). */
  groupListing(name: string): Group | undefined {
    if (!this.listings) {
      this.listings = new Map();
      for (const g of this.config.groups) for (const t of g.targets) if (!this.listings.has(t)) this.listings.set(t, g);
    }
    return this.listings.get(name);
  }

  /** ResolveTarget: inherits and overrides applied, defaults for context and dockerfile. */
  resolve(name: string, requestedAt: SourceRange | undefined): Target {
    const found = this.target(name, new Map(), [], requestedAt);
    if (!found) throw bakeError(`failed to find target ${name}`, requestedAt);
    // The copy keeps pointing at its definition, so later stages (the build graph) can still say where it came from.
    const t = withOriginOf(this.targetsByName.get(name) ?? found, deepCopy(found));
    delete t.inherits;
    t.context ??= '.';
    // buildx also replaces an empty dockerfile.
    if (!t.dockerfile) t.dockerfile = 'Dockerfile';
    return t;
  }

  private target(name: string, visited: Map<string, Target | null>, chain: readonly string[], requestedAt: SourceRange | undefined): Target | null {
    const memo = this.resolved.get(name);
    if (memo) return memo;
    if (visited.has(name)) {
      const done = visited.get(name) as Target | null;
      if (done === null) {
        this.cyclesSeen++;
        // buildx silently skips a parent still being resolved; we say so.
        const path = [...chain.slice(chain.indexOf(name)), name].join(' → ');
        this.options.warn({
          severity: 'warning',
          summary: `inherits cycle ${path}: "${name}" is not inherited again`,
          ...(requestedAt ? { range: requestedAt } : {}),
          fix: 'Remove one of these inherits so the chain ends.',
        });
      }
      return done;
    }
    visited.set(name, null);
    const cyclesBefore = this.cyclesSeen;
    const def = this.targetsByName.get(name);
    if (!def) {
      throw bakeError(`failed to find target ${name}`, requestedAt, this.suggestTarget(name));
    }
    // No copies of the parents or the definition here: merging, overrides and normalizing give the
    // target new lists and maps where they change one, never editing one in place, so what the
    // result shares with them stays as it was; resolve() copies the result for its callers.
    const inherited: Target = { name };
    for (const parent of def.inherits ?? []) {
      const p = this.target(parent, visited, [...chain, name], attributeRange(def, 'inherits'));
      if (p) mergeTarget(inherited, p);
    }
    const t = mergeTarget(mergeTarget({ name }, inherited), def);
    applyOverrides(t, this.options.overrides.get(name));
    normalizeTarget(t);
    visited.set(name, t);
    // A result that met no inherits cycle is the same from every entry point (a shared parent resolves once).
    if (this.cyclesSeen === cyclesBefore) this.resolved.set(name, t);
    return t;
  }

  /** A name asked for on the command line may be a group's or a target's: both are suggested. */
  private suggestTarget(name: string): string {
    return unknownNameFix(
      name,
      [...this.config.groups.map((g) => g.name), ...this.config.targets.map((t) => t.name)],
      'targets and groups',
      'Define it with a target block.',
    );
  }

  /** Follows `target:` contexts, adding linked targets with a cacheonly output (buildx's loadLinks). */
  loadLinks(name: string, t: Target, all: Map<string, Target>, linked: Set<string>, visited: readonly string[]): void {
    const path = [...visited, name];
    for (const key of Object.keys(t.contexts ?? {}).sort()) {
      const v = (t.contexts as Record<string, string>)[key] as string;
      if (!v.startsWith('target:')) continue;
      const dep = v.slice('target:'.length);
      const range = attributeRange(this.targetsByName.get(name) ?? t, 'contexts');
      if (dep === name) throw bakeError(`target ${dep} cannot link to itself`, range, `Point contexts.${key} at another target.`);
      if (path.includes(dep))
        throw bakeError(`infinite loop from ${name} to ${dep}`, range, `Break the cycle ${[...path.slice(path.indexOf(dep)), dep].join(' → ')}.`);
      let t2 = all.get(dep);
      if (!t2) {
        t2 = this.resolve(dep, range);
        t2.output = [{ type: 'cacheonly' }];
        linked.add(dep);
        all.set(dep, t2);
      }
      this.loadLinks(dep, t2, all, linked, path);
      for (const ent of t2.entitlements ?? []) if (!(t.entitlements ?? []).includes(ent)) t.entitlements = [...(t.entitlements ?? []), ent];
      const platforms = t.platforms ?? [];
      const depPlatforms = t2.platforms ?? [];
      if (platforms.length > 1 && depPlatforms.length > 1 && !platforms.every((p) => depPlatforms.includes(p))) {
        throw bakeError(
          `target ${dep} can't be used by ${name} because its platforms [${platforms.join(' ')}] are not a subset of [${depPlatforms.join(' ')}]`,
          range,
          `Build ${dep} for every platform ${name} needs.`,
        );
      }
    }
  }
}

/**
 * A copy deep enough that merging and overrides never touch the evaluated
 * definitions; plain data only, without structuredClone's serialization cost.
 */
function deepCopy<T>(v: T): T {
  if (Array.isArray(v)) return v.map(deepCopy) as T;
  if (v !== null && typeof v === 'object') {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(v)) setOwn(copy, key, deepCopy((v as Record<string, unknown>)[key]));
    return copy as T;
  }
  return v;
}

/** buildx's Target.normalize: dedupe lists, drop empty contexts, network=host needs its entitlement. */
function normalizeTarget(t: Target): void {
  for (const key of ['annotations', 'tags', 'platforms', 'no-cache-filter', 'ulimits'] as const) {
    const list = t[key];
    if (list) t[key] = dedupe(list.filter((x) => x !== ''));
  }
  for (const kind of ['attest', 'secret', 'ssh', 'cache-from', 'cache-to', 'output'] as const) {
    const entries = t[kind];
    if (entries) t[kind] = normalizeEntries(kind, entries);
  }
  if (t.network === 'host') t.entitlements = [...(t.entitlements ?? []), 'network.host'];
  if (t.entitlements) t.entitlements = dedupe(t.entitlements.filter((x) => x !== ''));
  if (t.contexts) {
    const kept = Object.entries(t.contexts).filter(([, v]) => v !== '');
    if (kept.length) t.contexts = Object.fromEntries(kept);
    else delete t.contexts;
  }
}

/** Services with `inherits` resolved (maps merge, the rest replaces), in definition order. */
export function resolveServices(config: EvaluatedFiles, warn: (d: Diagnostic) => void): Service[] {
  const done = new Map<string, Service | null>();
  const resolve = (name: string, chain: readonly string[], at: SourceRange | undefined): Service | null => {
    if (done.has(name)) {
      const s = done.get(name) as Service | null;
      if (s === null)
        warn({
          severity: 'warning',
          summary: `inherits cycle ${[...chain.slice(chain.indexOf(name)), name].join(' → ')}: "${name}" is not inherited again`,
          ...(at ? { range: at } : {}),
        });
      return s;
    }
    done.set(name, null);
    const def = config.services.find((s) => s.name === name);
    if (!def) throw unknownServiceError(name, at, config.services);
    const base: Service = { name };
    for (const parent of def.inherits ?? []) {
      const p = resolve(parent, [...chain, name], attributeRange(def, 'inherits'));
      if (p) mergeService(base, deepCopy(p));
    }
    // The merged service keeps pointing at its block, so validation errors have a position.
    const s = withOriginOf(def, mergeService(base, deepCopy(def)));
    delete s.inherits;
    done.set(name, s);
    return s;
  };
  return config.services.map((s) => resolve(s.name, [], undefined) as Service);
}
