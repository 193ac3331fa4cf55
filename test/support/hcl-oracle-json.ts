/**
 * Prints a parsed File as the JSON that the npm package `hcl2-parser` produces
 * for the same text, so our parser can be checked against HashiCorp's.
 * hcl2-parser is tmccombs/hcl2json 0.3.3 (over hclsyntax) compiled to
 * JavaScript; `parseToObject(text)` returns `[json, null]`, or `[null, {}]`
 * when the text does not parse (the error object carries no message).
 *
 * Its conventions, found by experiment:
 * - A body is an object: each block adds `type → label1 → … → [body, …]`
 *   (blocks with the same type and labels append to one list), then each
 *   attribute sets `name → value`, overwriting a block of the same name.
 * - Numbers, bools, null, tuples and objects become JSON values; a unary
 *   `-` or `!` applied directly to a literal is evaluated (`-1` → -1).
 * - A template that is only literal text is that string; `"${x}"` is the
 *   conversion of x itself (`"${1}"` → 1, `"${[1]}"` → [1]).
 * - Other templates are the concatenation of their parts: literal text
 *   (escapes, strip markers and heredoc indentation applied, so `$${` is
 *   indistinguishable from `${`), literal interpolations as strings
 *   (`${1}` → "1"), nested templates as their text, a conditional
 *   interpolation or `%{if}` as `%{if COND}T%{else}F%{endif}` (no `%{else}`
 *   when F is empty), `%{for}` as `%{for K, V in COLL}BODY%{endfor}`, and any
 *   other expression as `${SOURCE}`.
 * - Any other expression is `${SOURCE}`, SOURCE being its exact source text
 *   (range as hclsyntax computes it: parentheses included, whitespace and
 *   newlines inside kept, none outside).
 * - Object keys: a traversal key is its source text (`a.b = 1` → "a.b"),
 *   others convert like template parts (`"k"` → "k", `1` → "1", `(k)` → "${(k)}").
 * - Its hclsyntax predates melding adjacent literal runs, so an index string
 *   that the scanner splits at `$` or `%` (`x["a%b"]`) is an index expression
 *   there, not a traversal step; current hclsyntax, like ours, melds them. This
 *   shows only in object keys, which are then printed as `${SOURCE}`.
 */
import type { Block, Body, Expr, File, ObjectItem, TemplatePart, Traverser } from '../../src/bakefile/hcl/ast.js';
import type { Value } from '../../src/bakefile/expr/value.js';
import { formatNumeric, isNumeric } from '../../src/bakefile/expr/numeric.js';

export type OracleJson = null | boolean | number | string | readonly OracleJson[] | { readonly [key: string]: OracleJson };

type JsonObject = Record<string, OracleJson>;

/** Thrown where hcl2-parser itself fails or panics on input that parses (e.g. `!1`, a `null` object key). */
export class OracleUnsupported extends Error {}

export function toOracleJson(file: File, text: string): OracleJson {
  return new OracleConverter(text).body(file.body);
}

class OracleConverter {
  constructor(private readonly text: string) {}

  body(body: Body): JsonObject {
    const out: JsonObject = {};
    for (const block of body.blocks) this.block(block, out);
    for (const attribute of body.attributes) setKey(out, attribute.name, this.expression(attribute.expr));
    return out;
  }

  /** Labels nest one object per label; the innermost key holds a list of bodies. */
  private block(block: Block, root: JsonObject): void {
    let container = root;
    let key = block.type;
    for (const label of block.labels) {
      const existing = container[key];
      if (existing === undefined) setKey(container, key, {});
      else if (!isJsonObject(existing)) throw new OracleUnsupported(`hcl2json cannot nest labels under ${key}`);
      container = container[key] as JsonObject;
      key = label;
    }
    const bodies = container[key] ?? [];
    if (!Array.isArray(bodies)) throw new OracleUnsupported(`hcl2json cannot add an unlabelled ${key} block beside labelled ones`);
    setKey(container, key, [...(bodies as readonly OracleJson[]), this.body(block.body)]);
  }

  private expression(expr: Expr): OracleJson {
    switch (expr.kind) {
      case 'literal':
        // hcl2json's numbers are doubles.
        return typeof expr.value === 'bigint' ? Number(expr.value) : (expr.value as OracleJson);
      case 'unaryOp':
        return expr.operand.kind === 'literal' ? evaluateUnary(expr.op, expr.operand.value) : this.wrap(expr);
      case 'template':
        return this.templateText(expr.parts);
      case 'templateWrap':
        return this.expression(expr.wrapped);
      case 'tuple':
        return expr.items.map((item) => this.expression(item));
      case 'object': {
        const out: JsonObject = {};
        for (const item of expr.items) setKey(out, this.objectKey(item), this.expression(item.value));
        return out;
      }
      default:
        return this.wrap(expr);
    }
  }

  private objectKey(item: ObjectItem): string {
    const key = item.key;
    return key.kind === 'scopeTraversal' && !key.steps.some(isSplitStringIndex) ? this.source(key) : this.stringPart(key);
  }

  /** A template's parts concatenated; a lone literal is just its text. */
  private templateText(parts: readonly TemplatePart[]): string {
    return parts.map((part) => this.templatePart(part)).join('');
  }

  private templatePart(part: TemplatePart): string {
    switch (part.kind) {
      case 'literal':
        return part.value;
      case 'interp':
        return this.stringPart(part.expr);
      case 'if':
        return this.conditionalText(part.condition, this.templateText(part.then), this.templateText(part.else ?? []));
      case 'for': {
        const names = part.keyVar === undefined ? part.valueVar : `${part.keyVar}, ${part.valueVar}`;
        return `%{for ${names} in ${this.source(part.collection)}}${this.templateText(part.body)}%{endfor}`;
      }
    }
  }

  /** An expression used as a piece of a string (an interpolation or an object key). */
  private stringPart(expr: Expr): string {
    switch (expr.kind) {
      case 'literal':
        return literalString(expr.value);
      case 'template':
        return this.templateText(expr.parts);
      case 'templateWrap':
        return this.stringPart(expr.wrapped);
      case 'conditional':
        return this.conditionalText(expr.condition, this.stringPart(expr.trueResult), this.stringPart(expr.falseResult));
      default:
        return this.wrap(expr);
    }
  }

  private conditionalText(condition: Expr, whenTrue: string, whenFalse: string): string {
    return `%{if ${this.source(condition)}}${whenTrue}${whenFalse === '' ? '' : `%{else}${whenFalse}`}%{endif}`;
  }

  private wrap(expr: Expr): string {
    return `\${${this.source(expr)}}`;
  }

  private source(expr: Expr): string {
    return this.text.slice(expr.range.start.offset, expr.range.end.offset);
  }
}

function isSplitStringIndex(step: Traverser): boolean {
  return step.kind === 'index' && typeof step.key === 'string' && /[$%]/.test(step.key);
}

function evaluateUnary(op: '!' | '-', operand: Value): OracleJson {
  if (op === '-' && typeof operand === 'number') return -operand;
  if (op === '!' && typeof operand === 'boolean') return !operand;
  throw new OracleUnsupported(`hcl2json cannot evaluate ${op}${JSON.stringify(operand)}`);
}

/** cty's conversion of a literal to string; converting null panics in hcl2json. */
function literalString(value: Value): string {
  if (isNumeric(value)) return formatNumeric(value);
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  throw new OracleUnsupported('hcl2json cannot convert null to a string');
}

function isJsonObject(json: OracleJson): json is JsonObject {
  return typeof json === 'object' && json !== null && !Array.isArray(json);
}

/** Sets a key the way JSON.parse does, so keys like `__proto__` stay plain keys. */
function setKey(target: JsonObject, key: string, value: OracleJson): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
