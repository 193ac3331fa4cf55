/**
 * User-defined functions (`function "name" { params = [...] variadic_params = x result = ... }`),
 * as buildx's userfunc: parameters accept any non-null value, the variadic one
 * receives the remaining arguments as a list, and the result is evaluated in
 * the file's global scope plus the parameters (never the caller's locals).
 */
import { BakeFileError } from '../../core/diagnostics.js';
import type { Expr } from '../hcl/ast.js';
import { rangeText } from '../hcl/range-text.js';
import { evalError } from './eval-error.js';
import { evaluate } from './evaluate.js';
import { FunctionError, type BakeFunction, type FunctionParam } from './function.js';
import type { Scope } from './scope.js';
import { T } from './types.js';
import type { Value } from './value.js';

export interface UserFunctionSource {
  readonly params: Expr;
  readonly variadic: Expr | undefined;
  readonly result: Expr;
}

/** The parameter names written in `params = [a, b]` (identifiers only). */
function paramNames(params: Expr): string[] {
  if (params.kind !== 'tuple') throw evalError('Invalid params', 'The params attribute must be a list of parameter names, like [a, b].', params.range);
  return params.items.map(keywordOf);
}

function keywordOf(e: Expr): string {
  if (e.kind === 'scopeTraversal' && e.steps.length === 0) return e.root;
  throw evalError('Invalid param element', 'Each parameter name must be an identifier.', e.range);
}

export function userFunction(source: UserFunctionSource, globalScope: () => Scope): BakeFunction {
  const names = paramNames(source.params);
  const variadicName = source.variadic ? keywordOf(source.variadic) : undefined;
  const params: FunctionParam[] = names.map((name) => ({ name, type: T.any }));
  return {
    params,
    ...(variadicName !== undefined ? { variadic: { name: variadicName, type: T.any } } : {}),
    call(args: readonly Value[]): Value {
      const locals = new Map<string, Value>();
      names.forEach((name, i) => locals.set(name, args[i] as Value));
      if (variadicName !== undefined) locals.set(variadicName, args.slice(names.length));
      try {
        return evaluate(source.result, globalScope().child(locals));
      } catch (e) {
        if (e instanceof BakeFileError) throw new FunctionError(diagnosticsText(e));
        throw e;
      }
    },
  };
}

/**
 * hcl.Diagnostics' Error(): a failure inside the body surfaces as the call's
 * error, `file:line,col-col: Summary; Detail`, as cty function errors do.
 */
function diagnosticsText(e: BakeFileError): string {
  const [first, ...rest] = e.diagnostics;
  const text = first ? `${first.range ? rangeText(first.range) : ''}: ${first.summary}; ${first.detail ?? ''}` : 'no diagnostics';
  return rest.length ? `${text}, and ${rest.length} other diagnostic(s)` : text;
}
