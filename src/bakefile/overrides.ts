/**
 * `--set pattern.key[+]=value` overrides, parsed and applied as buildx's
 * newOverrides / AddOverrides do, plus `+=` to append to list attributes.
 * Patterns match target names exactly first, then as globs (Go path.Match).
 */
import { usageError } from '../core/errors.js';
import { unknownNameFix } from '../core/suggest.js';
import { BadPatternError, goMatch } from '../golang/path.js';
import { applyLoadOverride, applyPushOverride, ENTRY_KINDS, EntryError, mergeEntries, parseOverrideEntries, type EntryKind } from './entries.js';
import { parseGoBool } from '../golang/strconv.js';
import type { Entry, Target } from './model.js';
import { RESOURCE_FIELDS, setResourceField } from './resources.js';

export interface Override {
  value: string | undefined;
  values: string[];
  /** Written as `key+=value`: add to the target's list instead of replacing it. */
  append: boolean;
}

/** Per target name, per key (`tags`, `args.FOO`), the override to apply. */
export type Overrides = Map<string, Map<string, Override>>;

/**
 * Keys whose values accumulate across repeated --set flags, mapped to the
 * attribute they set. Only buildx's spellings: `platform` and `secrets` are
 * the keys (buildx has no `platforms` or `secret` key).
 */
const LIST_KEYS: Readonly<Record<string, string>> = {
  output: 'output',
  'cache-to': 'cache-to',
  'cache-from': 'cache-from',
  tags: 'tags',
  platform: 'platforms',
  secrets: 'secret',
  ssh: 'ssh',
  attest: 'attest',
  entitlements: 'entitlements',
  annotations: 'annotations',
  'no-cache-filter': 'no-cache-filter',
  ulimits: 'ulimits',
};
/** Keys that take a name (`args.FOO`): map entries, and the fields of `resources` (current buildx's SetField). */
const NAMED_KEYS = new Set(['args', 'contexts', 'labels', 'extra-hosts', 'resources']);
/** buildx's AddOverrides has no case for description or dockerfile-inline: they are unknown keys. */
const SCALAR_KEYS = new Set(['context', 'dockerfile', 'target', 'call', 'shm-size', 'network', 'no-cache', 'pull', 'push', 'load']);

/**
 * Parses --set flags against the known target names. `lookupEnv` serves
 * `--set t.args.FOO` without a value, which takes FOO from the environment.
 */
export function parseOverrides(flags: readonly string[], targetNames: readonly string[], lookupEnv: (name: string) => string | undefined): Overrides {
  const out: Overrides = new Map();
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    let keyPart = eq < 0 ? flag : flag.slice(0, eq);
    const value = eq < 0 ? undefined : flag.slice(eq + 1);
    const append = keyPart.endsWith('+');
    if (append) keyPart = keyPart.slice(0, -1);
    const keys = splitN(keyPart, '.', 3);
    if (keys.length < 2)
      throw usageError(`invalid override key ${keyPart}, expected target.name`, 'Write --set TARGET.KEY=VALUE, e.g. --set app.tags=app:dev.');
    const [pattern, attr] = keys as [string, string];
    if (value === undefined && attr !== 'args')
      throw usageError(`invalid override ${flag}, expected target.name=value`, `Add a value: --set ${keyPart}=VALUE.`);
    const isList = attr in LIST_KEYS;
    if (!isList && !NAMED_KEYS.has(attr) && !SCALAR_KEYS.has(attr))
      throw usageError(`unknown key: ${attr}`, `Use one of: ${[...Object.keys(LIST_KEYS), ...NAMED_KEYS, ...SCALAR_KEYS].sort().join(', ')}.`);
    if (NAMED_KEYS.has(attr) && keys.length !== 3)
      throw usageError(`invalid key ${keyPart}, ${attr} requires name`, `Write --set ${pattern}.${attr}.NAME=VALUE.`);
    if (append && !isList) throw usageError(`invalid override ${flag}: += only appends to list attributes`, `Use = to set ${attr}.`);
    let resolved = value;
    if (value === undefined) {
      resolved = lookupEnv(keys[2] as string);
      if (resolved === undefined) continue;
    }
    const key = keys.slice(1).join('.');
    for (const name of expandTargets(pattern, targetNames)) {
      const perTarget = out.get(name) ?? new Map<string, Override>();
      out.set(name, perTarget);
      const o = perTarget.get(key) ?? { value: undefined, values: [], append };
      if (isList) o.values.push(resolved as string);
      else o.value = resolved;
      // As buildx: values accumulate, and the last flag decides whether they append or replace.
      o.append = append;
      perTarget.set(key, o);
    }
  }
  return out;
}

function splitN(s: string, sep: string, n: number): string[] {
  const parts = s.split(sep);
  return parts.length <= n ? parts : [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

/** buildx's expandTargets: the exact name, else every target name the pattern matches by Go's path.Match. */
function expandTargets(pattern: string, names: readonly string[]): string[] {
  if (names.includes(pattern)) return [pattern];
  let matched: string[];
  try {
    matched = names.filter((n) => goMatch(pattern, n));
  } catch (e) {
    if (e instanceof BadPatternError) throw usageError(`could not match targets with '${pattern}'`, 'Fix the pattern: use *, ? and [...] only.');
    throw e;
  }
  if (!matched.length)
    throw usageError(`could not find any target matching '${pattern}'`, unknownNameFix(pattern, names, 'targets', 'Define a target block first.'));
  return matched;
}

/** The keys a target's overrides are applied in: output before push/load, which adjust it. */
function applyOrder(keys: Iterable<string>): string[] {
  const rank = (k: string): number => (k === 'output' ? 0 : k === 'push' || k === 'load' ? 2 : 1);
  return [...keys].sort((a, b) => rank(a) - rank(b));
}

/** Applies one target's overrides to its resolved definition (mutates it), as buildx's AddOverrides. */
export function applyOverrides(t: Target, overrides: ReadonlyMap<string, Override> | undefined): void {
  if (!overrides) return;
  const fields = t as unknown as Record<string, unknown>;
  for (const key of applyOrder(overrides.keys())) {
    const o = overrides.get(key) as Override;
    const value = o.value ?? '';
    const [head, name] = splitN(key, '.', 2) as [string, string | undefined];
    if (head === 'resources') {
      try {
        t.resources = setResourceField(t.resources ?? {}, name as string, value);
      } catch (e) {
        throw usageError(
          (e as Error).message,
          `Use one of: ${RESOURCE_FIELDS.map(([k]) => `resources.${k}`).join(', ')}; cpu-shares, cpu-period and cpu-quota take whole numbers.`,
        );
      }
      continue;
    }
    if (NAMED_KEYS.has(head)) {
      fields[head] = { ...(fields[head] ?? {}), [name as string]: value };
      continue;
    }
    const listAttr = LIST_KEYS[head];
    if (listAttr) {
      const existing = (fields[listAttr] as unknown[] | undefined) ?? [];
      const isEntries = (ENTRY_KINDS as readonly string[]).includes(listAttr);
      const incoming: unknown[] = isEntries ? parseListEntries(listAttr as EntryKind, o.values) : o.values.filter((v) => v !== '');
      if (listAttr === 'attest') fields[listAttr] = mergeEntries('attest', fields[listAttr] as Entry[] | undefined, incoming as Entry[]);
      else if (o.append || listAttr === 'entitlements' || listAttr === 'annotations') fields[listAttr] = [...existing, ...incoming];
      else fields[listAttr] = incoming;
      continue;
    }
    switch (head) {
      case 'no-cache':
      case 'pull':
        fields[head] = parseBoolFlag(head, value);
        break;
      case 'push':
        t.output = applyPushOverride(t.output ?? [], parseBoolFlag(head, value));
        break;
      case 'load':
        t.output = applyLoadOverride(t.output ?? [], parseBoolFlag(head, value));
        break;
      default:
        fields[head] = value;
    }
  }
}

function parseListEntries(kind: EntryKind, values: readonly string[]): Entry[] {
  try {
    return parseOverrideEntries(kind, values);
  } catch (e) {
    if (e instanceof EntryError) throw usageError(e.message, `Check the --set value for ${kind}.`);
    throw e;
  }
}

function parseBoolFlag(key: string, value: string): boolean {
  const b = parseGoBool(value);
  if (b !== undefined) return b;
  throw usageError(`invalid value ${value} for boolean key ${key}`, `Use ${key}=true or ${key}=false.`);
}
