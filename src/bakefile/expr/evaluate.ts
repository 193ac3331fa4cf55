/**
 * Evaluates HCL expressions with hclsyntax's semantics: operator conversions,
 * template rules, traversal and splat behaviour, for-expressions, and function
 * calls with cty-style argument conversion. Errors are BakeFileErrors whose
 * summary and detail follow HCL's wording (buildx prints HCL's diagnostics).
 */
import { BakeFileError, type SourceRange } from '../../core/diagnostics.js';
import type { Expr, TemplatePart, Traverser } from '../hcl/ast.js';
import { FunctionError, type BakeFunction } from './function.js';
import type { Scope } from './scope.js';
import { ConversionError, convert, T, type Type } from './types.js';
import { formatNumber, isObject, makeObject, sortedKeys, typeName, valuesEqual, type Value } from './value.js';

/** The name the anonymous splat symbol is bound to in the evaluation scope. */
const SPLAT_SYMBOL = '\u0000splat';

export function evalError(summary: string, detail: string, range: SourceRange, fix?: string): BakeFileError {
  return new BakeFileError({ severity: 'error', summary, detail, range, ...(fix ? { fix } : {}) });
}

export function evaluate(expr: Expr, scope: Scope): Value {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'parens':
      return evaluate(expr.expr, scope);
    case 'template':
      return evalTemplateParts(expr.parts, scope);
    case 'templateWrap':
      return evaluate(expr.wrapped, scope);
    case 'scopeTraversal': {
      const root = scope.lookup(expr.root, expr.rootRange);
      if (root === undefined) {
        throw evalError('Unknown variable', `There is no variable named "${expr.root}".`, expr.rootRange, `Define it with a variable "${expr.root}" block, or check the spelling.`);
      }
      return applySteps(root, expr.steps);
    }
    case 'relativeTraversal':
      return applySteps(evaluate(expr.source, scope), expr.steps);
    case 'index':
      return indexValue(evaluate(expr.collection, scope), evaluate(expr.key, scope), expr.key.range);
    case 'functionCall':
      return evalCall(expr, scope);
    case 'conditional': {
      const cond = asBool(evaluate(expr.condition, scope), expr.condition.range, 'Null condition', 'Incorrect condition type', 'The condition value is null. Conditions must either be true or false.', 'The condition expression must be of type bool.');
      return evaluate(cond ? expr.trueResult : expr.falseResult, scope);
    }
    case 'unaryOp': {
      const v = evaluate(expr.operand, scope);
      if (expr.op === '!') return !asBool(v, expr.operand.range, 'Invalid operand', 'Invalid operand', 'Unsuitable value for unary operand: a bool is required.', 'Unsuitable value for unary operand: a bool is required.');
      return -asNumber(v, expr.operand.range, 'Unsuitable value for unary operand');
    }
    case 'binaryOp':
      return evalBinary(expr, scope);
    case 'tuple':
      return expr.items.map((item) => evaluate(item, scope));
    case 'object': {
      const out = makeObject();
      for (const item of expr.items) {
        const key = item.keyIsBareName && item.key.kind === 'scopeTraversal' ? item.key.root : evaluate(item.key, scope);
        if (key === null) throw evalError('Null value as key', "Can't use a null value as a key.", item.key.range);
        let keyString: Value;
        try {
          keyString = convert(key, T.string);
        } catch {
          throw evalError('Incorrect key type', `Can't use this value as a key: string required.`, item.key.range);
        }
        out[keyString as string] = evaluate(item.value, scope);
      }
      return out;
    }
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
      return evalFor(expr, scope);
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
        const cond = asBool(evaluate(part.condition, scope), part.condition.range, 'Invalid template if condition', 'Invalid template if condition', 'The condition value is null. Conditions must either be true or false.', 'The condition expression must be of type bool.');
        const branch = cond ? part.then : part.else;
        if (branch) out += evalTemplateParts(branch, scope);
        break;
      }
      case 'for':
        for (const [k, v] of iterate(evaluate(part.collection, scope), part.collection.range)) {
          const locals = new Map<string, Value>([[part.valueVar, v]]);
          if (part.keyVar !== undefined) locals.set(part.keyVar, k);
          out += evalTemplateParts(part.body, scope.child(locals));
        }
        break;
    }
  }
  return out;
}

function templateString(v: Value, range: SourceRange): string {
  if (v === null) {
    throw evalError('Invalid template interpolation value', 'The expression result is null. Cannot include a null value in a string template.', range, 'Give the value a default, e.g. with coalesce(), or remove the interpolation.');
  }
  try {
    return convert(v, T.string) as string;
  } catch {
    throw evalError('Invalid template interpolation value', `Cannot include the given value in a string template: string required.`, range, `The value is a ${typeName(v)}; use join() or jsonencode() to make a string of it.`);
  }
}

function asBool(v: Value, range: SourceRange, nullSummary: string, typeSummary: string, nullDetail: string, typeDetail: string): boolean {
  if (v === null) throw evalError(nullSummary, nullDetail, range);
  try {
    return convert(v, T.bool) as boolean;
  } catch {
    throw evalError(typeSummary, typeDetail, range);
  }
}

function asNumber(v: Value, range: SourceRange, what: string): number {
  if (v === null) throw evalError('Invalid operand', `${what}: a number is required.`, range);
  try {
    return convert(v, T.number) as number;
  } catch {
    throw evalError('Invalid operand', `${what}: a number is required.`, range);
  }
}

function evalBinary(expr: Extract<Expr, { kind: 'binaryOp' }>, scope: Scope): Value {
  const { op } = expr;
  if (op === '&&' || op === '||') {
    // HCL evaluates both sides (no short circuit); so do we, for identical errors.
    const l = evaluate(expr.lhs, scope);
    const r = evaluate(expr.rhs, scope);
    const lb = asBool(l, expr.lhs.range, 'Invalid operand', 'Invalid operand', 'Unsuitable value for left operand: a bool is required.', 'Unsuitable value for left operand: a bool is required.');
    const rb = asBool(r, expr.rhs.range, 'Invalid operand', 'Invalid operand', 'Unsuitable value for right operand: a bool is required.', 'Unsuitable value for right operand: a bool is required.');
    return op === '&&' ? lb && rb : lb || rb;
  }
  const l = evaluate(expr.lhs, scope);
  const r = evaluate(expr.rhs, scope);
  if (op === '==') return valuesEqual(l, r);
  if (op === '!=') return !valuesEqual(l, r);
  const a = asNumber(l, expr.lhs.range, 'Unsuitable value for left operand');
  const b = asNumber(r, expr.rhs.range, 'Unsuitable value for right operand');
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      if (b === 0) throw evalError('Operation failed', 'Error during operation: can\'t divide by zero.', expr.range);
      return a / b;
    case '%':
      if (b === 0) throw evalError('Operation failed', 'Error during operation: can\'t divide by zero.', expr.range);
      // cty's modulo keeps the sign of the dividend, like Go's math.Mod.
      return a % b;
  }
}

/** Iterates a collection as HCL's for-expressions do: lists by index, maps and objects by sorted key. */
function iterate(coll: Value, range: SourceRange): Array<[Value, Value]> {
  if (coll === null) throw evalError('Iteration over null value', 'A null value cannot be used as the collection in a \'for\' expression.', range);
  if (Array.isArray(coll)) return coll.map((v, i) => [i, v]);
  if (isObject(coll)) return sortedKeys(coll).map((k) => [k, coll[k] as Value]);
  throw evalError('Iteration over non-iterable value', `A value of type ${typeName(coll)} cannot be used as the collection in a 'for' expression.`, range);
}

function evalFor(expr: Extract<Expr, { kind: 'for' }>, scope: Scope): Value {
  const items: Array<{ key: Value; value: Value; range: SourceRange }> = [];
  for (const [k, v] of iterate(evaluate(expr.collection, scope), expr.collection.range)) {
    const locals = new Map<string, Value>([[expr.valueVar, v]]);
    if (expr.keyVar !== undefined) locals.set(expr.keyVar, k);
    const inner = scope.child(locals);
    if (expr.condition) {
      const keep = asBool(evaluate(expr.condition, inner), expr.condition.range, 'Condition is null', 'Invalid \'for\' condition', 'The value of the \'if\' clause must not be null.', 'The \'if\' clause value is invalid: bool required.');
      if (!keep) continue;
    }
    const key = expr.keyExpr ? evaluate(expr.keyExpr, inner) : null;
    items.push({ key, value: evaluate(expr.valueExpr, inner), range: expr.keyExpr?.range ?? expr.range });
  }
  if (!expr.keyExpr) return items.map((i) => i.value);
  const out = makeObject();
  const grouped = new Map<string, Value[]>();
  for (const item of items) {
    if (item.key === null) throw evalError('Invalid object key', 'Key expression in \'for\' expression must not produce a null value.', item.range);
    let key: string;
    try {
      key = convert(item.key, T.string) as string;
    } catch {
      throw evalError('Invalid object key', 'The key expression produced an invalid result: string required.', item.range);
    }
    if (expr.group) {
      const list = grouped.get(key) ?? [];
      list.push(item.value);
      grouped.set(key, list);
      continue;
    }
    if (key in out) {
      throw evalError('Duplicate object key', `Two different items produced the key "${key}" in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.`, item.range);
    }
    out[key] = item.value;
  }
  for (const [k, list] of grouped) out[k] = list;
  return out;
}

function applySteps(value: Value, steps: readonly Traverser[]): Value {
  let v = value;
  for (const step of steps) {
    v = step.kind === 'attr' ? getAttr(v, step.name, step.range) : indexValue(v, step.key, step.range);
  }
  return v;
}

export function getAttr(v: Value, name: string, range: SourceRange): Value {
  if (v === null) throw evalError('Attempt to get attribute from null value', 'This value is null, so it does not have any attributes.', range);
  if (isObject(v)) {
    if (!(name in v)) throw evalError('Unsupported attribute', `This object does not have an attribute named "${name}".`, range);
    return v[name] as Value;
  }
  if (Array.isArray(v)) {
    // Legacy index syntax `a.0` arrives as an index step; an attr on a list is a mistake.
    throw evalError('Unsupported attribute', `Can't access attributes on a list of objects. Did you mean to access attribute "${name}" for a specific element of the list, or across all elements of the list?`, range);
  }
  throw evalError('Unsupported attribute', `Can't access attributes on a primitive-typed value (${typeName(v)}).`, range);
}

export function indexValue(coll: Value, key: Value, range: SourceRange): Value {
  if (coll === null) throw evalError('Attempt to index null value', 'This value is null, so it does not have any indices.', range);
  if (key === null) throw evalError('Invalid index', "Can't use a null value as an indexing key.", range);
  if (Array.isArray(coll)) {
    let n: number;
    try {
      n = convert(key, T.number) as number;
    } catch {
      throw evalError('Invalid index', 'The given key does not identify an element in this collection value: a number is required.', range);
    }
    if (!Number.isInteger(n)) throw evalError('Invalid index', 'The given key does not identify an element in this collection value: indexing a sequence requires a whole number.', range);
    if (n < 0 || n >= coll.length) throw evalError('Invalid index', 'The given key does not identify an element in this collection value.', range);
    return coll[n] as Value;
  }
  if (isObject(coll)) {
    let k: string;
    try {
      k = convert(key, T.string) as string;
    } catch {
      throw evalError('Invalid index', 'The given key does not identify an element in this collection value: string required.', range);
    }
    if (!(k in coll)) throw evalError('Invalid index', `The given key does not identify an element in this collection value.`, range);
    return coll[k] as Value;
  }
  throw evalError('Invalid index', `This value does not have any indices.`, range);
}

function evalCall(expr: Extract<Expr, { kind: 'functionCall' }>, scope: Scope): Value {
  if (expr.name === 'try') return evalTry(expr, scope);
  if (expr.name === 'can') {
    if (expr.args.length !== 1 || expr.expandFinal) throw evalError('Invalid function argument', 'Function "can" expects exactly one argument.', expr.range);
    try {
      evaluate(expr.args[0] as Expr, scope);
      return true;
    } catch (e) {
      if (e instanceof BakeFileError) return false;
      throw e;
    }
  }
  const fn = scope.root.function(expr.name);
  if (!fn) {
    throw evalError('Call to unknown function', `There is no function named "${expr.name}".`, expr.nameRange, 'Check the spelling, or define it with a function block.');
  }
  const args: Value[] = [];
  const argRanges: SourceRange[] = [];
  expr.args.forEach((argExpr, i) => {
    const v = evaluate(argExpr, scope);
    if (expr.expandFinal && i === expr.args.length - 1) {
      if (v === null) throw evalError('Invalid expanding argument value', 'The expanding argument (indicated by ...) must not be null.', argExpr.range);
      if (!Array.isArray(v)) throw evalError('Invalid expanding argument value', 'The expanding argument (indicated by ...) must be of a tuple, list, or set type.', argExpr.range);
      for (const item of v) {
        args.push(item);
        argRanges.push(argExpr.range);
      }
      return;
    }
    args.push(v);
    argRanges.push(argExpr.range);
  });
  return callFunction(expr.name, fn, args, argRanges, expr.range, scope);
}

/** Checks arity, converts arguments to parameter types, and calls, mapping errors to HCL's wording. */
export function callFunction(name: string, fn: BakeFunction, args: readonly Value[], argRanges: readonly SourceRange[], callRange: SourceRange, scope: Scope): Value {
  const { params, variadic } = fn;
  if (args.length < params.length) {
    const missing = params[args.length] as { name: string };
    throw evalError('Not enough function arguments', `Function "${name}" expects ${params.length} argument(s). Missing value for "${missing.name}".`, callRange);
  }
  if (!variadic && args.length > params.length) {
    throw evalError('Too many function arguments', `Function "${name}" expects only ${params.length} argument(s).`, argRanges[params.length] ?? callRange);
  }
  const converted = args.map((arg, i) => {
    const param = (params[i] ?? variadic) as { name: string; type: Type; allowNull?: boolean };
    const range = argRanges[i] ?? callRange;
    if (arg === null && !param.allowNull) {
      throw evalError('Invalid function argument', `Invalid value for "${param.name}" parameter: argument must not be null.`, range);
    }
    try {
      return convert(arg, param.type);
    } catch (e) {
      if (e instanceof ConversionError) throw evalError('Invalid function argument', `Invalid value for "${param.name}" parameter: ${e.message}.`, range);
      throw e;
    }
  });
  try {
    return fn.call(converted, scope.root.world);
  } catch (e) {
    if (e instanceof FunctionError) {
      const range = e.argIndex !== undefined ? (argRanges[e.argIndex] ?? callRange) : callRange;
      const param = e.argIndex !== undefined ? (params[e.argIndex] ?? variadic) : undefined;
      if (param) throw evalError('Invalid function argument', `Invalid value for "${param.name}" parameter: ${e.message}.`, range);
      throw evalError('Error in function call', `Call to function "${name}" failed: ${e.message}.`, callRange);
    }
    if (e instanceof ConversionError) throw evalError('Error in function call', `Call to function "${name}" failed: ${e.message}.`, callRange);
    throw e;
  }
}

function evalTry(expr: Extract<Expr, { kind: 'functionCall' }>, scope: Scope): Value {
  if (expr.args.length === 0) throw evalError('Not enough function arguments', 'Function "try" expects at least one argument.', expr.range);
  const errors: string[] = [];
  for (const arg of expr.args) {
    try {
      return evaluate(arg, scope);
    } catch (e) {
      if (!(e instanceof BakeFileError)) throw e;
      errors.push(e.message);
    }
  }
  throw evalError('Error in function call', `Call to function "try" failed: no expression succeeded:\n- ${errors.join('\n- ')}\n\nAt least one expression must produce a successful result.`, expr.range);
}

/** Converts a value to a type for an attribute or variable, with the detail HCL gives ("string required"). */
export function convertForAttribute(v: Value, type: Type, range: SourceRange, summary: string): Value {
  try {
    return convert(v, type);
  } catch (e) {
    if (!(e instanceof ConversionError)) throw e;
    const where = e.path.length ? ` at ${e.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}` : '';
    throw evalError(summary, `${e.message}${where}.`, range);
  }
}

/** The string form of a value for a message: `"x"`, `1`, `true`, `null`, or its JSON. */
export function describeValue(v: Value): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return formatNumber(v);
  return JSON.stringify(v);
}

