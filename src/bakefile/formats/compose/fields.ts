/**
 * Reading typed values out of the tree: scalars, booleans, integers, lists,
 * list_or_dict mappings and commands, and the one shape each of compose's
 * alternative spellings comes to (a `build:` string, ssh and depends_on
 * lists, extra_hosts mappings). Loading, merging, validation and mapping all
 * read through here, so a node of the wrong kind gets the same typeError,
 * pointing at it, wherever it is found.
 */
import { bakeError, type BakeFileError, type SourceRange } from '../../../core/diagnostics.js';
import { goQuote } from '../../../golang/strconv.js';
import { parseShellwords } from '../../../golang/shellwords.js';
import { dotted, isNull, nullAt, type Field, type MapNode, type Path, type ScalarNode, type Tree } from './tree.js';

export function typeError(path: Path, node: Tree, expected: string): BakeFileError {
  return bakeError(`${dotted(path)} must be a ${expected}`, node.range, `Write ${dotted(path)} as a ${expected}.`);
}

export function requireScalar(node: Tree, path: Path): ScalarNode {
  if (node.kind !== 'scalar' || node.value === null) throw typeError(path, node, 'string');
  return node;
}

export function requireString(node: Tree, path: Path): string {
  return requireScalar(node, path).text;
}

/** An optional scalar field as text; null counts as unset. */
export function optionalText(map: MapNode, key: string, path: Path): string | undefined {
  const field = map.fields.get(key);
  return field === undefined || isNull(field.value) ? undefined : requireString(field.value, [...path, key]);
}

const TRUE_WORDS = new Set(['y', 'yes', 'true', 'on']);
const FALSE_WORDS = new Set(['n', 'no', 'false', 'off']);

/** A boolean field; interpolated strings convert as compose-go's toBoolean does. */
export function optionalBool(map: MapNode, key: string, path: Path): boolean | undefined {
  const field = map.fields.get(key);
  if (field === undefined || isNull(field.value)) return undefined;
  const node = field.value;
  if (node.kind === 'scalar' && typeof node.value === 'boolean') return node.value;
  if (node.kind === 'scalar' && typeof node.value === 'string') {
    const word = node.value.toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    throw bakeError(`invalid boolean: ${node.value}`, node.range, `Set ${dotted([...path, key])} to true or false.`);
  }
  throw typeError([...path, key], node, 'boolean');
}

/** A whole-number field; interpolated strings convert as strconv.Atoi does. */
export function optionalInt(map: MapNode, key: string, path: Path): number | undefined {
  const field = map.fields.get(key);
  if (field === undefined || isNull(field.value)) return undefined;
  return requireInt(field.value, [...path, key]);
}

export function requireInt(node: Tree, path: Path): number {
  if (node.kind === 'scalar' && typeof node.value === 'number' && Number.isInteger(node.value)) return node.value;
  if (node.kind === 'scalar' && typeof node.value === 'string' && /^[-+]?[0-9]+$/.test(node.value)) return Number(node.value);
  throw typeError(path, node, 'integer');
}

/** A string with where it was written, for errors about one list item. */
export interface TextItem {
  readonly text: string;
  readonly range: SourceRange;
}

export function optionalItems(map: MapNode, key: string, path: Path): TextItem[] | undefined {
  const field = map.fields.get(key);
  if (field === undefined || isNull(field.value)) return undefined;
  if (field.value.kind !== 'seq') throw typeError([...path, key], field.value, 'list of strings');
  return field.value.items.map((item) => requireScalar(item, [...path, key, '[]']));
}

export function optionalList(map: MapNode, key: string, path: Path): string[] | undefined {
  return optionalItems(map, key, path)?.map((item) => item.text);
}

/** A list_or_dict field: ordered names with their text, or null for `KEY` alone / `KEY: null`. */
export function optionalDict(map: MapNode, key: string, path: Path): Map<string, string | null> | undefined {
  const field = map.fields.get(key);
  if (field === undefined || isNull(field.value)) return undefined;
  const out = new Map<string, string | null>();
  for (const [name, { value }] of dictMap(field.value, [...path, key]).fields) {
    if (value.kind !== 'scalar') throw typeError([...path, key, name], value, 'string, number, boolean or null');
    out.set(name, value.value === null ? null : value.text);
  }
  return out;
}

export function optionalMap(map: MapNode, key: string, path: Path): MapNode | undefined {
  const field = map.fields.get(key);
  if (field === undefined || isNull(field.value)) return undefined;
  if (field.value.kind !== 'map') throw typeError([...path, key], field.value, 'mapping');
  return field.value;
}

/** A `command`-style field: a list as it is, a string split as shell words. */
export function optionalCommand(map: MapNode, key: string, path: Path): string[] | undefined {
  const field = map.fields.get(key);
  if (field === undefined || isNull(field.value)) return undefined;
  const node = field.value;
  if (node.kind === 'seq') return node.items.map((item) => requireString(item, [...path, key, '[]']));
  const words = parseShellwords(requireString(node, [...path, key]));
  if (words === undefined) throw bakeError('invalid command line string', node.range, 'Close every quote in the command, or write it as a list.');
  return words;
}

// compose's alternative spellings of a field, as the one shape merging and mapping work on.

export function buildMap(node: Tree, path: Path): MapNode {
  if (node.kind === 'map') return node;
  if (node.kind === 'scalar' && node.value !== null) return singleField('context', node);
  if (isNull(node)) return { kind: 'map', fields: new Map(), range: node.range };
  throw typeError(path, node, 'string or mapping');
}

function singleField(key: string, value: Tree): MapNode {
  return { kind: 'map', fields: new Map([[key, { keyRange: value.range, value }]]), range: value.range };
}

/** list_or_dict values as a mapping (`KEY=value` items split, `KEY` alone null), later keys winning. */
export function dictMap(node: Tree, path: Path): MapNode {
  return keyValueMap(node, path, (item) => {
    if (item.kind !== 'scalar') throw typeError([...path, '[]'], item, 'string');
    return item.text;
  });
}

export function hostItems(node: Tree, path: Path): ScalarNode[] {
  if (isNull(node)) return [];
  if (node.kind === 'seq') return node.items.map((item) => requireScalar(item, [...path, '[]']));
  if (node.kind !== 'map') throw typeError(path, node, 'mapping or list');
  return [...node.fields].flatMap(([host, field]) => {
    const ips = field.value.kind === 'seq' ? field.value.items.map((ip) => requireScalar(ip, [...path, host])) : [requireScalar(field.value, [...path, host])];
    return ips.map((ip): ScalarNode => ({ kind: 'scalar', value: `${host}=${ip.text}`, text: `${host}=${ip.text}`, range: ip.range }));
  });
}

/** build.ssh as `id → path` (compose's transformSSH): `default` may stand alone, other ids need `=path`. */
export function sshMap(node: Tree, path: Path): MapNode {
  return keyValueMap(node, path, (item) => {
    const text = requireScalar(item, [...path, '[]']).text;
    if (!text.includes('=') && text !== 'default') throw bakeError(`invalid ssh key ${goQuote(text)}`, item.range, 'Write ssh keys as default or ID=path.');
    return text;
  });
}

/** A mapping as it is, or a list of `KEY=value` items (each read by itemText) split at the first `=`, `KEY` alone null; later keys win. */
function keyValueMap(node: Tree, path: Path, itemText: (item: Tree) => string): MapNode {
  if (node.kind === 'map') return node;
  if (isNull(node)) return { kind: 'map', fields: new Map(), range: node.range };
  if (node.kind !== 'seq') throw typeError(path, node, 'mapping or list');
  const fields = new Map<string, Field>();
  for (const item of node.items) {
    const text = itemText(item);
    const eq = text.indexOf('=');
    const value: Tree = eq < 0 ? nullAt(item.range) : { kind: 'scalar', value: text.slice(eq + 1), text: text.slice(eq + 1), range: item.range };
    fields.set(eq < 0 ? text : text.slice(0, eq), { keyRange: item.range, value });
  }
  return { kind: 'map', fields, range: node.range };
}

export function dependsOnMap(node: Tree, path: Path): MapNode {
  if (node.kind === 'map') return node;
  if (isNull(node)) return { kind: 'map', fields: new Map(), range: node.range };
  if (node.kind !== 'seq') throw typeError(path, node, 'mapping or list');
  return {
    kind: 'map',
    fields: new Map(node.items.map((item) => [requireString(item, [...path, '[]']), { keyRange: item.range, value: nullAt(item.range) }])),
    range: node.range,
  };
}
