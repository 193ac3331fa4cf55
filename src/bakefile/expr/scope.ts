/**
 * Where names are looked up while evaluating: local variables (for-expression
 * iterators, matrix values, function parameters) in a chain of scopes, then a
 * root resolver that evaluates top-level variables and block references lazily,
 * as buildx's hclparser does with its progress/done bookkeeping.
 */
import type { SourceRange } from '../../core/diagnostics.js';
import type { BakeFunction, FunctionWorld } from './function.js';
import type { Value } from './value.js';

/** Resolves the names that are not local: variables, attributes, `target`, functions. */
export interface RootResolver {
  /** The value of a top-level name, or undefined when nothing by that name exists. */
  variable(name: string, range: SourceRange): Value | undefined;
  function(name: string): BakeFunction | undefined;
  readonly world: FunctionWorld;
}

/**
 * The for-expression iterations one evaluation may run (issue 14): three
 * nested loops over range(1024) are a billion, which ran for minutes and
 * filled memory. Far past any real bake file; about a second of work.
 */
export const MAX_ITERATIONS = 500_000;

export class Scope {
  private constructor(
    readonly root: RootResolver,
    private readonly locals: ReadonlyMap<string, Value>,
    private readonly parent: Scope | undefined,
    /** Shared by a root scope and all its children: the iterations the evaluation has run. */
    private readonly iterations: { count: number },
  ) {}

  static of(root: RootResolver): Scope {
    return new Scope(root, new Map(), undefined, { count: 0 });
  }

  /** A child scope with extra local names that shadow outer ones. */
  child(locals: ReadonlyMap<string, Value>): Scope {
    return new Scope(this.root, locals, this, this.iterations);
  }

  /** Counts a loop's iterations against MAX_ITERATIONS: false when the evaluation would pass it. */
  iterate(count: number): boolean {
    this.iterations.count += count;
    return this.iterations.count <= MAX_ITERATIONS;
  }

  lookup(name: string, range: SourceRange): Value | undefined {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- a walk up the scope chain from this scope, not a closure's copy of `this`
    for (let s: Scope | undefined = this; s; s = s.parent) {
      if (s.locals.has(name)) return s.locals.get(name);
    }
    return this.root.variable(name, range);
  }
}
