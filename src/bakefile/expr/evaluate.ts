/**
 * Evaluates HCL expressions with hclsyntax's semantics: operators as the cty
 * functions they are, conditionals with type unification, template rules,
 * traversal and splat behaviour, for-expressions, function calls with
 * cty-style argument conversion, and the expression-taking functions try,
 * can and convert. Errors are BakeFileErrors whose summary, detail and
 * position follow HCL's (buildx prints HCL's diagnostics; eval-error.ts).
 * Traversal steps on values are traverse.ts's, type unification unify.ts's.
 */
import { BakeFileError, rangeBetween, type SourceRange } from '../../core/diagnostics.js';
import type { BinaryOperator, Expr, ObjectItem, TemplatePart } from '../hcl/ast.js';
import { rangeText } from '../hcl/range-text.js';
import { evalError } from './eval-error.js';
import { FunctionError, type BakeFunction, type FunctionParam } from './function.js';
import { MAX_ITERATIONS, type Scope } from './scope.js';
import { STDLIB } from './stdlib/index.js';
import { applySteps, indexValue } from './traverse.js';
import { typeFromExpr } from './typeexpr.js';
import { ConversionError, convert, T, type Type } from './types.js';
import { describeMismatch, unifiedType } from './unify.js';
import { isList, isObject, makeObject, sortedKeys, typeName, valuesEqual, type Value } from './value.js';

/**
 * The longest string and list a template or function may make (issue 14).
 * Each can double a value per variable ("${v}${v}", concat(v, v)): 30
 * variables made V8 throw "Invalid string length" (reported as a bug in
 * bake) or filled memory for minutes. Far past any real bake file, and small
 * enough to print within bounded memory.
 */
export const MAX_STRING_LENGTH = 10_000_000;
export const MAX_LIST_LENGTH = 1_000_000;
/**
 * The most elements a list or object may hold through all its nesting, a
 * shared part counted each time it appears: `v = [u, u]` thirty times over
 * is a value of 2^30 elements though each list has two, and walking it
 * (jsonencode, flatten, ==) would not end.
 */
export const MAX_NESTED_ELEMENTS = 1_000_000;
const TOO_LARGE_FIX = 'Make the value smaller: a value built from another twice over (concat(v, v), "${v}${v}") doubles with each step.';

/** Elements of `v` through its nesting, up to just past the bound; remembered per list or object, so shared parts are counted once each. */
const nestedCounts = new WeakMap<object, number>();
function nestedElements(v: Value): number {
  if (!isList(v) && !isObject(v)) return 0;
  let n = nestedCounts.get(v);
  if (n === undefined) {
    n = 0;
    for (const x of isList(v) ? v : Object.values(v)) {
      n += 1 + nestedElements(x);
      if (n > MAX_NESTED_ELEMENTS) break;
    }
    nestedCounts.set(v, n);
  }
  return n;
}

/** The value, unless it is a string or list past the bounds: then an error at `range`. */
function bounded(v: Value, range: SourceRange): Value {
  if (typeof v === 'string' && v.length > MAX_STRING_LENGTH)
    throw evalError(
      'Value too large',
      `The string would be ${v.length} characters long, more than the ${MAX_STRING_LENGTH} bake allows.`,
      range,
      TOO_LARGE_FIX,
    );
  if (Array.isArray(v) && v.length > MAX_LIST_LENGTH)
    throw evalError('Value too large', `The list would have ${v.length} elements, more than the ${MAX_LIST_LENGTH} bake allows.`, range, TOO_LARGE_FIX);
  if (nestedElements(v) > MAX_NESTED_ELEMENTS)
    throw evalError(
      'Value too large',
      `The value would hold more than ${MAX_NESTED_ELEMENTS} elements through its nested lists and objects, the most bake allows.`,
      range,
      'Make the value smaller: a value holding another twice over ([v, v], {a = v, b = v}) doubles with each step.',
    );
  return v;
}

/** The name the anonymous splat symbol is bound to in the evaluation scope. */
const SPLAT_SYMBOL = '\u0000splat';

export function evaluate(expr: Expr, scope: Scope): Value {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'parens':
      return evaluate(expr.expr, scope);
    case 'template':
      return bounded(evalTemplateParts(expr.parts, scope), expr.range);
    case 'templateWrap':
      return evaluate(expr.wrapped, scope);
    case 'scopeTraversal': {
      const root = scope.lookup(expr.root, expr.rootRange);
      if (root === undefined) {
        throw evalError(
          'Unknown variable',
          `There is no variable named "${expr.root}".`,
          expr.rootRange,
          `Define it with a variable "${expr.root}" block, or check the spelling.`,
        );
      }
      return applySteps(root, expr.steps);
    }
    case 'relativeTraversal':
      return applySteps(evaluate(expr.source, scope), expr.steps);
    case 'index': {
      const collection = evaluate(expr.collection, scope);
      const key = evaluate(expr.key, scope);
      // HCL reports index errors at the brackets; the tree keeps no bracket range, so it is taken from the collection's end.
      return indexValue(collection, key, { filename: expr.range.filename, start: expr.collection.range.end, end: expr.range.end });
    }
    case 'functionCall':
      return evalCall(expr, scope);
    case 'conditional':
      return evalConditional(expr, scope);
    case 'unaryOp': {
      const fn = operatorFunction(expr.op === '!' ? 'not' : 'negate');
      const operand = operandValue(evaluate(expr.operand, scope), fn, 0, expr.operand.range, 'unary');
      return applyOperator(fn, [operand], expr.range, scope);
    }
    case 'binaryOp':
      return evalBinary(expr, scope);
    case 'tuple':
      return bounded(
        expr.items.map((item) => evaluate(item, scope)),
        expr.range,
      );
    case 'object':
      return bounded(evalObject(expr, scope), expr.range);
    case 'splat': {
      const source = evaluate(expr.source, scope);
      if (source === null) return [];
      const items = Array.isArray(source) ? source : [source];
      return items.map((item) => evaluate(expr.each, scope.child(new Map([[SPLAT_SYMBOL, item]]))));
    }
    case 'anonSymbol': {
      const v = scope.lookup(SPLAT_SYMBOL, expr.range);
      if (v === undefined) throw evalError('Invalid splat', 'The splat symbol is used outside a splat expression.', expr.range);
      return v;
    }
    case 'for':
      return bounded(evalFor(expr, scope), expr.range);
  }
}

function evalTemplateParts(parts: readonly TemplatePart[], scope: Scope): string {
  let out = '';
  for (const part of parts) {
    switch (part.kind) {
      case 'literal':
        out += part.value;
        break;
      case 'interp':
        out += templateString(evaluate(part.expr, scope), part.expr.range);
        break;
      case 'if': {
        // HCL parses %{if} as a conditional expression, so its errors are the conditional's.
        const branch = conditionValue(part.condition, scope) ? part.then : part.else;
        if (branch) out += evalTemplateParts(branch, scope);
        break;
      }
      case 'for':
        for (const [k, v] of iterate(evaluate(part.collection, scope), part.collection.range, scope)) {
          out += evalTemplateParts(part.body, scope.child(iteratorLocals(part, k, v)));
        }
        break;
    }
  }
  return out;
}

function templateString(v: Value, range: SourceRange): string {
  if (v === null) {
    throw evalError(
      'Invalid template interpolation value',
      'The expression result is null. Cannot include a null value in a string template.',
      range,
      'Give the value a default, e.g. with coalesce(), or remove the interpolation.',
    );
  }
  try {
    return convert(v, T.string) as string;
  } catch (e) {
    if (!(e instanceof ConversionError)) throw e;
    throw evalError(
      'Invalid template interpolation value',
      `Cannot include the given value in a string template: ${e.message}.`,
      range,
      `The value is a ${typeName(v)}; use join() or jsonencode() to make a string of it.`,
    );
  }
}

/** A conditional's condition (also a template %{if}'s) as a boolean. */
function conditionValue(condition: Expr, scope: Scope): boolean {
  const v = evaluate(condition, scope);
  if (v === null) throw evalError('Null condition', 'The condition value is null. Conditions must either be true or false.', condition.range);
  try {
    return convert(v, T.bool) as boolean;
  } catch (e) {
    if (!(e instanceof ConversionError)) throw e;
    throw evalError('Incorrect condition type', 'The condition expression must be of type bool.', condition.range);
  }
}

type Outcome = { readonly ok: true; readonly value: Value } | { readonly ok: false; readonly error: BakeFileError };

function attempt(expr: Expr, scope: Scope): Outcome {
  try {
    return { ok: true, value: evaluate(expr, scope) };
  } catch (e) {
    if (e instanceof BakeFileError) return { ok: false, error: e };
    throw e;
  }
}

/**
 * HCL evaluates both results, unifies their types (so `c ? 1 : "x"` is a
 * string either way), and only then the condition; the untaken result's
 * errors are dropped, and a result that failed or is null does not unify.
 */
function evalConditional(expr: Extract<Expr, { kind: 'conditional' }>, scope: Scope): Value {
  const whenTrue = attempt(expr.trueResult, scope);
  const whenFalse = attempt(expr.falseResult, scope);
  let type: Type = T.any;
  if (whenTrue.ok && whenFalse.ok && whenTrue.value !== null && whenFalse.value !== null) {
    const unified = unifiedType([whenTrue.value, whenFalse.value]);
    if (!unified) {
      throw evalError(
        'Inconsistent conditional result types',
        `The true and false result expressions must have consistent types. ${describeMismatch(whenTrue.value, whenFalse.value)}.`,
        rangeBetween(expr.trueResult.range, expr.falseResult.range),
        'Make both results the same type, e.g. convert one with tostring()-like functions or a for expression.',
      );
    }
    type = unified;
  }
  const chosen = conditionValue(expr.condition, scope) ? whenTrue : whenFalse;
  if (!chosen.ok) throw chosen.error;
  return convert(chosen.value, type);
}

/** The cty functions HCL's operators are (`a + b` is add(a, b)), so results and errors match. */
const OPERATOR_FUNCTIONS: Readonly<Record<Exclude<BinaryOperator, '==' | '!='>, string>> = {
  '&&': 'and',
  '||': 'or',
  '+': 'add',
  '-': 'subtract',
  '*': 'multiply',
  '/': 'divide',
  '%': 'modulo',
  '<': 'lessthan',
  '<=': 'lessthanorequalto',
  '>': 'greaterthan',
  '>=': 'greaterthanorequalto',
};

function operatorFunction(name: string): BakeFunction {
  return STDLIB.get(name) as BakeFunction;
}

type BinaryExpr = Extract<Expr, { kind: 'binaryOp' }>;

/**
 * A chain like 1+1+…+1 parses as a tree as deep as it is long, left side
 * first: its left spine is walked in a loop, so 5,000 terms (buildx takes
 * them) cost no stack (issue 14). HCL evaluates both sides of each operator
 * (no short circuit), left then right; so do we, for identical errors.
 */
function evalBinary(expr: BinaryExpr, scope: Scope): Value {
  const spine: BinaryExpr[] = [];
  let leftmost: Expr = expr;
  for (; leftmost.kind === 'binaryOp'; leftmost = leftmost.lhs) spine.push(leftmost);
  let value = evaluate(leftmost, scope);
  for (const node of spine.reverse()) value = applyBinary(node, value, evaluate(node.rhs, scope), scope);
  return value;
}

function applyBinary(expr: BinaryExpr, l: Value, r: Value, scope: Scope): Value {
  if (expr.op === '==') return valuesEqual(l, r);
  if (expr.op === '!=') return !valuesEqual(l, r);
  const fn = operatorFunction(OPERATOR_FUNCTIONS[expr.op]);
  const a = operandValue(l, fn, 0, expr.lhs.range, 'left');
  const b = operandValue(r, fn, 1, expr.rhs.range, 'right');
  return applyOperator(fn, [a, b], expr.range, scope);
}

function operandValue(v: Value, fn: BakeFunction, index: number, range: SourceRange, side: string): Value {
  try {
    return convert(v, (fn.params[index] as FunctionParam).type);
  } catch (e) {
    if (!(e instanceof ConversionError)) throw e;
    throw evalError('Invalid operand', `Unsuitable value for ${side} operand: ${e.message}.`, range);
  }
}

function applyOperator(fn: BakeFunction, args: readonly Value[], range: SourceRange, scope: Scope): Value {
  try {
    if (args.includes(null)) throw new FunctionError('argument must not be null');
    return fn.call(args, scope.root.world);
  } catch (e) {
    if (!(e instanceof FunctionError)) throw e;
    throw evalError('Operation failed', `Error during operation: ${e.message}.`, range);
  }
}

/** Iterates a collection as HCL's for-expressions do: lists by index, maps and objects by sorted key. */
function iterate(coll: Value, range: SourceRange, scope: Scope): Array<[Value, Value]> {
  if (coll === null) throw evalError('Iteration over null value', "A null value cannot be used as the collection in a 'for' expression.", range);
  const pairs: Array<[Value, Value]> | undefined = isList(coll)
    ? coll.map((v, i) => [i, v])
    : isObject(coll)
      ? sortedKeys(coll).map((k) => [k, coll[k] as Value])
      : undefined;
  if (!pairs)
    throw evalError('Iteration over non-iterable value', `A value of type ${typeName(coll)} cannot be used as the collection in a 'for' expression.`, range);
  if (!scope.iterate(pairs.length))
    throw evalError(
      'Too many iterations',
      `The 'for' expressions would run more than ${MAX_ITERATIONS} iterations in all.`,
      range,
      'Loop over fewer values: nested loops multiply their lengths.',
    );
  return pairs;
}

function iteratorLocals(loop: { readonly keyVar: string | undefined; readonly valueVar: string }, k: Value, v: Value): Map<string, Value> {
  const locals = new Map<string, Value>([[loop.valueVar, v]]);
  if (loop.keyVar !== undefined) locals.set(loop.keyVar, k);
  return locals;
}

/** Each element in turn: condition, then key, then value, as HCL orders its checks. */
function evalFor(expr: Extract<Expr, { kind: 'for' }>, scope: Scope): Value {
  const items: Value[] = [];
  const out = makeObject();
  const groups = new Map<string, Value[]>();
  for (const [k, v] of iterate(evaluate(expr.collection, scope), expr.collection.range, scope)) {
    const inner = scope.child(iteratorLocals(expr, k, v));
    if (expr.condition && !forCondition(expr.condition, inner)) continue;
    if (!expr.keyExpr) {
      items.push(evaluate(expr.valueExpr, inner));
      continue;
    }
    const key = forKey(evaluate(expr.keyExpr, inner), expr.keyExpr.range);
    const value = evaluate(expr.valueExpr, inner);
    if (expr.group) groups.set(key, [...(groups.get(key) ?? []), value]);
    else if (key in out) {
      throw evalError(
        'Duplicate object key',
        `Two different items produced the key "${key}" in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.`,
        expr.keyExpr.range,
      );
    } else out[key] = value;
  }
  if (!expr.keyExpr) return items;
  for (const [k, list] of groups) out[k] = list;
  return out;
}

function forCondition(condition: Expr, scope: Scope): boolean {
  const v = evaluate(condition, scope);
  if (v === null) throw evalError("Invalid 'for' condition", "The value of the 'if' clause must not be null.", condition.range);
  try {
    return convert(v, T.bool) as boolean;
  } catch (e) {
    if (!(e instanceof ConversionError)) throw e;
    throw evalError("Invalid 'for' condition", `The 'if' clause value is invalid: ${e.message}.`, condition.range);
  }
}

function forKey(key: Value, range: SourceRange): string {
  if (key === null) throw evalError('Invalid object key', "Key expression in 'for' expression must not produce a null value.", range);
  try {
    return convert(key, T.string) as string;
  } catch (e) {
    if (!(e instanceof ConversionError)) throw e;
    throw evalError('Invalid object key', `The key expression produced an invalid result: ${e.message}.`, range);
  }
}

/** HCL checks each item's key only after evaluating its value; a null key is reported at the value. */
function evalObject(expr: Extract<Expr, { kind: 'object' }>, scope: Scope): Value {
  const out = makeObject();
  for (const item of expr.items) {
    const key = objectKey(item, scope);
    const value = evaluate(item.value, scope);
    if (key === null) throw evalError('Null value as key', "Can't use a null value as a key.", item.value.range);
    try {
      out[convert(key, T.string) as string] = value;
    } catch (e) {
      if (!(e instanceof ConversionError)) throw e;
      throw evalError('Incorrect key type', `Can't use this value as a key: ${e.message}.`, item.key.range);
    }
  }
  return out;
}

/** A key as HCL's ObjectConsKeyExpr reads it: a bare name or keyword is its own text; `a.b` is ambiguous. */
function objectKey(item: ObjectItem, scope: Scope): Value {
  const { key } = item;
  if (key.kind === 'scopeTraversal' && key.steps.length > 0) {
    throw evalError(
      'Ambiguous attribute key',
      "If this expression is intended to be a reference, wrap it in parentheses. If it's instead intended as a literal name containing periods, wrap it in quotes to create a string literal.",
      key.range,
    );
  }
  if (item.keyIsBareName && key.kind === 'scopeTraversal') return key.root;
  if (key.kind === 'literal' && (key.value === null || typeof key.value === 'boolean')) return String(key.value);
  return evaluate(key, scope);
}

/** Functions the evaluator implements itself, because they take expressions rather than values. */
export const EVALUATOR_FUNCTIONS: ReadonlySet<string> = new Set(['try', 'can', 'convert']);

/** The `)` closing a call, where HCL reports missing arguments. */
function closeParen(call: Extract<Expr, { kind: 'functionCall' }>): SourceRange {
  const { end } = call.range;
  return { filename: call.range.filename, start: { line: end.line, column: end.column - 1, offset: end.offset - 1 }, end };
}

/** One argument of a call: its range, and its value computed when the call needs it (HCL checks arity first). */
interface Argument {
  readonly range: SourceRange;
  readonly value: () => Value;
}

function evalCall(expr: Extract<Expr, { kind: 'functionCall' }>, scope: Scope): Value {
  if (expr.name === 'try') return evalTry(expr, scope);
  if (expr.name === 'can') return evalCan(expr, scope);
  if (expr.name === 'convert') return evalConvert(expr, scope);
  const fn = scope.root.function(expr.name);
  if (!fn) {
    throw evalError(
      'Call to unknown function',
      `There is no function named "${expr.name}".`,
      expr.nameRange,
      'Check the spelling, or define it with a function block.',
    );
  }
  const args: Argument[] = expr.args.map((argExpr) => ({ range: argExpr.range, value: () => evaluate(argExpr, scope) }));
  const last = expr.args[expr.args.length - 1];
  if (expr.expandFinal && last) {
    const v = evaluate(last, scope);
    if (v === null) throw evalError('Invalid expanding argument value', 'The expanding argument (indicated by ...) must not be null.', last.range);
    if (!Array.isArray(v))
      throw evalError('Invalid expanding argument value', 'The expanding argument (indicated by ...) must be of a tuple, list, or set type.', last.range);
    args.splice(-1, 1, ...v.map((item: Value) => ({ range: last.range, value: () => item })));
  }
  return callFunction(expr, fn, args, scope);
}

/** Checks arity, converts arguments to parameter types, and calls, mapping errors to HCL's wording. */
function callFunction(call: Extract<Expr, { kind: 'functionCall' }>, fn: BakeFunction, args: readonly Argument[], scope: Scope): Value {
  const { name } = call;
  const { params, variadic } = fn;
  checkArity(
    call,
    params,
    variadic !== undefined,
    args.map((a) => a.range),
  );
  const paramAt = (i: number): FunctionParam => (params[i] ?? variadic) as FunctionParam;
  const values = args.map((arg, i) => {
    const v = arg.value();
    try {
      return convert(v, paramAt(i).type);
    } catch (e) {
      if (e instanceof ConversionError)
        throw evalError('Invalid function argument', `Invalid value for "${paramAt(i).name}" parameter: ${e.message}.`, arg.range);
      throw e;
    }
  });
  // Null arguments are refused by the call itself, after every argument converted.
  const nullAt = values.findIndex((v, i) => v === null && !paramAt(i).allowNull);
  if (nullAt >= 0)
    throw evalError(
      'Invalid function argument',
      `Invalid value for "${paramAt(nullAt).name}" parameter: argument must not be null.`,
      (args[nullAt] as Argument).range,
    );
  try {
    return bounded(fn.call(values, scope.root.world), call.range);
  } catch (e) {
    // Past what V8 can hold at all: a string or array longer than its maximum.
    if (e instanceof RangeError && /^Invalid (string|array) length$/.test(e.message))
      throw evalError('Value too large', `Call to function "${name}" failed: its result would be longer than bake can hold.`, call.range, TOO_LARGE_FIX);
    if (e instanceof FunctionError) {
      const param = e.argIndex !== undefined ? (params[e.argIndex] ?? variadic) : undefined;
      if (param)
        throw evalError(
          'Invalid function argument',
          `Invalid value for "${param.name}" parameter: ${e.message}.`,
          args[e.argIndex as number]?.range ?? call.range,
        );
      throw evalError('Error in function call', `Call to function "${name}" failed: ${e.message}.`, call.range);
    }
    if (e instanceof ConversionError) throw evalError('Error in function call', `Call to function "${name}" failed: ${e.message}.`, call.range);
    throw e;
  }
}

function signatureFix(name: string, params: readonly FunctionParam[], variadic: boolean): string {
  return `Call it as ${name}(${[...params.map((p) => p.name), ...(variadic ? ['...'] : [])].join(', ')}).`;
}

function checkArity(
  call: Extract<Expr, { kind: 'functionCall' }>,
  params: readonly FunctionParam[],
  variadic: boolean,
  argRanges: readonly SourceRange[],
): void {
  const missing = params[argRanges.length];
  if (missing) {
    throw evalError(
      'Not enough function arguments',
      `Function "${call.name}" expects${variadic ? ' at least' : ''} ${params.length} argument(s). Missing value for "${missing.name}".`,
      closeParen(call),
      signatureFix(call.name, params, variadic),
    );
  }
  const extra = argRanges[params.length];
  if (!variadic && extra)
    throw evalError(
      'Too many function arguments',
      `Function "${call.name}" expects only ${params.length} argument(s).`,
      extra,
      signatureFix(call.name, params, variadic),
    );
}

/** HCL's tryfunc: the first argument that evaluates without error, else every error in one message. */
function evalTry(expr: Extract<Expr, { kind: 'functionCall' }>, scope: Scope): Value {
  if (expr.args.length === 0) throw evalError('Error in function call', 'Call to function "try" failed: at least one argument is required.', expr.range);
  let failures = '';
  for (const arg of expr.args) {
    const outcome = attempt(arg, scope);
    if (outcome.ok) return outcome.value;
    for (const d of outcome.error.diagnostics) failures += `- ${d.summary}${d.range ? ` (at ${rangeText(d.range)})` : ''}\n  ${d.detail ?? ''}\n`;
  }
  throw evalError(
    'Error in function call',
    `Call to function "try" failed: no expression succeeded:\n${failures}\nAt least one expression must produce a successful result.`,
    expr.range,
  );
}

function evalCan(expr: Extract<Expr, { kind: 'functionCall' }>, scope: Scope): Value {
  checkArity(
    expr,
    [{ name: 'expression', type: T.any }],
    false,
    expr.args.map((a) => a.range),
  );
  return attempt(expr.args[0] as Expr, scope).ok;
}

/** HCL's typeexpr convert(value, type): the type argument is read as a type constraint, never evaluated. */
function evalConvert(expr: Extract<Expr, { kind: 'functionCall' }>, scope: Scope): Value {
  checkArity(
    expr,
    [
      { name: 'value', type: T.any },
      { name: 'type', type: T.any },
    ],
    false,
    expr.args.map((a) => a.range),
  );
  const [valueExpr, typeExpr] = expr.args as [Expr, Expr];
  const value = evaluate(valueExpr, scope);
  const type = typeFromExpr(typeExpr);
  try {
    return convert(value, type);
  } catch (e) {
    if (!(e instanceof ConversionError)) throw e;
    throw evalError('Invalid function argument', `Invalid value for "value" parameter: ${e.message}.`, valueExpr.range);
  }
}
