/**
 * Walking expression trees: what names an expression refers to and which
 * functions it calls, as hcl.Expression.Variables and buildx's funcCalls tell
 * them, for dependency and cycle checks before evaluation.
 */
import type { SourceRange } from '../../core/diagnostics.js';
import type { Expr, TemplatePart } from './ast.js';

/** Calls `visit` on every expression within `expr`, with the names its for-expressions bind there. */
function walkExpr(expr: Expr, visit: (e: Expr, locals: ReadonlySet<string>) => void, locals: ReadonlySet<string> = new Set()): void {
  visit(expr, locals);
  const walk = (e: Expr, inner: ReadonlySet<string> = locals): void => walkExpr(e, visit, inner);
  const bind = (outer: ReadonlySet<string>, loop: { readonly keyVar: string | undefined; readonly valueVar: string }): ReadonlySet<string> =>
    new Set([...outer, loop.valueVar, ...(loop.keyVar !== undefined ? [loop.keyVar] : [])]);
  const walkParts = (parts: readonly TemplatePart[], inner: ReadonlySet<string>): void => {
    for (const p of parts) {
      if (p.kind === 'interp') walkExpr(p.expr, visit, inner);
      else if (p.kind === 'if') {
        walkExpr(p.condition, visit, inner);
        walkParts(p.then, inner);
        walkParts(p.else ?? [], inner);
      } else if (p.kind === 'for') {
        walkExpr(p.collection, visit, inner);
        walkParts(p.body, bind(inner, p));
      }
    }
  };
  switch (expr.kind) {
    case 'functionCall':
      return expr.args.forEach((a) => walk(a));
    case 'template':
      return walkParts(expr.parts, locals);
    case 'templateWrap':
      return walk(expr.wrapped);
    case 'parens':
      return walk(expr.expr);
    case 'relativeTraversal':
      return walk(expr.source);
    case 'index':
      walk(expr.collection);
      return walk(expr.key);
    case 'conditional':
      walk(expr.condition);
      walk(expr.trueResult);
      return walk(expr.falseResult);
    case 'binaryOp': {
      // In the order recursion would take, but a long chain's left spine in a loop, so 1+1+…+1 costs no stack.
      const rights: Expr[] = [expr.rhs];
      let lhs = expr.lhs;
      for (; lhs.kind === 'binaryOp'; lhs = lhs.lhs) {
        visit(lhs, locals);
        rights.push(lhs.rhs);
      }
      walk(lhs);
      for (const rhs of rights.reverse()) walk(rhs);
      return;
    }
    case 'unaryOp':
      return walk(expr.operand);
    case 'tuple':
      return expr.items.forEach((i) => walk(i));
    case 'object':
      for (const item of expr.items) {
        // A bare-name key is its own text, not a reference.
        if (!item.keyIsBareName) walk(item.key);
        walk(item.value);
      }
      return;
    case 'splat':
      walk(expr.source);
      return walk(expr.each);
    case 'for': {
      walk(expr.collection);
      const inner = bind(locals, expr);
      if (expr.keyExpr) walk(expr.keyExpr, inner);
      walk(expr.valueExpr, inner);
      if (expr.condition) walk(expr.condition, inner);
      return;
    }
    default:
      return;
  }
}

/** Names of the functions an expression calls, for definition-time checks (buildx's funcCalls). */
export function functionCalls(expr: Expr): Set<string> {
  const out = new Set<string>();
  walkExpr(expr, (e) => {
    if (e.kind === 'functionCall') out.add(e.name);
  });
  return out;
}

/** The names an expression refers to outside `bound` and its own for-expressions (hcl.Expression.Variables). */
export function rootNames(expr: Expr, bound: ReadonlySet<string>): Map<string, SourceRange> {
  const out = new Map<string, SourceRange>();
  walkExpr(expr, (e, locals) => {
    if (e.kind === 'scopeTraversal' && !bound.has(e.root) && !locals.has(e.root) && !out.has(e.root)) out.set(e.root, e.rootRange);
  });
  return out;
}
