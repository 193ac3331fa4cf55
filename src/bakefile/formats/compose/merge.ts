/**
 * Merging compose files, and the documents of one file, with compose-go's
 * override rules (override/merge.go): mappings merge key by key, sequences
 * append and scalars replace, except where a rule says otherwise (paths
 * replaced whole, list_or_dict fields merged by key, extra_hosts without
 * repeats) or a `!reset`/`!override` tag drops or replaces the earlier
 * value. Same-file `extends` merges with the same rules.
 */
import { bakeError, type BakeFileError } from '../../../core/diagnostics.js';
import { buildMap, dependsOnMap, dictMap, hostItems, sshMap } from './fields.js';
import { dotted, isNull, type MapNode, type Path, type Tree } from './tree.js';

type Merger = (base: Tree, over: Tree, path: Path) => Tree;

/** Paths whose value an override file replaces whole, even with null. */
const REPLACED = ['services.*.command', 'services.*.entrypoint', 'services.*.healthcheck.test'];

const MERGE_RULES: readonly (readonly [pattern: string, merger: Merger])[] = [
  ['services.*.build', (base, over, path) => mergeMaps(buildMap(base, path), buildMap(over, path), path)],
  ['services.*.build.args', mergeDicts],
  ['services.*.build.labels', mergeDicts],
  ['services.*.build.additional_contexts', mergeDicts],
  ['services.*.build.extra_hosts', mergeExtraHosts],
  ['services.*.build.ssh', (base, over, path) => mergeMaps(sshMap(base, path), sshMap(over, path), path)],
  ['services.*.environment', mergeDicts],
  ['services.*.depends_on', (base, over, path) => mergeMaps(dependsOnMap(base, path), dependsOnMap(over, path), path)],
];

function matches(path: Path, pattern: string): boolean {
  const parts = pattern.split('.');
  return parts.length === path.length && parts.every((part, i) => part === '*' || part === path[i]);
}

function mergeTrees(base: Tree, over: Tree, path: Path): Tree {
  if (over.tag === 'override' || REPLACED.some((pattern) => matches(path, pattern))) return over;
  if (isNull(over)) return base;
  const rule = MERGE_RULES.find(([pattern]) => matches(path, pattern));
  if (rule) return rule[1](base, over, path);
  if (base.kind === 'map') {
    if (over.kind !== 'map') throw cannotOverride(path, over);
    return mergeMaps(base, over, path);
  }
  if (base.kind === 'seq') {
    if (over.kind !== 'seq') throw cannotOverride(path, over);
    return { ...over, items: [...base.items, ...over.items] };
  }
  return over;
}

export function mergeMaps(base: MapNode, over: MapNode, path: Path): MapNode {
  const fields = new Map(base.fields);
  for (const [key, field] of over.fields) {
    if (field.value.tag === 'reset') {
      fields.delete(key);
      continue;
    }
    const existing = fields.get(key);
    fields.set(key, existing ? { keyRange: field.keyRange, value: mergeTrees(existing.value, field.value, [...path, key]) } : field);
  }
  return { ...over, fields };
}

function cannotOverride(path: Path, node: Tree): BakeFileError {
  return bakeError(`cannot override ${dotted(path)}`, node.range, 'Use the same kind of value (mapping, list or scalar) as the file it overrides.');
}

function mergeDicts(base: Tree, over: Tree, path: Path): Tree {
  const merged = new Map(dictMap(base, path).fields);
  for (const [key, field] of dictMap(over, path).fields) merged.set(key, field);
  return { kind: 'map', fields: merged, range: over.range };
}

/** extra_hosts merge as `host=ip` lists; entries the base already has are not repeated. */
function mergeExtraHosts(base: Tree, over: Tree, path: Path): Tree {
  const left = hostItems(base, path);
  const seen = new Set(left.map((item) => item.text));
  const right = hostItems(over, path).filter((item) => !seen.has(item.text));
  return { kind: 'seq', items: [...left, ...right], range: over.range };
}
