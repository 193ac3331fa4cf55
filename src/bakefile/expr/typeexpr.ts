/**
 * Reads a type constraint written as an expression (`type = list(string)`),
 * statically, as HCL's typeexpr extension does: keywords and constructor
 * calls only, never evaluated.
 */
import type { Expr } from '../hcl/ast.js';
import { evalError } from './evaluate.js';
import { T, type Type } from './types.js';

const KEYWORDS: Readonly<Record<string, Type>> = { string: T.string, number: T.number, bool: T.bool, any: T.any };
const SPEC_HELP = 'A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).';

export function typeFromExpr(expr: Expr): Type {
  const e = expr.kind === 'parens' ? expr.expr : expr;
  if (e.kind === 'scopeTraversal' && e.steps.length === 0) {
    const t = KEYWORDS[e.root];
    if (t) return t;
    if (['list', 'map', 'set', 'tuple', 'object'].includes(e.root)) {
      throw evalError('Invalid type specification', `The ${e.root} type constructor requires one argument specifying the element type.`, e.range);
    }
    throw evalError('Invalid type specification', `The keyword "${e.root}" is not a valid type specification.`, e.range);
  }
  if (e.kind !== 'functionCall') throw evalError('Invalid type specification', SPEC_HELP, e.range, 'Write the type as a keyword such as string, not as a quoted string or expression.');
  const arg = e.args[0];
  if (e.args.length !== 1 || !arg) throw evalError('Invalid type specification', `The ${e.name} type constructor requires one argument.`, e.range);
  switch (e.name) {
    case 'list':
      return T.list(typeFromExpr(arg));
    case 'set':
      return T.set(typeFromExpr(arg));
    case 'map':
      return T.map(typeFromExpr(arg));
    case 'tuple': {
      if (arg.kind !== 'tuple') throw evalError('Invalid type specification', 'The tuple type constructor requires a list of element types.', arg.range);
      return T.tuple(arg.items.map(typeFromExpr));
    }
    case 'object': {
      if (arg.kind !== 'object') throw evalError('Invalid type specification', 'The object type constructor requires an object of attribute types.', arg.range);
      const attrs: Record<string, Type> = {};
      const optional: string[] = [];
      for (const item of arg.items) {
        const key = item.key.kind === 'scopeTraversal' ? item.key.root : item.key.kind === 'template' && item.key.parts.length === 1 && item.key.parts[0]?.kind === 'literal' ? item.key.parts[0].value : undefined;
        if (key === undefined) throw evalError('Invalid type specification', 'Object type attribute names must be identifiers or quoted strings.', item.key.range);
        const v = item.value;
        if (v.kind === 'functionCall' && v.name === 'optional' && v.args[0]) {
          attrs[key] = typeFromExpr(v.args[0]);
          optional.push(key);
        } else {
          attrs[key] = typeFromExpr(v);
        }
      }
      return T.object(attrs, optional);
    }
    default:
      throw evalError('Invalid type specification', `Keyword "${e.name}" is not a valid type constructor.`, e.nameRange);
  }
}
