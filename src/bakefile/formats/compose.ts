/**
 * Compose files as `docker buildx bake` reads them (buildx v0.36.1
 * bake/compose.go on compose-go v2): every service with `build:` becomes a
 * target (plus the `x-bake` extension), the `default` group holds them all,
 * and — our addition — every service becomes a `Service` for `bake dev`.
 *
 * The pipeline follows compose-go's loader: YAML (yaml.v3's scalar typing)
 * → interpolation of every string value → merge of the files (and of the
 * documents of one file) with compose's override rules → same-file `extends`
 * → the checks buildx's filtered schema validation and consistency check
 * make → buildx's mapping. Relative paths are cleaned the way compose-go
 * joins them onto buildx's empty working directory (`./dir` → `dir`).
 *
 * Every error is a BakeFileError pointing at the YAML node at fault.
 */
import { posix } from 'node:path';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Pair } from 'yaml';
import { BakeFileError, bakeError, fileStart, pos, type SourceRange } from '../../core/diagnostics.js';
import { EntryError, entriesFromValue, entryFromObject, mergeEntries, sshPaths, type EntryKind } from '../entries.js';
import { goQuote, parseGoBool } from '../golang.js';
import { compareStrings, makeObject } from '../expr/value.js';
import { sanitizeTargetName, type Entry, type Group, type HealthCheck, type Service, type Target } from '../model.js';
import { interpolate, type Lookup } from './interpolate.js';

/** The environment compose interpolates with: the process environment first, then `.env`. */
export interface ComposeEnvironment {
  lookup(name: string): string | undefined;
  readonly dotenv?: ReadonlyMap<string, string>;
}

export interface ComposeSource {
  readonly filename: string;
  readonly text: string;
}

export interface ComposeConfig {
  groups: Group[];
  targets: Target[];
  services: Service[];
}

const NO_ENVIRONMENT: ComposeEnvironment = { lookup: () => undefined };

/**
 * buildx's validateComposeFile: `.yml`/`.yaml` files are compose (errors come
 * later, from readCompose), `.json`/`.hcl` files are not, and any other file
 * is compose when it loads as one.
 */
export function isComposeFile(filename: string, text: string, env: ComposeEnvironment = NO_ENVIRONMENT): boolean {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.yml') || lower.endsWith('.yaml')) return true;
  if (lower.endsWith('.json') || lower.endsWith('.hcl')) return false;
  try {
    // The consistency check is skipped here, as buildx skips it when validating one file.
    mapModel(loadModel([{ filename, text }], env), false);
    return true;
  } catch (e) {
    if (e instanceof BakeFileError) return false;
    throw e;
  }
}

/** Reads compose files (later files override earlier ones) into groups, targets and services. */
export function readCompose(files: readonly ComposeSource[], env: ComposeEnvironment): ComposeConfig {
  return mapModel(loadModel(files, env), true);
}

// ---------------------------------------------------------------------------
// The YAML tree: typed as yaml.v3 types it, interpolated, with source ranges.

type ScalarValue = string | number | boolean | null;

interface NodeBase {
  readonly range: SourceRange;
  /** compose's `!reset` (drop the inherited value) and `!override` (replace it whole) tags. */
  readonly tag?: 'reset' | 'override';
}
interface MapNode extends NodeBase {
  readonly kind: 'map';
  readonly fields: ReadonlyMap<string, Field>;
}
interface Field {
  readonly keyRange: SourceRange;
  readonly value: Tree;
}
interface SeqNode extends NodeBase {
  readonly kind: 'seq';
  readonly items: readonly Tree[];
}
interface ScalarNode extends NodeBase {
  readonly kind: 'scalar';
  readonly value: ScalarValue;
  /** The value as Go's fmt.Sprint prints it, which is how compose turns it into a string ('' for null). */
  readonly text: string;
}
type Tree = MapNode | SeqNode | ScalarNode;

/** A node's location in the model, for messages: `services.app.build.args`. */
type Path = readonly string[];
const dotted = (path: Path): string => path.join('.');

function nullAt(range: SourceRange): ScalarNode {
  return { kind: 'scalar', value: null, text: '', range };
}

const isNull = (node: Tree): boolean => node.kind === 'scalar' && node.value === null;

interface ParsedDocument {
  readonly filename: string;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
}

function parseDocuments({ filename, text }: ComposeSource): ParsedDocument[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, merge: true, prettyErrors: false });
  const out: ParsedDocument[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      const range = rangeOf(filename, lines, error.pos[0], error.pos[1]);
      throw bakeError(`yaml: ${error.message.split('\n')[0]}`, range, 'Fix the YAML syntax here.');
    }
    out.push({ filename, doc, lines });
  }
  return out;
}

function rangeOf(filename: string, lines: LineCounter, from: number, to: number): SourceRange {
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return pos(line, col, offset);
  };
  return { filename, start: at(from), end: at(Math.max(from, to)) };
}

/** Converts one parsed document, interpolating string values as it goes. */
class TreeBuilder {
  private readonly building = new Set<unknown>();

  constructor(
    private readonly parsed: ParsedDocument,
    private readonly lookup: Lookup,
  ) {}

  build(node: unknown, path: Path, fallback: SourceRange): Tree {
    if (node === null || node === undefined) return nullAt(fallback);
    if (isAlias(node)) {
      const target = node.resolve(this.parsed.doc);
      if (this.building.has(target)) throw bakeError('yaml: anchor refers to itself', this.range(node, fallback), 'Remove the alias from inside its own anchor.');
      return this.build(target, path, this.range(node, fallback));
    }
    const range = this.range(node, fallback);
    const tag = isNode(node) ? customTag(node.tag) : undefined;
    this.building.add(node);
    try {
      if (isMap(node)) return { kind: 'map', fields: this.fields(node.items, path, range), range, ...tagged(tag) };
      if (isSeq(node)) return { kind: 'seq', items: node.items.map((item) => this.build(item, [...path, '[]'], range)), range, ...tagged(tag) };
      if (isScalar(node)) return { ...this.scalar(node, path, range), ...tagged(tag) };
    } finally {
      this.building.delete(node);
    }
    throw bakeError('yaml: unsupported node', range, 'Use plain mappings, lists and scalars.');
  }

  /** Mapping fields in order; `<<` merge keys add the keys this mapping does not set itself. */
  private fields(pairs: readonly Pair<unknown, unknown>[], path: Path, range: SourceRange): Map<string, Field> {
    const own = new Set(pairs.filter((pair) => !isMergeKey(pair.key)).map((pair) => keyText(pair.key)));
    const fields = new Map<string, Field>();
    for (const pair of pairs) {
      const keyRange = this.range(pair.key, range);
      if (!isMergeKey(pair.key)) {
        const key = keyText(pair.key);
        fields.set(key, { keyRange, value: this.build(pair.value, [...path, key], endOf(keyRange)) });
        continue;
      }
      const merged = this.build(pair.value, path, keyRange);
      const sources = merged.kind === 'seq' ? merged.items : [merged];
      for (const source of sources) {
        if (source.kind !== 'map') throw bakeError('yaml: map merge requires map or sequence of maps as the value', source.range, 'Merge only mappings with <<.');
        for (const [key, field] of source.fields) if (!own.has(key) && !fields.has(key)) fields.set(key, field);
      }
    }
    return fields;
  }

  private scalar(node: { value: unknown; source?: string; type?: string; tag?: string }, path: Path, range: SourceRange): ScalarNode {
    // Untagged plain scalars are typed by yaml.v3's rules, from the text as written (eemeli's YAML 1.2 typing differs).
    const plain = node.type === 'PLAIN' && node.tag === undefined ? plainScalar(typeof node.value === 'string' ? node.value : (node.source ?? '')) : undefined;
    const value = plain ? plain.value : node.value;
    if (typeof value === 'string') {
      const text = interpolate(value, this.lookup, { range, path: dotted(path) });
      return { kind: 'scalar', value: text, text, range };
    }
    if (plain) return { kind: 'scalar', ...plain, range };
    if (typeof value === 'number') return { kind: 'scalar', value, text: Number.isInteger(value) ? String(value) : goFloat(value), range };
    if (typeof value === 'boolean') return { kind: 'scalar', value, text: String(value), range };
    return nullAt(range);
  }

  private range(node: unknown, fallback: SourceRange): SourceRange {
    const r = isNode(node) ? node.range : undefined;
    return r ? rangeOf(this.parsed.filename, this.parsed.lines, r[0], r[1]) : fallback;
  }
}

function isNode(node: unknown): node is { range?: readonly [number, number, number] | null; tag?: string } {
  return typeof node === 'object' && node !== null && 'range' in node;
}

function customTag(tag: string | undefined): 'reset' | 'override' | undefined {
  return tag === '!reset' ? 'reset' : tag === '!override' ? 'override' : undefined;
}

function tagged(tag: 'reset' | 'override' | undefined): { tag?: 'reset' | 'override' } {
  return tag === undefined ? {} : { tag };
}

function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const value = key.value;
  return (typeof value === 'symbol' && value.description === '<<') || (value === '<<' && key.type === 'PLAIN');
}

/** Mapping keys as compose sees them: Go's `%v` of the decoded key. */
function keyText(key: unknown): string {
  if (!isScalar(key)) return String(key);
  if (key.type === 'PLAIN' && key.tag === undefined) return plainScalar(typeof key.value === 'string' ? key.value : (key.source ?? '')).text;
  return key.value === null ? '' : String(key.value);
}

function endOf(range: SourceRange): SourceRange {
  return { filename: range.filename, start: range.end, end: range.end };
}

const YAML_NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const YAML_BOOLS: ReadonlyMap<string, boolean> = new Map([
  ...['true', 'True', 'TRUE'].map((s) => [s, true] as const),
  ...['false', 'False', 'FALSE'].map((s) => [s, false] as const),
]);
const YAML_SPECIAL_FLOATS: ReadonlyMap<string, number> = new Map([
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s) => [s, Infinity] as const),
  ...['-.inf', '-.Inf', '-.INF'].map((s) => [s, -Infinity] as const),
  ...['.nan', '.NaN', '.NAN'].map((s) => [s, NaN] as const),
]);
/** Go's strconv.ParseInt(s, 0, 64) syntax, which yaml.v3 applies after dropping underscores. */
const GO_INT = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const YAML_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** yaml.v3's resolution of an untagged plain scalar (`017` is octal, `1_000` an int, `yes` a string). */
function plainScalar(source: string): { value: ScalarValue; text: string } {
  if (YAML_NULLS.has(source)) return { value: null, text: '' };
  const bool = YAML_BOOLS.get(source);
  if (bool !== undefined) return { value: bool, text: String(bool) };
  if (/^[-+.0-9]/.test(source)) {
    const special = YAML_SPECIAL_FLOATS.get(source);
    if (special !== undefined) return { value: special, text: goFloat(special) };
    const plain = source.replaceAll('_', '');
    const int = GO_INT.exec(plain);
    if (int) {
      const [, sign = '', digits = ''] = int;
      const magnitude = BigInt(/^0[0-7]+$/.test(digits) ? `0o${digits.slice(1)}` : digits);
      const n = sign === '-' ? -magnitude : magnitude;
      if (n >= INT64_MIN && n <= UINT64_MAX) return { value: Number(n), text: n.toString() };
    }
    if (YAML_FLOAT.test(plain)) {
      const f = Number(plain);
      return { value: f, text: goFloat(f) };
    }
  }
  return { value: source, text: source };
}

/** Go's `%v` of a float64 (strconv 'g', shortest): exponent form below 1e-4 and from 1e6 on, as in `1e+06`. */
function goFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa = '', exponent = '0'] = f.toExponential().split('e');
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  const exp = Number(exponent);
  if (exp < -4 || exp >= 6) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    return `${sign}${digits[0]}${fraction}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const fraction = digits.slice(exp + 1);
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

// ---------------------------------------------------------------------------
// Loading: project name, interpolation, merge, extends, filtered schema checks.

interface ComposeModel {
  readonly services: MapNode | undefined;
  readonly secrets: MapNode | undefined;
  readonly lookup: Lookup;
}

function loadModel(files: readonly ComposeSource[], env: ComposeEnvironment): ComposeModel {
  const documents = files.flatMap(parseDocuments);
  const environment: Lookup = (name) => env.lookup(name) ?? env.dotenv?.get(name);
  const project = projectName(documents, environment);
  // compose-go exports the project name to interpolation (`bake` unless set).
  const lookup: Lookup = (name) => (name === 'COMPOSE_PROJECT_NAME' ? project : environment(name));

  let model: MapNode | undefined;
  for (const parsed of documents) {
    const contents = parsed.doc.contents;
    if (contents === null || (isScalar(contents) && contents.value === null)) continue;
    const start = fileStart(parsed.filename);
    const tree = new TreeBuilder(parsed, lookup).build(contents, [], start);
    if (tree.kind !== 'map') throw bakeError('Top-level object must be a mapping', tree.range, 'Start the file with keys such as services:.');
    model = model ? mergeMaps(model, tree, []) : tree;
  }
  const first = files[0]?.filename ?? '-';
  const services = model?.fields.get('services')?.value;
  const secrets = model?.fields.get('secrets')?.value;
  const include = model?.fields.get('include');
  if (include) throw bakeError('include is not supported', include.keyRange, 'Pass the included compose files with -f instead.');
  // buildx keeps only `services` (when a mapping) and `secrets`; with neither, the file is empty.
  if (services?.kind !== 'map' && secrets === undefined) throw bakeError('empty compose file', model?.range ?? fileStart(first), 'Add a services: section.');
  if (secrets !== undefined && secrets.kind !== 'map' && !isNull(secrets)) throw typeError(['secrets'], secrets, 'mapping');
  return {
    services: services?.kind === 'map' ? validateServices(resolveExtends(services)) : undefined,
    secrets: secrets?.kind === 'map' ? validateSecrets(secrets) : undefined,
    lookup,
  };
}

const INVALID_PROJECT_NAME = 'must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number';

/**
 * buildx names the project COMPOSE_PROJECT_NAME or `bake`, without insisting,
 * so a top-level `name:` (interpolated, normalized) wins over both.
 */
function projectName(documents: readonly ParsedDocument[], lookup: Lookup): string {
  let name = lookup('COMPOSE_PROJECT_NAME') || 'bake';
  let range: SourceRange | undefined;
  for (const parsed of documents) {
    const contents = parsed.doc.contents;
    if (!isMap(contents)) continue;
    const pair = contents.items.find((p) => isScalar(p.key) && p.key.value === 'name');
    if (!pair || !isScalar(pair.value) || typeof pair.value.value !== 'string') continue;
    const [from = 0, to = 0] = pair.value.range ?? [];
    range = rangeOf(parsed.filename, parsed.lines, from, to);
    const normalized = normalizeProjectName(interpolate(pair.value.value, lookup, { range, path: 'name' }));
    if (normalized !== '') name = normalized;
  }
  if (normalizeProjectName(name) !== name) {
    throw bakeError(`invalid project name ${goQuote(name)}: ${INVALID_PROJECT_NAME}`, range ?? fileStart(documents[0]?.filename ?? '-'), 'Set COMPOSE_PROJECT_NAME to a lowercase name.');
  }
  return name;
}

function normalizeProjectName(name: string): string {
  return (name.toLowerCase().match(/[a-z0-9_-]/g) ?? []).join('').replace(/^[_-]+/, '');
}

/** Same-file `extends`: the base service merged under the extending one, as compose-go's ExtendService does. */
function resolveExtends(services: MapNode): MapNode {
  const resolved = new Map<string, Tree>();
  const resolve = (name: string, chain: readonly string[]): Tree => {
    const done = resolved.get(name);
    if (done) return done;
    const service = services.fields.get(name)?.value as Tree;
    const extendsField = service.kind === 'map' ? service.fields.get('extends') : undefined;
    if (service.kind !== 'map' || !extendsField) return service;
    const path = ['services', name, 'extends'];
    const base = extendsService(extendsField.value, path);
    if (chain.includes(base)) throw bakeError(`circular reference: ${[...chain, name, base].join(' -> ')}`, extendsField.value.range, 'Break the extends cycle.');
    if (!services.fields.has(base)) throw bakeError(`cannot extend service ${goQuote(name)}: service ${goQuote(base)} not found`, extendsField.value.range, 'Name a service defined in this project.');
    const own: MapNode = { ...service, fields: new Map([...service.fields].filter(([key]) => key !== 'extends')) };
    const baseTree = resolve(base, [...chain, name]);
    const merged = baseTree.kind === 'map' ? mergeMaps(baseTree, own, ['services', name]) : own;
    resolved.set(name, merged);
    return merged;
  };
  return { ...services, fields: new Map([...services.fields].map(([name, field]) => [name, { ...field, value: resolve(name, []) }])) };
}

function extendsService(node: Tree, path: Path): string {
  if (node.kind === 'scalar' && typeof node.value === 'string') return node.value;
  if (node.kind !== 'map') throw typeError(path, node, 'string or mapping');
  if (node.fields.has('file')) throw bakeError('extends with file is not supported', node.fields.get('file')?.keyRange, 'Pass the other compose file with -f, or copy the base service here.');
  const service = node.fields.get('service');
  if (!service) throw bakeError(`${dotted(path)} must have a service`, node.range, 'Name the service to extend with service:.');
  return requireString(service.value, [...path, 'service']);
}

// ---------------------------------------------------------------------------
// Merging files: compose-go's override rules (override/merge.go).

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

function mergeMaps(base: MapNode, over: MapNode, path: Path): MapNode {
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

function buildMap(node: Tree, path: Path): MapNode {
  if (node.kind === 'map') return node;
  if (node.kind === 'scalar' && node.value !== null) return singleField('context', node);
  if (isNull(node)) return { kind: 'map', fields: new Map(), range: node.range };
  throw typeError(path, node, 'string or mapping');
}

function singleField(key: string, value: Tree): MapNode {
  return { kind: 'map', fields: new Map([[key, { keyRange: value.range, value }]]), range: value.range };
}

/** list_or_dict values as a mapping (`KEY=value` items split, `KEY` alone null), later keys winning. */
function dictMap(node: Tree, path: Path): MapNode {
  if (node.kind === 'map') return node;
  if (isNull(node)) return { kind: 'map', fields: new Map(), range: node.range };
  if (node.kind !== 'seq') throw typeError(path, node, 'mapping or list');
  const fields = new Map<string, Field>();
  for (const item of node.items) {
    if (item.kind !== 'scalar') throw typeError([...path, '[]'], item, 'string');
    const eq = item.text.indexOf('=');
    const key = eq < 0 ? item.text : item.text.slice(0, eq);
    const value: Tree = eq < 0 ? nullAt(item.range) : { kind: 'scalar', value: item.text.slice(eq + 1), text: item.text.slice(eq + 1), range: item.range };
    fields.set(key, { keyRange: item.range, value });
  }
  return { kind: 'map', fields, range: node.range };
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

function hostItems(node: Tree, path: Path): ScalarNode[] {
  if (isNull(node)) return [];
  if (node.kind === 'seq') return node.items.map((item) => requireScalar(item, [...path, '[]']));
  if (node.kind !== 'map') throw typeError(path, node, 'mapping or list');
  return [...node.fields].flatMap(([host, field]) => {
    const ips = field.value.kind === 'seq' ? field.value.items.map((ip) => requireScalar(ip, [...path, host])) : [requireScalar(field.value, [...path, host])];
    return ips.map((ip): ScalarNode => ({ kind: 'scalar', value: `${host}=${ip.text}`, text: `${host}=${ip.text}`, range: ip.range }));
  });
}

/** build.ssh as `id → path` (compose's transformSSH): `default` may stand alone, other ids need `=path`. */
function sshMap(node: Tree, path: Path): MapNode {
  if (node.kind === 'map') return node;
  if (isNull(node)) return { kind: 'map', fields: new Map(), range: node.range };
  if (node.kind !== 'seq') throw typeError(path, node, 'mapping or list');
  const fields = new Map<string, Field>();
  for (const item of node.items) {
    const text = requireScalar(item, [...path, '[]']).text;
    const eq = text.indexOf('=');
    if (eq < 0 && text !== 'default') throw bakeError(`invalid ssh key ${goQuote(text)}`, item.range, 'Write ssh keys as default or ID=path.');
    const value: Tree = eq < 0 ? nullAt(item.range) : { kind: 'scalar', value: text.slice(eq + 1), text: text.slice(eq + 1), range: item.range };
    fields.set(eq < 0 ? text : text.slice(0, eq), { keyRange: item.range, value });
  }
  return { kind: 'map', fields, range: node.range };
}

function dependsOnMap(node: Tree, path: Path): MapNode {
  if (node.kind === 'map') return node;
  if (isNull(node)) return { kind: 'map', fields: new Map(), range: node.range };
  if (node.kind !== 'seq') throw typeError(path, node, 'mapping or list');
  return { kind: 'map', fields: new Map(node.items.map((item) => [requireString(item, [...path, '[]']), { keyRange: item.range, value: nullAt(item.range) }])), range: node.range };
}

// ---------------------------------------------------------------------------
// What buildx's schema validation of its filtered model checks.

const SERVICE_NAME = /^[a-zA-Z0-9._-]+$/;
const BUILD_KEYS = new Set([
  'context', 'dockerfile', 'dockerfile_inline', 'args', 'additional_contexts', 'cache_from', 'cache_to', 'entitlements', 'extra_hosts', 'isolation',
  'labels', 'network', 'no_cache', 'pull', 'provenance', 'sbom', 'secrets', 'shm_size', 'ssh', 'tags', 'target', 'ulimits', 'platforms', 'privileged',
]);
const SECRET_KEYS = new Set(['name', 'environment', 'file', 'external', 'labels', 'driver', 'driver_opts', 'template_driver']);

function validateServices(services: MapNode): MapNode {
  for (const [name, field] of services.fields) {
    if (!SERVICE_NAME.test(name)) throw additionalProperty(['services'], name, field.keyRange);
    const service = field.value;
    if (isNull(service)) continue;
    if (service.kind !== 'map') throw typeError(['services', name], service, 'mapping');
    const image = service.fields.get('image');
    if (image && !isNull(image.value)) requireString(image.value, ['services', name, 'image']);
    const build = service.fields.get('build');
    if (build) validateBuild(build.value, ['services', name, 'build']);
  }
  return services;
}

function validateBuild(build: Tree, path: Path): void {
  if (build.kind === 'scalar' && typeof build.value === 'string') return;
  if (build.kind !== 'map') throw typeError(path, build, 'string or mapping');
  for (const [key, field] of build.fields) {
    if (!BUILD_KEYS.has(key) && !key.startsWith('x-')) throw additionalProperty(path, key, field.keyRange);
  }
}

function validateSecrets(secrets: MapNode): MapNode {
  for (const [name, field] of secrets.fields) {
    if (!SERVICE_NAME.test(name)) throw additionalProperty(['secrets'], name, field.keyRange);
    const secret = field.value;
    if (isNull(secret)) continue;
    if (secret.kind !== 'map') throw typeError(['secrets', name], secret, 'mapping');
    for (const [key, f] of secret.fields) {
      if (!SECRET_KEYS.has(key) && !key.startsWith('x-')) throw additionalProperty(['secrets', name], key, f.keyRange);
    }
  }
  return secrets;
}

function additionalProperty(path: Path, key: string, range: SourceRange): BakeFileError {
  return bakeError(`${dotted(path)} additional properties '${key}' not allowed`, range, 'Remove it or check its spelling; extensions must start with x-.');
}

function typeError(path: Path, node: Tree, expected: string): BakeFileError {
  return bakeError(`${dotted(path)} must be a ${expected}`, node.range, `Write ${dotted(path)} as a ${expected}.`);
}

// ---------------------------------------------------------------------------
// Reading typed values out of the tree.

function requireScalar(node: Tree, path: Path): ScalarNode {
  if (node.kind !== 'scalar' || node.value === null) throw typeError(path, node, 'string');
  return node;
}

function requireString(node: Tree, path: Path): string {
  return requireScalar(node, path).text;
}

/** An optional scalar field as text; null counts as unset. */
function optionalText(map: MapNode, key: string, path: Path): string | undefined {
  const field = map.fields.get(key);
  return field === undefined || isNull(field.value) ? undefined : requireString(field.value, [...path, key]);
}

const TRUE_WORDS = new Set(['y', 'yes', 'true', 'on']);
const FALSE_WORDS = new Set(['n', 'no', 'false', 'off']);

/** A boolean field; interpolated strings convert as compose-go's toBoolean does. */
function optionalBool(map: MapNode, key: string, path: Path): boolean | undefined {
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
function optionalInt(map: MapNode, key: string, path: Path): number | undefined {
  const field = map.fields.get(key);
  if (field === undefined || isNull(field.value)) return undefined;
  return requireInt(field.value, [...path, key]);
}

function requireInt(node: Tree, path: Path): number {
  if (node.kind === 'scalar' && typeof node.value === 'number' && Number.isInteger(node.value)) return node.value;
  if (node.kind === 'scalar' && typeof node.value === 'string' && /^[-+]?[0-9]+$/.test(node.value)) return Number(node.value);
  throw typeError(path, node, 'integer');
}

/** A string with where it was written, for errors about one list item. */
interface TextItem {
  readonly text: string;
  readonly range: SourceRange;
}

function optionalItems(map: MapNode, key: string, path: Path): TextItem[] | undefined {
  const field = map.fields.get(key);
  if (field === undefined || isNull(field.value)) return undefined;
  if (field.value.kind !== 'seq') throw typeError([...path, key], field.value, 'list of strings');
  return field.value.items.map((item) => requireScalar(item, [...path, key, '[]']));
}

function optionalList(map: MapNode, key: string, path: Path): string[] | undefined {
  return optionalItems(map, key, path)?.map((item) => item.text);
}

/** A list_or_dict field: ordered names with their text, or null for `KEY` alone / `KEY: null`. */
function optionalDict(map: MapNode, key: string, path: Path): Map<string, string | null> | undefined {
  const field = map.fields.get(key);
  if (field === undefined || isNull(field.value)) return undefined;
  const out = new Map<string, string | null>();
  for (const [name, { value }] of dictMap(field.value, [...path, key]).fields) {
    if (value.kind !== 'scalar') throw typeError([...path, key, name], value, 'string, number, boolean or null');
    out.set(name, value.value === null ? null : value.text);
  }
  return out;
}

function optionalMap(map: MapNode, key: string, path: Path): MapNode | undefined {
  const field = map.fields.get(key);
  if (field === undefined || isNull(field.value)) return undefined;
  if (field.value.kind !== 'map') throw typeError([...path, key], field.value, 'mapping');
  return field.value;
}

/** A `command`-style field: a list as it is, a string split as shell words. */
function optionalCommand(map: MapNode, key: string, path: Path): string[] | undefined {
  const field = map.fields.get(key);
  if (field === undefined || isNull(field.value)) return undefined;
  const node = field.value;
  if (node.kind === 'seq') return node.items.map((item) => requireString(item, [...path, key, '[]']));
  const words = shellWords(requireString(node, [...path, key]));
  if (words === undefined) throw bakeError('invalid command line string', node.range, 'Close every quote in the command, or write it as a list.');
  return words;
}

// ---------------------------------------------------------------------------
// Mapping: buildx's ParseCompose, then our services.


function mapModel(model: ComposeModel, consistency: boolean): ComposeConfig {
  const services = [...(model.services?.fields ?? [])].map(([name, field]): [string, MapNode] => [name, field.value.kind === 'map' ? field.value : { kind: 'map', fields: new Map(), range: field.value.range }]);
  if (consistency) checkConsistency(services, model.secrets);
  const targets: Target[] = [];
  for (const [name, service] of services) {
    const build = service.fields.get('build');
    if (build) targets.push(buildTarget(name, service, buildMap(build.value, ['services', name, 'build']), model));
  }
  const groups: Group[] = services.length ? [{ name: 'default', targets: targets.map((t) => t.name).sort(compareStrings) }] : [];
  return { groups, targets, services: services.map(([name, service]) => composeService(name, service, model.lookup)) };
}

/** compose-go's checkConsistency, on what buildx keeps of each service. */
function checkConsistency(services: readonly (readonly [string, MapNode])[], secrets: MapNode | undefined): void {
  for (const [name, service] of services) {
    const build = service.fields.get('build');
    const image = optionalText(service, 'image', ['services', name]);
    if (!build && !image) throw invalidProject(`service ${goQuote(name)} has neither an image nor a build context specified`, service.range, 'Add build: or image: to the service.');
    if (!build) continue;
    const buildNode = buildMap(build.value, ['services', name, 'build']);
    const path = ['services', name, 'build'];
    if (optionalText(buildNode, 'dockerfile', path) && optionalText(buildNode, 'dockerfile_inline', path)) {
      throw invalidProject(`service ${goQuote(name)} declares mutualy exclusive dockerfile and dockerfile_inline`, buildNode.range, 'Keep either dockerfile or dockerfile_inline.');
    }
    for (const secret of buildSecrets(buildNode, path)) {
      if (!secrets?.fields.has(secret.source)) throw invalidProject(`service ${goQuote(name)} refers to undefined build secret ${secret.source}`, secret.range, 'Define the secret under the top-level secrets:.');
    }
  }
  for (const [name, field] of secrets?.fields ?? []) {
    const secret = field.value.kind === 'map' ? field.value : undefined;
    const path = ['secrets', name];
    if (secret && optionalBool(secret, 'external', path)) continue;
    if (!secret || (!optionalText(secret, 'file', path) && !optionalText(secret, 'environment', path))) {
      throw invalidProject(`secret ${goQuote(name)} must declare either \`file\` or \`environment\``, field.value.range, 'Give the secret a file: or an environment:.');
    }
  }
}

function invalidProject(summary: string, range: SourceRange, fix: string): BakeFileError {
  return mappingError(`${summary}: invalid compose project`, range, fix);
}

/** Errors of buildx's mapping step carry its wrapping. */
function mappingError(summary: string, range: SourceRange, fix: string): BakeFileError {
  return bakeError(`failed to parse compose file: ${summary}`, range, fix);
}

function buildSecrets(build: MapNode, path: Path): { source: string; range: SourceRange }[] {
  const field = build.fields.get('secrets');
  if (field === undefined || isNull(field.value)) return [];
  if (field.value.kind !== 'seq') throw typeError([...path, 'secrets'], field.value, 'list');
  return field.value.items.map((item) => {
    if (item.kind === 'map') {
      const source = item.fields.get('source');
      if (!source) throw bakeError(`${dotted([...path, 'secrets'])} entries must have a source`, item.range, 'Name the secret with source:.');
      return { source: requireString(source.value, [...path, 'secrets', 'source']), range: item.range };
    }
    return { source: requireString(item, [...path, 'secrets', '[]']), range: item.range };
  });
}

function buildTarget(name: string, service: MapNode, build: MapNode, model: ComposeModel): Target {
  const path = ['services', name, 'build'];
  const target: Target = { name: sanitizeTargetName(name) };
  const home = model.lookup('HOME');
  // compose-go defaults a long-syntax build's context to ".".
  const context = build.fields.has('context') ? optionalText(build, 'context', path) : '.';
  if (context) target.context = contextPath(context, home);
  const dockerfile = optionalText(build, 'dockerfile', path);
  if (dockerfile) target.dockerfile = dockerfile;
  const inline = optionalText(build, 'dockerfile_inline', path);
  if (inline) target['dockerfile-inline'] = inline;
  const contexts = optionalDict(build, 'additional_contexts', path);
  if (contexts?.size) target.contexts = namedContexts(new Map([...contexts].map(([k, v]) => [k, contextPath(v ?? '', home)])));
  const shmSize = shmSizeOf(build, path);
  if (shmSize) target['shm-size'] = shmSize;
  const network = optionalText(build, 'network', path);
  if (network) target.network = network;
  const ulimits = ulimitsOf(build, path);
  if (ulimits.length) target.ulimits = ulimits;
  const extraHosts = extraHostsOf(build, path);
  if (Object.keys(extraHosts).length) target['extra-hosts'] = extraHosts;
  const ssh = sshOf(build, path, home);
  if (ssh.length) target.ssh = ssh;
  const secrets = buildSecrets(build, path).map((s) => secretEntry(s.source, s.range, model.secrets, home));
  if (secrets.length) target.secret = secrets;
  const labels = optionalDict(build, 'labels', path);
  if (labels?.size) target.labels = Object.fromEntries([...labels].map(([k, v]) => [k, v ?? '']));
  const cacheFrom = entriesOf('cache-from', optionalItems(build, 'cache_from', path));
  if (cacheFrom?.length) target['cache-from'] = cacheFrom;
  const cacheTo = entriesOf('cache-to', optionalItems(build, 'cache_to', path));
  if (cacheTo?.length) target['cache-to'] = cacheTo;
  const attest = attestsOf(build, path);
  if (attest?.length) target.attest = attest;
  if (optionalBool(build, 'no_cache', path)) target['no-cache'] = true;
  if (optionalBool(build, 'pull', path)) target.pull = true;
  const tags = optionalList(build, 'tags', path);
  if (tags?.length) target.tags = dedupe(tags);
  const args = argsOf(build, service, path, model.lookup);
  if (args && Object.keys(args).length) target.args = args;
  const platforms = optionalList(build, 'platforms', path);
  if (platforms?.length) target.platforms = platforms;
  const xbake = build.fields.get('x-bake');
  if (xbake && !isNull(xbake.value)) applyXBake(target, xbake.value, [...path, 'x-bake']);
  const stage = optionalText(build, 'target', path);
  if (stage) target.target = stage;
  const image = optionalText(service, 'image', ['services', name]);
  if (!target.tags?.length && image) target.tags = [image];
  return target;
}

/** Build args: `KEY` alone takes the service's environment, then the project environment, or is dropped. */
function argsOf(build: MapNode, service: MapNode, path: Path, lookup: Lookup): Record<string, string | null> | undefined {
  const args = optionalDict(build, 'args', path);
  if (!args) return undefined;
  const environment = optionalDict(service, 'environment', path.slice(0, 2));
  const out: Record<string, string | null> = {};
  for (const [key, value] of args) {
    const resolved = value ?? environment?.get(key) ?? lookup(key);
    if (resolved !== undefined && resolved !== null) out[key] = resolved;
  }
  return out;
}

/** buildx's composeToBuildkitNamedContexts: `service:x` and `target:x` name a target. */
function namedContexts(contexts: ReadonlyMap<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of contexts) {
    const colon = value.indexOf(':');
    const scheme = value.slice(0, colon);
    out[key] = colon > 0 && (scheme === 'service' || scheme === 'target') ? `target:${sanitizeTargetName(value.slice(colon + 1))}` : value;
  }
  return out;
}

function shmSizeOf(build: MapNode, path: Path): string | undefined {
  const field = build.fields.get('shm_size');
  if (field === undefined || isNull(field.value)) return undefined;
  const node = requireScalar(field.value, [...path, 'shm_size']);
  let bytes: number;
  try {
    bytes = typeof node.value === 'number' ? Math.trunc(node.value) : ramInBytes(node.text);
  } catch (e) {
    throw bakeError((e as Error).message, node.range, 'Write the size as a number of bytes or with a unit, like 128m or 1g.');
  }
  return bytes > 0 ? bytesSize(bytes) : undefined;
}

const ULIMIT_NAMES = new Set(['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack']);

/** `name=soft:hard` strings as docker/go-units prints them; a single number sets both limits. */
function ulimitsOf(build: MapNode, path: Path): string[] {
  const ulimits = optionalMap(build, 'ulimits', path);
  if (!ulimits) return [];
  const out: string[] = [];
  for (const [name, field] of [...ulimits.fields].sort(([a], [b]) => compareStrings(a, b))) {
    const at = [...path, 'ulimits', name];
    const node = field.value;
    let soft: number;
    let hard: number;
    if (node.kind === 'map') {
      soft = optionalInt(node, 'soft', at) ?? 0;
      hard = optionalInt(node, 'hard', at) ?? 0;
    } else soft = hard = requireInt(node, at);
    if (!ULIMIT_NAMES.has(name)) throw mappingError(`invalid ulimit type: ${name}`, field.keyRange, `Use one of ${[...ULIMIT_NAMES].join(', ')}.`);
    if (hard !== -1 && soft > hard) throw mappingError(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`, node.range, 'Raise the hard limit or lower the soft one.');
    out.push(`${name}=${soft}:${hard}`);
  }
  return out;
}

/** compose's HostsList: `host=ip` or `host:ip` items (ips comma-separated, brackets dropped), joined back with commas. */
function extraHostsOf(build: MapNode, path: Path): Record<string, string | null> {
  const field = build.fields.get('extra_hosts');
  if (field === undefined || isNull(field.value)) return {};
  const hosts = new Map<string, string[]>();
  for (const item of hostItems(field.value, [...path, 'extra_hosts'])) {
    const cut = cutAny(item.text, ['=', ':']);
    if (!cut) throw bakeError(`invalid additional host, missing IP: ${item.text}`, item.range, 'Write extra hosts as host=ip.');
    const [host, ips] = cut;
    if (host === '' || /[:=]/.test(host)) throw bakeError(`bad host name '${host}'`, item.range, 'Write extra hosts as host=ip.');
    const list = ips.split(',').map((ip) => (ip.length > 2 && ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip));
    hosts.set(host, [...(hosts.get(host) ?? []), ...list]);
  }
  return Object.fromEntries([...hosts].map(([host, ips]) => [host, ips.join(',')]));
}

/** Cuts at the first of the separators that occurs, trying them in order. */
function cutAny(text: string, separators: readonly string[]): [string, string] | undefined {
  for (const sep of separators) {
    const at = text.indexOf(sep);
    if (at >= 0) return [text.slice(0, at), text.slice(at + sep.length)];
  }
  return undefined;
}

function sshOf(build: MapNode, path: Path, home: string | undefined): Entry[] {
  const field = build.fields.get('ssh');
  if (field === undefined || isNull(field.value)) return [];
  const keys = sshMap(field.value, [...path, 'ssh']);
  const entries = [...keys.fields].map(([id, { value }]) => {
    const keyPath = value.kind === 'scalar' && value.value !== null ? unixPath(value.text, home) : '';
    return entryFromObject('ssh', makeObject([['id', id], ['paths', keyPath === '' ? [] : [keyPath]]]));
  });
  return sortSSH(entries);
}

/** buildx sorts ssh keys by id, then paths (SSH.Less). */
function sortSSH(entries: readonly Entry[]): Entry[] {
  const comparePaths = (a: readonly string[], b: readonly string[]): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareStrings(a[i] as string, b[i] as string);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  };
  return [...entries].sort((a, b) => compareStrings(a['id'] ?? '', b['id'] ?? '') || comparePaths(sshPaths(a), sshPaths(b)));
}

/** buildx's composeToBuildkitSecret: the top-level secret's file (cleaned) or environment variable. */
function secretEntry(source: string, range: SourceRange, secrets: MapNode | undefined, home: string | undefined): Entry {
  const field = secrets?.fields.get(source);
  const definition = field?.value.kind === 'map' ? field.value : undefined;
  const path = ['secrets', source];
  if (definition && optionalBool(definition, 'external', path)) {
    throw mappingError(`unsupported external secret ${optionalText(definition, 'name', path) ?? source}`, range, 'Give the secret a file: or an environment: for builds.');
  }
  const file = definition ? optionalText(definition, 'file', path) : undefined;
  const env = definition ? optionalText(definition, 'environment', path) : undefined;
  const attributes: [string, string][] = [['id', source]];
  if (file) attributes.push(['src', unixPath(file, home)]);
  if (env) attributes.push(['env', env]);
  return entryFromObject('secret', makeObject(attributes));
}

/** Parses entry texts as buildx does (ParseCacheEntry, parseArrValue), pointing an error at its item. */
function entriesOf(kind: EntryKind, items: readonly TextItem[] | undefined): Entry[] | undefined {
  if (!items?.length) return undefined;
  return items.flatMap((item) => {
    try {
      return entriesFromValue(kind, [item.text]);
    } catch (e) {
      if (e instanceof EntryError) throw mappingError(e.message, item.range, `Fix this ${kind} entry.`);
      throw e;
    }
  });
}

/** `sbom:` and `provenance:` become attest entries (CanonicalizeAttest). */
function attestsOf(build: MapNode, path: Path): Entry[] | undefined {
  const items: TextItem[] = [];
  for (const type of ['sbom', 'provenance'] as const) {
    const field = build.fields.get(type);
    if (field === undefined || isNull(field.value)) continue;
    const { text, range } = requireScalar(field.value, [...path, type]);
    if (text === '') continue;
    const flag = parseGoBool(text);
    items.push({ text: flag === undefined ? `type=${type},${text}` : `type=${type},disabled=${!flag}`, range });
  }
  return entriesOf('attest', items);
}

/**
 * The `x-bake` extension (buildx's composeExtTarget): list fields accept a
 * list or one whitespace-separated string and add to what `build:` set;
 * `pull` and `no-cache` replace; `contexts` adds names `build:` lacks.
 */
function applyXBake(target: Target, node: Tree, path: Path): void {
  if (node.kind !== 'map') throw mappingError(`${dotted(path)} must be a mapping`, node.range, 'Write x-bake as a mapping of bake attributes.');
  const list = (key: string): string[] | undefined => xbakeItems(node, key, path)?.map((item) => item.text);
  // The x-bake keys of entry lists are the entry kinds' names.
  const merge = (kind: EntryKind, current: Entry[] | undefined): Entry[] | undefined => {
    const parsed = entriesOf(kind, xbakeItems(node, kind, path));
    return parsed?.length ? mergeEntries(kind, current, parsed) : current;
  };
  const tags = list('tags');
  if (tags?.length) target.tags = dedupe([...(target.tags ?? []), ...tags]);
  setEntries(target, 'cache-from', merge('cache-from', target['cache-from']));
  setEntries(target, 'cache-to', merge('cache-to', target['cache-to']));
  setEntries(target, 'secret', merge('secret', target.secret));
  const ssh = merge('ssh', target.ssh);
  setEntries(target, 'ssh', ssh && sortSSH(ssh));
  const platforms = list('platforms');
  if (platforms?.length) target.platforms = dedupe([...(target.platforms ?? []), ...platforms]);
  setEntries(target, 'output', merge('output', target.output));
  const pull = xbakeBool(node, 'pull', path);
  if (pull !== undefined) target.pull = pull;
  const noCache = xbakeBool(node, 'no-cache', path);
  if (noCache !== undefined) target['no-cache'] = noCache;
  const filters = list('no-cache-filter');
  if (filters?.length) target['no-cache-filter'] = dedupe([...(target['no-cache-filter'] ?? []), ...filters]);
  const contexts = node.fields.get('contexts');
  if (contexts && !isNull(contexts.value)) {
    if (contexts.value.kind !== 'map') throw mappingError(`${dotted([...path, 'contexts'])}: cannot unmarshal into map[string]string`, contexts.value.range, 'Write contexts as a mapping of name to context.');
    const added = new Map([...contexts.value.fields].map(([k, f]) => [k, requireString(f.value, [...path, 'contexts', k])]));
    if (added.size) target.contexts = { ...namedContexts(added), ...target.contexts };
  }
}

function setEntries(target: Target, key: 'cache-from' | 'cache-to' | 'secret' | 'ssh' | 'output', entries: Entry[] | undefined): void {
  if (entries?.length) target[key] = entries;
}

/** buildx's stringArray: a list of strings, or one string split at whitespace (strings.Fields). */
function xbakeItems(node: MapNode, key: string, path: Path): TextItem[] | undefined {
  const field = node.fields.get(key);
  if (field === undefined || isNull(field.value)) return undefined;
  const value = field.value;
  if (value.kind === 'scalar') {
    const words = value.text.split(/[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/).filter((s) => s !== '');
    return words.map((text) => ({ text, range: value.range }));
  }
  if (value.kind === 'seq') return value.items.map((item) => requireScalar(item, [...path, key, '[]']));
  throw mappingError(`${dotted([...path, key])}: cannot unmarshal !!map into string`, value.range, `Write ${key} as a string or a list of strings.`);
}

function xbakeBool(node: MapNode, key: string, path: Path): boolean | undefined {
  try {
    return optionalBool(node, key, path);
  } catch (e) {
    if (e instanceof BakeFileError) throw mappingError(e.diagnostics[0]?.summary ?? key, node.fields.get(key)?.value.range ?? node.range, `Set ${key} to true or false.`);
    throw e;
  }
}

function dedupe(items: readonly string[]): string[] {
  return [...new Set(items)];
}

/** Our `service` for a compose service: how it runs under `bake dev`. */
function composeService(name: string, service: MapNode, lookup: Lookup): Service {
  const path = ['services', name];
  const out: Service = { name: sanitizeTargetName(name) };
  const image = optionalText(service, 'image', path);
  if (image !== undefined) out.image = image;
  if (service.fields.has('build')) out.target = sanitizeTargetName(name);
  const command = optionalCommand(service, 'command', path);
  if (command) out.command = command;
  const entrypoint = optionalCommand(service, 'entrypoint', path);
  if (entrypoint) out.entrypoint = entrypoint;
  const environment = optionalDict(service, 'environment', path);
  if (environment) out.environment = Object.fromEntries([...environment].map(([k, v]) => [k, v ?? lookup(k) ?? null]));
  const ports = portsOf(service, path);
  if (ports) out.ports = ports;
  const volumes = volumesOf(service, path);
  if (volumes) out.volumes = volumes;
  const dependsOn = service.fields.get('depends_on');
  if (dependsOn && !isNull(dependsOn.value)) out.depends_on = [...dependsOnMap(dependsOn.value, [...path, 'depends_on']).fields.keys()].map(sanitizeTargetName);
  const workdir = optionalText(service, 'working_dir', path);
  if (workdir !== undefined) out.workdir = workdir;
  const user = optionalText(service, 'user', path);
  if (user !== undefined) out.user = user;
  if (optionalBool(service, 'stdin_open', path) && optionalBool(service, 'tty', path)) out.interactive = true;
  const healthcheck = optionalMap(service, 'healthcheck', path);
  if (healthcheck) out.healthcheck = healthcheckOf(healthcheck, [...path, 'healthcheck']);
  const dev = optionalMap(service, 'x-bake-dev', path);
  if (dev) applyBakeDev(out, dev, [...path, 'x-bake-dev']);
  return out;
}

function applyBakeDev(service: Service, dev: MapNode, path: Path): void {
  const interactive = optionalBool(dev, 'interactive', path);
  if (interactive !== undefined) service.interactive = interactive;
  const shell = optionalCommand(dev, 'shell', path);
  if (shell) service.shell = shell;
  const runsOn = optionalText(dev, 'runs_on', path);
  if (runsOn !== undefined) service.runs_on = runsOn;
}

function healthcheckOf(map: MapNode, path: Path): HealthCheck {
  const out: HealthCheck = {};
  const test = map.fields.get('test');
  if (test && !isNull(test.value)) {
    out.test = test.value.kind === 'seq' ? test.value.items.map((item) => requireString(item, [...path, 'test', '[]'])) : ['CMD-SHELL', requireString(test.value, [...path, 'test'])];
  }
  if (optionalBool(map, 'disable', path)) out.test = ['NONE'];
  for (const key of ['interval', 'timeout', 'start_period'] as const) {
    const value = optionalText(map, key, path);
    if (value !== undefined) out[key] = value;
  }
  const retries = optionalInt(map, 'retries', path);
  if (retries !== undefined) out.retries = retries;
  return out;
}

/** Ports in the short form (`[host_ip:][published:]target[/protocol]`), one per published mapping. */
function portsOf(service: MapNode, path: Path): string[] | undefined {
  const field = service.fields.get('ports');
  if (field === undefined || isNull(field.value)) return undefined;
  if (field.value.kind !== 'seq') throw typeError([...path, 'ports'], field.value, 'list');
  const texts = field.value.items.map((item) => (item.kind === 'map' ? longPort(item, [...path, 'ports', '[]']) : requireString(item, [...path, 'ports', '[]'])));
  return uniqueBy(texts, portKey);
}

function longPort(port: MapNode, path: Path): string {
  const targetField = port.fields.get('target');
  if (!targetField) throw bakeError(`${dotted(path)} is missing a target port`, port.range, 'Give the port a target:.');
  const target = requireString(targetField.value, [...path, 'target']);
  const published = optionalText(port, 'published', path) ?? '';
  const host = optionalText(port, 'host_ip', path);
  const protocol = optionalText(port, 'protocol', path);
  const hostPart = host === undefined ? '' : `${host.includes(':') ? `[${host}]` : host}:`;
  const mapping = host === undefined && published === '' ? target : `${hostPart}${published}:${target}`;
  return protocol && protocol !== 'tcp' ? `${mapping}/${protocol}` : mapping;
}

/** compose's unicity key for a port: host, published and target port, protocol. */
function portKey(text: string): string {
  const slash = text.lastIndexOf('/');
  const protocol = slash < 0 ? 'tcp' : text.slice(slash + 1);
  const parts = (slash < 0 ? text : text.slice(0, slash)).split(':');
  const target = parts.pop() ?? '';
  const published = parts.pop() ?? '';
  const host = parts.join(':').replace(/^\[(.*)\]$/, '$1') || '0.0.0.0';
  return `${host}:${published}:${target}/${protocol}`;
}

/** Volumes in the short form (`[source:]target[:options]`); mount types the short form cannot say are left out. */
function volumesOf(service: MapNode, path: Path): string[] | undefined {
  const field = service.fields.get('volumes');
  if (field === undefined || isNull(field.value)) return undefined;
  if (field.value.kind !== 'seq') throw typeError([...path, 'volumes'], field.value, 'list');
  const texts = field.value.items.flatMap((item) => {
    if (item.kind !== 'map') return [requireString(item, [...path, 'volumes', '[]'])];
    const short = longVolume(item, [...path, 'volumes', '[]']);
    return short === undefined ? [] : [short];
  });
  return uniqueBy(texts, volumeTarget);
}

function longVolume(volume: MapNode, path: Path): string | undefined {
  const type = optionalText(volume, 'type', path);
  if (type !== 'bind' && type !== 'volume') return undefined;
  const target = optionalText(volume, 'target', path);
  if (target === undefined) throw bakeError(`service volume ${dotted(path)} is missing a mount target`, volume.range, 'Give the volume a target:.');
  const source = optionalText(volume, 'source', path);
  const options: string[] = [];
  if (optionalBool(volume, 'read_only', path)) options.push('ro');
  const bind = optionalMap(volume, 'bind', path);
  const selinux = bind && optionalText(bind, 'selinux', [...path, 'bind']);
  if (selinux) options.push(selinux);
  const propagation = bind && optionalText(bind, 'propagation', [...path, 'bind']);
  if (propagation) options.push(propagation);
  const options2 = optionalMap(volume, 'volume', path);
  if (options2 && optionalBool(options2, 'nocopy', [...path, 'volume'])) options.push('nocopy');
  const consistency = optionalText(volume, 'consistency', path);
  if (consistency) options.push(consistency);
  const mount = source ? `${source}:${target}` : target;
  return options.length ? `${mount}:${options.join(',')}` : mount;
}

function volumeTarget(text: string): string {
  const parts = text.split(':');
  return (parts.length === 1 ? parts[0] : parts[1]) ?? '';
}

/** compose's EnforceUnicity: a later item with the same key replaces an earlier one, in its place. */
function uniqueBy(items: readonly string[], key: (item: string) => string): string[] {
  const out: string[] = [];
  const index = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    const at = index.get(k);
    if (at === undefined) {
      index.set(k, out.length);
      out.push(item);
    } else out[at] = item;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Go behaviours compose-go and buildx rely on.

const REMOTE_CONTEXT = /^(?:https?:\/\/|git:\/\/|ssh:\/\/|github\.com\/|git@)/;

/** compose-go's absContextPath against buildx's empty working directory: URLs stay, paths are cleaned. */
function contextPath(value: string, home: string | undefined): string {
  if (value.includes('://') || REMOTE_CONTEXT.test(value)) return value;
  return unixPath(value, home);
}

/** compose-go's path resolution: `~` expanded, absolute paths kept, relative ones cleaned (filepath.Join("", p)). */
function unixPath(value: string, home: string | undefined): string {
  if (value === '') return value;
  if (value.startsWith('~') && home !== undefined) return goClean(`${home}/${value.slice(1)}`);
  if (value.startsWith('/') || /^[a-zA-Z]:[\\/]|^\\\\/.test(value)) return value;
  return goClean(value);
}

/** Go's filepath.Clean on a slash path. */
function goClean(path: string): string {
  if (path === '') return '.';
  const normalized = posix.normalize(path);
  return normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
}

const SIZE_UNITS: Readonly<Record<string, number>> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** docker/go-units RAMInBytes (binary units, case-insensitive, optional `b`/`ib`). */
function ramInBytes(text: string): number {
  const sep = Math.max(...[...'0123456789. '].map((c) => text.lastIndexOf(c)));
  if (sep < 0) throw new Error(`invalid size: '${text}'`);
  const num = text[sep] === ' ' ? text.slice(0, sep) : text.slice(0, sep + 1);
  const suffix = text.slice(sep + 1);
  if (!/^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(num)) throw new Error(`strconv.ParseFloat: parsing ${goQuote(num)}: invalid syntax`);
  const size = Number(num);
  if (size < 0) throw new Error(`invalid size: '${text}'`);
  if (suffix === '') return Math.trunc(size);
  const badSuffix = (s: string) => new Error(`invalid suffix: '${s}'`);
  if (suffix.length > 3) throw badSuffix(suffix);
  const lower = suffix.toLowerCase();
  if (lower[0] === 'b') {
    if (lower.length > 1) throw badSuffix(lower);
    return Math.trunc(size);
  }
  const multiplier = SIZE_UNITS[lower[0] as string];
  if (multiplier === undefined || (lower.length === 2 && lower[1] !== 'b') || (lower.length === 3 && lower.slice(1) !== 'ib')) throw badSuffix(lower);
  return Math.trunc(size * multiplier);
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** docker/go-units BytesSize (`%.4g` of the size in the largest binary unit it reaches): 134217728 → "128MiB". */
function bytesSize(bytes: number): string {
  let unit = 0;
  let divisor = 1n;
  while (bytes / Number(divisor * 1024n) >= 1 && unit < BINARY_UNITS.length - 1) {
    divisor *= 1024n;
    unit++;
  }
  return `${significant4(BigInt(bytes), divisor)}${BINARY_UNITS[unit]}`;
}

/** num/den (at least 1) rounded half-to-even to four significant digits, trailing zeros dropped, as Go's %.4g prints it. */
function significant4(num: bigint, den: bigint): string {
  const intDigits = (num / den).toString().length;
  const shift = 4 - intDigits;
  const scale = 10n ** BigInt(Math.max(shift, 0));
  const scaledNum = num * scale;
  const scaledDen = den * 10n ** BigInt(Math.max(-shift, 0));
  let q = scaledNum / scaledDen;
  const twice = (scaledNum % scaledDen) * 2n;
  if (twice > scaledDen || (twice === scaledDen && q % 2n === 1n)) q++;
  const digits = q.toString();
  if (shift <= 0) return digits + '0'.repeat(-shift);
  const whole = digits.slice(0, digits.length - shift) || '0';
  const fraction = digits.slice(digits.length - shift).replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}

/**
 * mattn/go-shellwords as compose uses it: blanks split words, quotes group
 * them (backslash escapes inside double quotes and outside quotes, `\n` and
 * `\t` become newline and tab), and parsing stops at `;`, `&`, `|`, `<` or
 * `>` outside quotes. Returns undefined for an unclosed quote.
 */
function shellWords(line: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let escaped = false;
  let single = false;
  let double = false;
  for (const ch of line) {
    if (escaped) {
      word += ch === 't' ? '\t' : ch === 'n' ? '\n' : ch;
      escaped = false;
      inWord = true;
      continue;
    }
    if (ch === '\\' && !single) {
      escaped = true;
      continue;
    }
    if (/[ \t\r\n]/.test(ch) && !single && !double) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    if (ch === '"' && !single) {
      double = !double;
      inWord = true;
      continue;
    }
    if (ch === "'" && !double) {
      single = !single;
      inWord = true;
      continue;
    }
    if (';&|<>'.includes(ch) && !single && !double) break;
    word += ch;
    inWord = true;
  }
  if (escaped || single || double) return undefined;
  if (inWord) words.push(word);
  return words;
}
