/**
 * Reads a type constraint written as an expression (`type = list(string)`),
 * statically, as HCL's typeexpr extension does (TypeConstraint): keywords and
 * constructor calls only, never evaluated, with typeexpr's diagnostics.
 */
import { BakeFileError, rangeBetween, type SourceRange } from '../../core/diagnostics.js';
import type { Expr } from '../hcl/ast.js';
import { friendlyTypeName, T, type Type } from './types.js';

const KEYWORDS: Readonly<Record<string, Type>> = { string: T.string, number: T.number, bool: T.bool, any: T.any };
const SPEC_HELP = 'A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).';
/** What each type constructor's single argument must be. */
const CONSTRUCTOR_ARGUMENT: Readonly<Record<string, string>> = {
  list: 'specifying the element type',
  set: 'specifying the element type',
  map: 'specifying the element type',
  object: 'specifying the attribute types as a map',
  tuple: 'specifying the element types as a list',
};

// Built here rather than with evaluate.ts's evalError: evaluate.ts imports this file (convert's type argument), and
// importing it back made an import cycle (issue 12).
const invalid = (detail: string, range: SourceRange): BakeFileError =>
  new BakeFileError({
    severity: 'error',
    summary: 'Invalid type specification',
    detail,
    range,
    fix: 'Write the type as a keyword such as string, or a constructor such as list(string).',
  });

/** hcl.ExprAsKeyword: a lone identifier, or one of the literal keywords. */
function keywordOf(e: Expr): string | undefined {
  if (e.kind === 'scopeTraversal' && e.steps.length === 0) return e.root;
  if (e.kind === 'literal' && (e.value === null || typeof e.value === 'boolean')) return String(e.value);
  return undefined;
}

/** The parentheses of a call, where typeexpr reports argument problems. */
function argsRange(call: Extract<Expr, { kind: 'functionCall' }>): SourceRange {
  return { filename: call.range.filename, start: call.nameRange.end, end: call.range.end };
}

export function typeFromExpr(expr: Expr): Type {
  const e = expr.kind === 'parens' ? expr.expr : expr;
  const keyword = keywordOf(e);
  if (keyword !== undefined) {
    const t = KEYWORDS[keyword];
    if (t) return t;
    const needs = CONSTRUCTOR_ARGUMENT[keyword];
    if (needs) throw invalid(`The ${keyword} type constructor requires one argument ${needs}.`, e.range);
    throw invalid(`The keyword "${keyword}" is not a valid type specification.`, e.range);
  }
  if (e.kind !== 'functionCall') throw invalid(SPEC_HELP, e.range);
  if (e.name in KEYWORDS) {
    const what = e.name === 'any' ? 'Type constraint keyword' : 'Primitive type keyword';
    throw invalid(`${what} "${e.name}" does not expect arguments.`, argsRange(e));
  }
  const needs = CONSTRUCTOR_ARGUMENT[e.name];
  const [arg, second] = e.args;
  if (needs && (!arg || second)) {
    const subject = second ? rangeBetween(second.range, (e.args[e.args.length - 1] as Expr).range) : argsRange(e);
    throw invalid(`The ${e.name} type constructor requires one argument ${needs}.`, subject);
  }
  switch (e.name) {
    case 'list':
      return T.list(typeFromExpr(arg as Expr));
    case 'set':
      return T.set(typeFromExpr(arg as Expr));
    case 'map':
      return T.map(typeFromExpr(arg as Expr));
    case 'tuple':
      if (arg?.kind !== 'tuple') throw invalid('Tuple type constructor requires a list of element types.', (arg as Expr).range);
      return T.tuple(arg.items.map(typeFromExpr));
    case 'object':
      return objectType(arg as Expr);
    case 'optional':
      throw invalid('Keyword "optional" is valid only as a modifier for object type attributes.', e.nameRange);
    default:
      throw invalid(`Keyword "${e.name}" is not a valid type constructor.`, e.range);
  }
}

function objectType(arg: Expr): Type {
  if (arg.kind !== 'object')
    throw invalid('Object type constructor requires a map whose keys are attribute names and whose values are the corresponding attribute types.', arg.range);
  const attrs: Record<string, Type> = {};
  const optional: string[] = [];
  for (const item of arg.items) {
    const key = keywordOf(item.key);
    if (key === undefined) throw invalid('Object constructor map keys must be attribute names.', item.key.range);
    let v = item.value;
    if (v.kind === 'functionCall' && v.name === 'optional') {
      const [inner, extra] = v.args;
      if (!inner) throw invalid('Optional attribute modifier requires the attribute type as its argument.', argsRange(v));
      if (extra) throw invalid('Optional attribute modifier expects only one argument: the attribute type.', argsRange(v));
      optional.push(key);
      v = inner;
    }
    attrs[key] = typeFromExpr(v);
  }
  return T.object(attrs, optional);
}

/** A type as it is written in a bake file: list(string), object({a=number}). */
export function typeExprText(t: Type): string {
  switch (t.kind) {
    case 'list':
    case 'set':
    case 'map':
      return `${t.kind}(${typeExprText(t.element)})`;
    case 'tuple':
      return `tuple([${t.elements.map(typeExprText).join(', ')}])`;
    case 'object':
      return `object({${Object.keys(t.attributes)
        .map((k) => `${k}=${typeExprText(t.attributes[k] as Type)}`)
        .join(', ')}})`;
    default:
      return friendlyTypeName(t) === 'any type' ? 'any' : t.kind;
  }
}
