/**
 * Merging one definition over another: duplicate blocks, later files, and
 * `inherits`. Targets follow buildx's Target.Merge attribute by attribute
 * (which attributes replace and which accumulate); services use the same
 * rule table with compose's intuition (maps merge, the rest replaces).
 */
import { mergeEntries, type EntryKind } from './entries.js';
import type { Entry, Service, Target } from './model.js';
import { setOwn } from '../core/own-property.js';

type MergeRule = 'replace' | 'append' | 'mergeMap' | 'mergeMapSkipNull' | 'mergeMapNullDefers' | 'mergeStruct' | 'entries';

/** buildx's Target.Merge: which attributes replace and which merge. */
const TARGET_RULES: Readonly<Record<string, MergeRule>> = {
  description: 'replace',
  context: 'replace',
  dockerfile: 'replace',
  'dockerfile-inline': 'replace',
  args: 'mergeMapSkipNull',
  contexts: 'mergeMap',
  labels: 'mergeMapSkipNull',
  'extra-hosts': 'mergeMapSkipNull',
  tags: 'replace',
  target: 'replace',
  call: 'replace',
  annotations: 'append',
  attest: 'entries',
  secret: 'entries',
  ssh: 'entries',
  platforms: 'replace',
  'cache-from': 'entries',
  'cache-to': 'replace',
  output: 'replace',
  pull: 'replace',
  'no-cache': 'replace',
  network: 'replace',
  'no-cache-filter': 'append',
  'shm-size': 'replace',
  ulimits: 'append',
  entitlements: 'append',
  resources: 'mergeStruct',
  inherits: 'append',
};

const SERVICE_RULES: Readonly<Record<string, MergeRule>> = {
  // A null value keeps an inherited one, else stays null: compose's "the client's variable" (issue 14).
  environment: 'mergeMapNullDefers',
  inherits: 'append',
};

/** Merges `over` into `base` (mutating and returning base), as buildx's Target.Merge. */
export function mergeTarget(base: Target, over: Target): Target {
  return mergeWith(base, over, TARGET_RULES);
}

export function mergeService(base: Service, over: Service): Service {
  return mergeWith(base, over, SERVICE_RULES);
}

/**
 * Plain `for...in` and indexed access, not entries() and destructuring: this
 * runs thousands of times before the JIT warms up, where each destructured
 * entry allocated an iterator and its results (--print of 1,000 targets:
 * 5 of its 67 MB, and most of this function's 23 ms).
 */
function mergeWith<T extends { name: string }>(base: T, over: T, rules: Readonly<Record<string, MergeRule>>): T {
  const b = base as unknown as Record<string, unknown>;
  const o = over as unknown as Record<string, unknown>;
  for (const key in o) {
    const value = o[key];
    if (key === 'name' || value === undefined) continue;
    // buildx: an empty description does not replace a set one.
    if (key === 'description' && value === '') continue;
    const current = b[key];
    const rule = rules[key] ?? 'replace';
    switch (rule) {
      case 'replace':
        b[key] = value;
        break;
      case 'append':
        b[key] = [...((current as unknown[] | undefined) ?? []), ...(value as unknown[])];
        break;
      case 'mergeMap':
      case 'mergeMapSkipNull':
      case 'mergeMapNullDefers': {
        const merged: Record<string, unknown> = { ...((current as Record<string, unknown> | undefined) ?? {}) };
        const map = value as Record<string, unknown>;
        // buildx keeps a base's map even when empty, and makes none for an empty or all-null one.
        let kept = current !== undefined;
        for (const k in map) {
          const v = map[k];
          if (v === null && (rule === 'mergeMapSkipNull' || (rule === 'mergeMapNullDefers' && Object.hasOwn(merged, k)))) continue;
          setOwn(merged, k, v);
          kept = true;
        }
        if (kept) b[key] = merged;
        break;
      }
      case 'mergeStruct':
        // A Go struct pointer's Merge (ResourcesConfig): a fresh copy of the base's fields with the set ones on top, set even when empty.
        b[key] = { ...(current ?? {}), ...(value as Record<string, unknown>) };
        break;
      case 'entries':
        b[key] = mergeEntries(key as EntryKind, current as Entry[] | undefined, value as Entry[]);
        break;
    }
  }
  return base;
}
