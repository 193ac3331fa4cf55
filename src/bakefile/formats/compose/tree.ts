/**
 * The YAML tree compose files are read into: typed as yaml.v3 types it,
 * every string value interpolated, aliases and `<<` merge keys expanded,
 * compose's `!reset`/`!override` tags kept, and a source range on every
 * node, so that each later step can point its errors at the YAML at fault.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Pair } from 'yaml';
import { bakeError, pos, type SourceRange } from '../../../core/diagnostics.js';
import { interpolate, type Lookup } from '../interpolate.js';
import { goFloat, plainScalar, type ScalarValue } from './scalars.js';

export interface ComposeSource {
  readonly filename: string;
  readonly text: string;
}

interface NodeBase {
  readonly range: SourceRange;
  /** compose's `!reset` (drop the inherited value) and `!override` (replace it whole) tags. */
  readonly tag?: 'reset' | 'override';
}
export interface MapNode extends NodeBase {
  readonly kind: 'map';
  readonly fields: ReadonlyMap<string, Field>;
}
export interface Field {
  readonly keyRange: SourceRange;
  readonly value: Tree;
}
interface SeqNode extends NodeBase {
  readonly kind: 'seq';
  readonly items: readonly Tree[];
}
export interface ScalarNode extends NodeBase {
  readonly kind: 'scalar';
  readonly value: ScalarValue;
  /** The value as Go's fmt.Sprint prints it, which is how compose turns it into a string ('' for null). */
  readonly text: string;
}
export type Tree = MapNode | SeqNode | ScalarNode;

/** A node's location in the model, for messages: `services.app.build.args`. */
export type Path = readonly string[];
export const dotted = (path: Path): string => path.join('.');

export function nullAt(range: SourceRange): ScalarNode {
  return { kind: 'scalar', value: null, text: '', range };
}

export const isNull = (node: Tree): boolean => node.kind === 'scalar' && node.value === null;

export interface ParsedDocument {
  readonly filename: string;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
}

export function parseDocuments({ filename, text }: ComposeSource): ParsedDocument[] {
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

export function rangeOf(filename: string, lines: LineCounter, from: number, to: number): SourceRange {
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return pos(line, col, offset);
  };
  return { filename, start: at(from), end: at(Math.max(from, to)) };
}

/** Far more than anchors and merge keys repeat in real compose files; an alias bomb stops here (issue 14). */
export const MAX_ALIASED_NODES = 100_000;

/** Converts one parsed document, interpolating string values as it goes. */
export class TreeBuilder {
  private readonly building = new Set<unknown>();
  /** Nodes built again through aliases: a few aliases of aliases can make billions (a "billion laughs"). */
  private aliased = 0;
  private aliasDepth = 0;

  constructor(
    private readonly parsed: ParsedDocument,
    private readonly lookup: Lookup,
  ) {}

  build(node: unknown, path: Path, fallback: SourceRange): Tree {
    if (node === null || node === undefined) return nullAt(fallback);
    if (isAlias(node)) {
      const target = node.resolve(this.parsed.doc);
      if (this.building.has(target))
        throw bakeError('yaml: anchor refers to itself', this.range(node, fallback), 'Remove the alias from inside its own anchor.');
      this.aliasDepth++;
      const tree = this.build(target, path, this.range(node, fallback));
      this.aliasDepth--;
      return tree;
    }
    const range = this.range(node, fallback);
    if (this.aliasDepth > 0 && ++this.aliased > MAX_ALIASED_NODES) {
      throw bakeError('yaml: aliases expand to too many nodes', range, `Repeat less through aliases: they expand to more than ${MAX_ALIASED_NODES} nodes.`);
    }
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
  private fields(pairs: readonly Pair[], path: Path, range: SourceRange): Map<string, Field> {
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
        if (source.kind !== 'map')
          throw bakeError('yaml: map merge requires map or sequence of maps as the value', source.range, 'Merge only mappings with <<.');
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
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a scalar's value is a primitive (string, number, bool, bigint)
  return key.value === null ? '' : String(key.value);
}

function endOf(range: SourceRange): SourceRange {
  return { filename: range.filename, start: range.end, end: range.end };
}
