/**
 * JSON and TOML bake files become the same HCL tree as native files, following
 * HCL's JSON syntax spec as buildx uses it: known block types (`target`,
 * `group`, `variable`, `function`, `service`) are objects keyed by label,
 * every string is a template (so `${VAR}` evaluates), and keyword positions
 * (function params, variable types) are read as HCL expressions.
 */
import { bakeError, type SourceRange } from '../../core/diagnostics.js';
import type { Attribute, Block, Body, Expr, File } from '../hcl/ast.js';
import { parseExpression, parseTemplate } from '../hcl/parser.js';
import { integerNumber, type Numeric } from '../expr/numeric.js';

/** A JSON value with where it was written. TOML values carry their table's range. */
export type JsonNode =
  | { readonly kind: 'string'; readonly value: string; readonly range: SourceRange; readonly valueStart: SourceRange }
  | { readonly kind: 'number'; readonly value: Numeric; readonly range: SourceRange }
  | { readonly kind: 'boolean'; readonly value: boolean; readonly range: SourceRange }
  | { readonly kind: 'null'; readonly range: SourceRange }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[]; readonly range: SourceRange }
  | { readonly kind: 'object'; readonly properties: readonly JsonProperty[]; readonly range: SourceRange };

export interface JsonProperty {
  readonly key: string;
  readonly keyRange: SourceRange;
  readonly value: JsonNode;
}

/** Block types at the top level, and the nested block types each allows. */
const BLOCK_TYPES: Readonly<Record<string, readonly string[]>> = {
  target: [],
  group: [],
  variable: ['validation'],
  function: [],
  service: ['healthcheck', 'watch'],
};

export function jsonToFile(filename: string, root: JsonNode): File {
  if (root.kind !== 'object')
    throw bakeError(
      'Invalid bake file',
      root.range,
      'A JSON bake file is one object with keys such as "target" and "group".',
      'The root of a JSON bake file must be an object.',
    );
  return { filename, body: objectBody(root, Object.keys(BLOCK_TYPES), '') };
}

function objectBody(node: Extract<JsonNode, { kind: 'object' }>, blockTypes: readonly string[], owner: string): Body {
  const attributes: Attribute[] = [];
  const blocks: Block[] = [];
  for (const prop of node.properties) {
    if (blockTypes.includes(prop.key)) {
      blocks.push(...blocksOf(prop, owner === '' ? 1 : 0));
      continue;
    }
    const expr =
      owner === 'function' && (prop.key === 'params' || prop.key === 'variadic_params')
        ? keywordExpr(prop.value)
        : owner === 'variable' && prop.key === 'type'
          ? typeExpr(prop.value)
          : toExpr(prop.value);
    attributes.push({ name: prop.key, nameRange: prop.keyRange, expr, range: spanning(prop.keyRange, prop.value.range) });
  }
  return { attributes, blocks, range: node.range };
}

/** `"target": {"a": {...}, "b": {...}}`, or an array of such objects; labels nest one object per label. */
function blocksOf(prop: JsonProperty, labelCount: number): Block[] {
  const nested = BLOCK_TYPES[prop.key] ?? [];
  const bodies = prop.value.kind === 'array' ? prop.value.items : [prop.value];
  const out: Block[] = [];
  for (const body of bodies) {
    if (body.kind !== 'object')
      throw bakeError(
        'Incorrect JSON value type',
        body.range,
        `Write "${prop.key}" as an object keyed by name.`,
        `Either a JSON object or a JSON array of objects is required for a "${prop.key}" block.`,
      );
    if (labelCount === 0) {
      out.push({
        type: prop.key,
        typeRange: prop.keyRange,
        labels: [],
        labelRanges: [],
        body: objectBody(body, nested, prop.key),
        range: spanning(prop.keyRange, body.range),
      });
      continue;
    }
    for (const labelled of body.properties) {
      const inner = labelled.value.kind === 'array' ? labelled.value.items : [labelled.value];
      for (const b of inner) {
        if (b.kind !== 'object')
          throw bakeError(
            'Incorrect JSON value type',
            b.range,
            `Write ${prop.key} "${labelled.key}" as a JSON object of attributes.`,
            `A JSON object is required for the body of ${prop.key} "${labelled.key}".`,
          );
        out.push({
          type: prop.key,
          typeRange: prop.keyRange,
          labels: [labelled.key],
          labelRanges: [labelled.keyRange],
          body: objectBody(b, nested, prop.key),
          range: spanning(labelled.keyRange, b.range),
        });
      }
    }
  }
  return out;
}

/** A JSON value as an HCL expression: strings are templates, containers recurse. */
export function toExpr(node: JsonNode): Expr {
  switch (node.kind) {
    case 'string':
      return parseTemplate(node.valueStart.filename, node.value, node.valueStart.start);
    case 'number':
    case 'boolean':
      return { kind: 'literal', value: node.value, range: node.range };
    case 'null':
      return { kind: 'literal', value: null, range: node.range };
    case 'array':
      return { kind: 'tuple', items: node.items.map(toExpr), range: node.range };
    case 'object':
      return {
        kind: 'object',
        items: node.properties.map((p) => ({ key: { kind: 'literal', value: p.key, range: p.keyRange }, keyIsBareName: false, value: toExpr(p.value) })),
        range: node.range,
      };
  }
}

/** In keyword positions a JSON string names an identifier: `"params": ["a", "b"]`. */
function keywordExpr(node: JsonNode): Expr {
  if (node.kind === 'string') return { kind: 'scopeTraversal', root: node.value, rootRange: node.range, steps: [], range: node.range };
  if (node.kind === 'array') return { kind: 'tuple', items: node.items.map(keywordExpr), range: node.range };
  return toExpr(node);
}

/** A variable's `"type": "list(string)"` is an HCL type expression written in a string. */
function typeExpr(node: JsonNode): Expr {
  return node.kind === 'string' ? parseExpression(node.valueStart.filename, node.value, node.valueStart.start) : toExpr(node);
}

function spanning(a: SourceRange, b: SourceRange): SourceRange {
  return { filename: a.filename, start: a.start, end: b.end };
}

/** Plain data (a parsed TOML document) as JsonNodes; `rangeOf` says where each key path was written. */
export function valueToNode(value: unknown, rangeOf: (path: readonly string[]) => SourceRange, path: readonly string[] = []): JsonNode {
  const range = rangeOf(path);
  if (value === null || value === undefined) return { kind: 'null', range };
  if (typeof value === 'string') return { kind: 'string', value, range, valueStart: range };
  if (typeof value === 'number') return { kind: 'number', value, range };
  if (typeof value === 'bigint') return { kind: 'number', value: integerNumber(value), range };
  if (typeof value === 'boolean') return { kind: 'boolean', value, range };
  if (value instanceof Date) return { kind: 'string', value: value.toISOString(), range, valueStart: range };
  if (Array.isArray(value)) return { kind: 'array', items: value.map((v, i) => valueToNode(v, rangeOf, [...path, String(i)])), range };
  return {
    kind: 'object',
    properties: Object.entries(value as Record<string, unknown>).map(([key, v]) => ({
      key,
      keyRange: rangeOf([...path, key]),
      value: valueToNode(v, rangeOf, [...path, key]),
    })),
    range,
  };
}
