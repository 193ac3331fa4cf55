/**
 * Where a reference cycle is reported: buildx reports it at the expression
 * whose reference closes it, the innermost one being evaluated for a
 * variable or a block attribute. Both kinds share one stack, since a cycle
 * may pass through both.
 */
import type { SourceRange } from '../../core/diagnostics.js';
import type { Expr } from '../hcl/ast.js';
import { evaluate } from '../expr/evaluate.js';
import type { Scope } from '../expr/scope.js';
import type { Value } from '../expr/value.js';

export class EvaluationStack {
  /** Expressions being evaluated for variables and block attributes, innermost last. */
  private readonly evaluating: Expr[] = [];

  /** Evaluates a variable's or attribute's expression, remembering it for cycle reports. */
  evaluate(expr: Expr, scope: Scope): Value {
    this.evaluating.push(expr);
    try {
      return evaluate(expr, scope);
    } finally {
      this.evaluating.pop();
    }
  }

  /** The range to report a cycle at: the innermost expression being evaluated, else `fallback`. */
  cycleSubject(fallback: SourceRange): SourceRange {
    return this.evaluating[this.evaluating.length - 1]?.range ?? fallback;
  }
}
