/**
 * User functions: `function` blocks (params, variadic_params, result). Each
 * is checked when defined, as buildx does: the functions and variables its
 * result uses must exist, and functions must not call back into themselves.
 */
import type { Attribute, Block } from '../hcl/ast.js';
import { evalError } from '../expr/eval-error.js';
import { EVALUATOR_FUNCTIONS } from '../expr/evaluate.js';
import type { BakeFunction } from '../expr/function.js';
import type { Scope } from '../expr/scope.js';
import { userFunction } from '../expr/userfunc.js';
import { functionCalls, rootNames } from '../hcl/walk.js';
import { attributeMap, unsupportedArgument } from './bodies.js';

export interface FunctionDef {
  readonly block: Block;
  readonly attrs: ReadonlyMap<string, Attribute>;
}

/** The user functions, each checked and made once on first call (or by run(), which makes every one). */
export class UserFunctions {
  /** Functions defined so far, by name. */
  private readonly resolved = new Map<string, BakeFunction>();
  /** Functions being defined, outermost first: a name met again closes a cycle. */
  private readonly resolving: string[] = [];

  /** Names resolve through `globalScope`'s root: a result may call the standard library and other user functions. */
  constructor(
    private readonly defs: ReadonlyMap<string, FunctionDef>,
    private readonly globalScope: Scope,
  ) {}

  /** The user function `name`, checked on first use, or undefined when no function block defines it. */
  get(name: string): BakeFunction | undefined {
    const done = this.resolved.get(name);
    if (done) return done;
    const def = this.defs.get(name);
    if (!def) return undefined;
    const params = def.attrs.get('params');
    const result = def.attrs.get('result');
    if (this.resolving.includes(name)) {
      // Reported, as buildx does, at the result that calls back into the cycle.
      const caller = this.defs.get(this.resolving[this.resolving.length - 1] as string) as FunctionDef;
      const path = [...this.resolving.slice(this.resolving.indexOf(name)), name].join(' → ');
      throw evalError(
        'Invalid expression',
        `function cycle not allowed for ${name}`,
        (caller.attrs.get('result') as Attribute).expr.range,
        `Break the cycle ${path}: functions cannot call themselves.`,
      );
    }
    // buildx reports a missing result or params at the params attribute, else at the label.
    const where = params?.range ?? def.block.labelRanges[0] ?? def.block.range;
    if (!result) throw evalError('Invalid function', `empty result not allowed for ${name}`, where, 'Add a result attribute to the function block.');
    if (!params)
      throw evalError(
        'Invalid function',
        `empty params not allowed for ${name}`,
        where,
        'Add params = [] (or a list of parameter names) to the function block.',
      );
    const fn = userFunction({ params: params.expr, variadic: def.attrs.get('variadic_params')?.expr, result: result.expr }, () => this.globalScope);
    this.resolving.push(name);
    try {
      // Resolve what the result uses now, so a missing name or a cycle is an error at definition, as in buildx.
      for (const called of functionCalls(result.expr)) {
        if (!EVALUATOR_FUNCTIONS.has(called) && !this.globalScope.root.function(called)) {
          throw evalError(
            'Invalid expression',
            `function "${called}" does not exist`,
            result.expr.range,
            'Check the spelling, or define it with a function block.',
          );
        }
      }
      const locals = new Set([...fn.params.map((p) => p.name), ...(fn.variadic ? [fn.variadic.name] : [])]);
      for (const [root, range] of rootNames(result.expr, locals)) {
        if (this.globalScope.root.variable(root, range) === undefined) {
          throw evalError(
            'Invalid expression',
            `variable "${root}" does not exist`,
            result.expr.range,
            `Define it with a variable "${root}" block, or make it a parameter.`,
          );
        }
      }
    } finally {
      this.resolving.pop();
    }
    this.resolved.set(name, fn);
    return fn;
  }
}

/** A `function` block as read: it may hold params, variadic_params and result only. */
export function readFunction(block: Block): FunctionDef {
  const attrs = attributeMap(block);
  for (const attr of attrs.values()) {
    if (!['params', 'variadic_params', 'result'].includes(attr.name))
      throw unsupportedArgument(
        attr,
        [
          { name: 'params', kind: 'stringList' },
          { name: 'variadic_params', kind: 'string' },
          { name: 'result', kind: 'string' },
        ],
        [...attrs.keys()],
      );
  }
  return { block, attrs };
}
