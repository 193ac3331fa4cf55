/**
 * The HCL expression evaluator against hclsyntax's semantics: operators and
 * their cty conversions, conditionals with type unification, templates and
 * directives, for-expressions, splats, traversals, function calls, try/can,
 * convert and type expressions, user functions. Every error is checked for
 * HCL's summary, detail and the position HCL reports it at.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BakeFileError, type Diagnostic } from '../../src/core/diagnostics.js';
import { parseExpression } from '../../src/bakefile/hcl/parser.js';
import { evaluate } from '../../src/bakefile/expr/evaluate.js';
import { Scope, type RootResolver } from '../../src/bakefile/expr/scope.js';
import { STDLIB } from '../../src/bakefile/expr/stdlib/index.js';
import { userFunction } from '../../src/bakefile/expr/userfunc.js';
import type { BakeFunction } from '../../src/bakefile/expr/function.js';
import { isObject, makeObject, type Value } from '../../src/bakefile/expr/value.js';
import { evaluateSources, printDefinition } from '../../src/bakefile/pipeline.js';
import { FIXED_WORLD } from '../support/fixed-world.js';

/** Variables every expression below can use. */
const VARS: Record<string, Value> = {
  n: null,
  s: 'str',
  num: 5,
  yes: true,
  l: ['a', 'b'],
  nums: [3, 1, 2],
  empty: [],
  o: makeObject([
    ['a', 1],
    ['b', makeObject([['c', 2]])],
  ]),
  objs: [makeObject([['a', 1]]), makeObject([['a', 2]])],
  words: makeObject([
    ['x', 'one'],
    ['y', 'two'],
  ]),
};

/** User functions, defined as bake files define them. */
const USER_FUNCTIONS: Record<string, { params: string; variadic?: string; result: string }> = {
  inc: { params: '[x]', result: 'x + 1' },
  greet: { params: '[greeting]', variadic: 'names', result: '"${greeting} ${join(",", names)}"' },
  count: { params: '[]', variadic: 'items', result: 'length(items)' },
  broken: { params: '[x]', result: 'x.missing' },
  usesvar: { params: '[x]', result: '"${s}-${x}"' },
};

function root(): RootResolver {
  const fns = new Map<string, BakeFunction>();
  const self: RootResolver = {
    variable: (name) => (name in VARS ? VARS[name] : undefined),
    function: (name) => STDLIB.get(name) ?? fns.get(name),
    world: { now: () => new Date('2026-01-02T03:04:05Z'), homedir: () => '/home/tester' },
  };
  for (const [name, def] of Object.entries(USER_FUNCTIONS)) {
    const fn = userFunction(
      {
        params: parseExpression('fn.hcl', def.params),
        variadic: def.variadic === undefined ? undefined : parseExpression('fn.hcl', def.variadic),
        result: parseExpression('fn.hcl', def.result),
      },
      () => Scope.of(self),
    );
    fns.set(name, fn);
  }
  return self;
}

function ev(text: string): Value {
  return evaluate(parseExpression('expr.hcl', text), Scope.of(root()));
}

/** Plain JS data for deepEqual (Values are null-prototype objects). */
function plain(v: Value): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function diagnostic(fn: () => unknown): Diagnostic {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof BakeFileError, `expected a BakeFileError, got ${String(e)}`);
    return e.diagnostics[0] as Diagnostic;
  }
  assert.fail('expected an error');
}

/** [expression, expected value] */
type ValueCase = readonly [string, unknown];
/** [expression, summary, detail, [line, column, endColumn]] */
type ErrorCase = readonly [string, string, string, readonly [number, number, number]];

function values(name: string, cases: readonly ValueCase[]): void {
  test(name, () => {
    for (const [text, want] of cases) assert.deepEqual(plain(ev(text)), want, text);
  });
}

function errors(name: string, cases: readonly ErrorCase[]): void {
  test(name, () => {
    for (const [text, summary, detail, [line, column, endColumn]] of cases) {
      const d = diagnostic(() => ev(text));
      assert.deepEqual(
        [d.summary, d.detail, d.range?.filename, d.range?.start.line, d.range?.start.column, d.range?.end.column],
        [summary, detail, 'expr.hcl', line, column, endColumn],
        text,
      );
    }
  });
}

// ---- operators ------------------------------------------------------------------------------

values('arithmetic follows precedence and cty number conversion', [
  ['1 + 2 * 3', 7],
  ['(1 + 2) * 3', 9],
  ['10 - 4 - 3', 3],
  ['2 * 3 % 4', 2],
  ['7 / 2', 3.5],
  ['-1 - -1', 0],
  ['"1" + 1', 2],
  ['"2.5" * "2"', 5],
  ['num % 3', 2],
  ['5 % -3', 2],
  ['-5 % 3', -2],
  ['5.5 % 2', 1.5],
  ['5 % 0', 5],
  ['1 / 0', Infinity],
  ['-"2"', -2],
]);

values('comparison and equality', [
  ['1 < 2 == true', true],
  ['3 > "2"', true],
  ['"10" < "9"', false],
  ['1 <= 1', true],
  ['2 >= 3', false],
  ['1 == 1.0', true],
  ['1 == "1"', false],
  ['"1" == 1', false],
  ['true == "true"', false],
  ['1 != "1"', true],
  ['null == null', true],
  ['n == null', true],
  ['"" == null', false],
  ['[1, 2] == [1, 2]', true],
  ['[1, 2] == [2, 1]', false],
  ['{a = 1} == {a = 1}', true],
  ['{} == {}', true],
  ['l == ["a", "b"]', true],
]);

values('logic converts operands to bool and evaluates both sides', [
  ['true && false', false],
  ['true || false', true],
  ['!true == false', true],
  ['"true" && true', true],
  ['"false" || "true"', true],
  ['!"false"', true],
  ['1 + 2 > 2 && 3 < 4 || false', true],
  ['false && true || true', true],
]);

errors('operator errors', [
  ['"a" && true', 'Invalid operand', 'Unsuitable value for left operand: a bool is required.', [1, 1, 4]],
  ['true || 1', 'Invalid operand', 'Unsuitable value for right operand: bool required.', [1, 9, 10]],
  ['true + 1', 'Invalid operand', 'Unsuitable value for left operand: number required.', [1, 1, 5]],
  ['"x" * 2', 'Invalid operand', 'Unsuitable value for left operand: a number is required.', [1, 1, 4]],
  ['1 - [1]', 'Invalid operand', 'Unsuitable value for right operand: number required.', [1, 5, 8]],
  ['!"maybe"', 'Invalid operand', 'Unsuitable value for unary operand: a bool is required.', [1, 2, 9]],
  ['-l', 'Invalid operand', 'Unsuitable value for unary operand: number required.', [1, 2, 3]],
  ['null + 1', 'Operation failed', 'Error during operation: argument must not be null.', [1, 1, 9]],
  ['1 < n', 'Operation failed', 'Error during operation: argument must not be null.', [1, 1, 6]],
  ['true && null', 'Operation failed', 'Error during operation: argument must not be null.', [1, 1, 13]],
  ['!n', 'Operation failed', 'Error during operation: argument must not be null.', [1, 1, 3]],
  ['0 / 0', 'Operation failed', "Error during operation: can't divide zero by zero or infinity by infinity.", [1, 1, 6]],
  // Both sides are evaluated before either is converted: the left's own error comes first.
  ['o.x && s.y', 'Unsupported attribute', 'This object does not have an attribute named "x".', [1, 2, 4]],
  ['1 + s.y', 'Unsupported attribute', "Can't access attributes on a primitive-typed value (string).", [1, 6, 8]],
]);

// ---- conditionals ---------------------------------------------------------------------------

values('conditionals unify their result types', [
  ['true ? 1 : 2', 1],
  ['"true" ? "a" : "b"', 'a'],
  ['true ? 1 : "x"', '1'],
  ['false ? 1 : "x"', 'x'],
  ['true ? true : "x"', 'true'],
  ['true ? null : 1', null],
  ['false ? "a" : null', null],
  ['true ? {a = 1} : {}', { a: 1 }],
  ['true ? {a = 1} : {a = "x"}', { a: '1' }],
  ['true ? [1, "a"] : []', ['1', 'a']],
  ['true ? [1] : ["a"]', ['1']],
  // The untaken result's errors are dropped.
  ['false ? o.x : 1', 1],
  ['true ? 1 : o.x', 1],
]);

errors('conditional errors', [
  ['null ? 1 : 2', 'Null condition', 'The condition value is null. Conditions must either be true or false.', [1, 1, 5]],
  ['"maybe" ? 1 : 2', 'Incorrect condition type', 'The condition expression must be of type bool.', [1, 1, 8]],
  ['l ? 1 : 2', 'Incorrect condition type', 'The condition expression must be of type bool.', [1, 1, 2]],
  ['true ? o.x : 1', 'Unsupported attribute', 'This object does not have an attribute named "x".', [1, 9, 11]],
  [
    'false ? 1 : true',
    'Inconsistent conditional result types',
    "The true and false result expressions must have consistent types. The 'true' value is number, but the 'false' value is bool.",
    [1, 9, 17],
  ],
  [
    'true ? {a = 1} : {b = true}',
    'Inconsistent conditional result types',
    "The true and false result expressions must have consistent types. The 'true' value includes object attribute \"a\", which is absent in the 'false' value.",
    [1, 8, 28],
  ],
  [
    'true ? [1] : [true, 2]',
    'Inconsistent conditional result types',
    "The true and false result expressions must have consistent types. The 'true' tuple has length 1, but the 'false' tuple has length 2.",
    [1, 8, 23],
  ],
  [
    'true ? {a = [1]} : {a = [true]}',
    'Inconsistent conditional result types',
    "The true and false result expressions must have consistent types. Type mismatch for object attribute \"a\": Type mismatch for tuple element 0: The 'true' value is number, but the 'false' value is bool.",
    [1, 8, 32],
  ],
  [
    'true ? "x" : [1]',
    'Inconsistent conditional result types',
    "The true and false result expressions must have consistent types. The 'true' value is string, but the 'false' value is tuple.",
    [1, 8, 17],
  ],
]);

// ---- templates ------------------------------------------------------------------------------

values('templates and directives', [
  ['"a${1 + 1}b"', 'a2b'],
  ['"${num} ${yes} ${1.50} ${1e3}"', '5 true 1.5 1000'],
  ['"${s}"', 'str'],
  // A lone interpolation yields the value itself, not a string.
  ['"${l}"', ['a', 'b']],
  ['"${n}"', null],
  ['"${num}"', 5],
  ['"%{if yes}on%{else}off%{endif}"', 'on'],
  ['"%{if "false"}on%{else}off%{endif}"', 'off'],
  ['"%{if false}on%{endif}!"', '!'],
  ['"%{for x in l}${x},%{endfor}"', 'a,b,'],
  ['"%{for i, x in l}${i}=${x};%{endfor}"', '0=a;1=b;'],
  ['"%{for k, v in words}${k}:${v} %{endfor}"', 'x:one y:two '],
  ['"a %{~if true~} b %{~endif~} c"', 'abc'],
  ['"[ %{~for x in l~} ${x} %{~endfor~} ]"', '[ab]'],
  ['"%{for x in empty}x%{endfor}"', ''],
  ['"$${literal} %%{literal}"', '${literal} %{literal}'],
]);

errors('template errors', [
  ['"a${n}"', 'Invalid template interpolation value', 'The expression result is null. Cannot include a null value in a string template.', [1, 5, 6]],
  ['"a${l}"', 'Invalid template interpolation value', 'Cannot include the given value in a string template: string required.', [1, 5, 6]],
  ['"a${o}b"', 'Invalid template interpolation value', 'Cannot include the given value in a string template: string required.', [1, 5, 6]],
  ['"%{if n}x%{endif}"', 'Null condition', 'The condition value is null. Conditions must either be true or false.', [1, 7, 8]],
  ['"%{if "x"}x%{endif}"', 'Incorrect condition type', 'The condition expression must be of type bool.', [1, 7, 10]],
  ['"%{for x in n}x%{endfor}"', 'Iteration over null value', "A null value cannot be used as the collection in a 'for' expression.", [1, 13, 14]],
  [
    '"%{for x in s}x%{endfor}"',
    'Iteration over non-iterable value',
    "A value of type string cannot be used as the collection in a 'for' expression.",
    [1, 13, 14],
  ],
]);

// ---- for expressions ------------------------------------------------------------------------

values('for expressions over lists, maps and objects', [
  ['[for x in l : upper(x)]', ['A', 'B']],
  ['[for i, x in l : "${i}${x}"]', ['0a', '1b']],
  ['[for x in nums : x if x > 1]', [3, 2]],
  ['[for k, v in {b = 1, a = 2} : k]', ['a', 'b']],
  ['[for v in {b = 1, a = 2} : v]', [2, 1]],
  ['{for k, v in words : v => k}', { one: 'x', two: 'y' }],
  ['{for x in l : x => upper(x)}', { a: 'A', b: 'B' }],
  ['{for x in nums : x => x * 2 if x != 1}', { '3': 6, '2': 4 }],
  ['{for x in ["a", "b", "a"] : x => x...}', { a: ['a', 'a'], b: ['b'] }],
  ['{for i, x in ["a", "b", "a"] : x => i...}', { a: [0, 2], b: [1] }],
  ['{for x in empty : x => x}', {}],
  ['[for x in empty : x]', []],
  // Iterator names shadow outer names only inside the expression.
  ['[for s in l : s]', ['a', 'b']],
  ['[for x in [[1, 2], [3]] : [for y in x : y * 10]]', [[10, 20], [30]]],
]);

errors('for expression errors', [
  [
    '{for x in ["a", "a"] : x => 1}',
    'Duplicate object key',
    'Two different items produced the key "a" in this \'for\' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.',
    [1, 24, 25],
  ],
  ['[for x in n : x]', 'Iteration over null value', "A null value cannot be used as the collection in a 'for' expression.", [1, 11, 12]],
  ['[for x in num : x]', 'Iteration over non-iterable value', "A value of type number cannot be used as the collection in a 'for' expression.", [1, 11, 14]],
  ['[for x in l : x if x]', "Invalid 'for' condition", "The 'if' clause value is invalid: a bool is required.", [1, 20, 21]],
  ['[for x in l : x if n]', "Invalid 'for' condition", "The value of the 'if' clause must not be null.", [1, 20, 21]],
  ['{for x in [null] : x => 1}', 'Invalid object key', "Key expression in 'for' expression must not produce a null value.", [1, 20, 21]],
  ['{for x in [[1]] : x => 1}', 'Invalid object key', 'The key expression produced an invalid result: string required.', [1, 19, 20]],
  // Each element is checked in turn: the first element's bad key comes before the second's bad value.
  ['{for x in [null, "a"] : x => x.y}', 'Invalid object key', "Key expression in 'for' expression must not produce a null value.", [1, 25, 26]],
]);

// ---- collections, splats and traversals -----------------------------------------------------

values('object constructors', [
  ['{a = 1, "b c" = 2}', { a: 1, 'b c': 2 }],
  ['{(s) = 1}', { str: 1 }],
  ['{null = 1, true = 2, false = 3}', { null: 1, true: 2, false: 3 }],
  ['{(num) = "five"}', { '5': 'five' }],
  ['{a = 1, a = 2}', { a: 2 }],
]);

errors('object constructor errors', [
  [
    '{a.b = 1}',
    'Ambiguous attribute key',
    "If this expression is intended to be a reference, wrap it in parentheses. If it's instead intended as a literal name containing periods, wrap it in quotes to create a string literal.",
    [1, 2, 5],
  ],
  // A null key is reported at the value, after the value is evaluated.
  ['{(n) = 1}', 'Null value as key', "Can't use a null value as a key.", [1, 8, 9]],
  ['{(n) = o.x}', 'Unsupported attribute', 'This object does not have an attribute named "x".', [1, 9, 11]],
  ['{(l) = 1}', 'Incorrect key type', "Can't use this value as a key: string required.", [1, 2, 5]],
]);

values('splats on lists, null and single values', [
  ['objs[*].a', [1, 2]],
  ['objs.*.a', [1, 2]],
  ['l[*]', ['a', 'b']],
  ['n[*]', []],
  ['n[*].a', []],
  ['s[*]', ['str']],
  ['o[*].a', [1]],
  ['o.*.b.c', [2]],
  ['empty[*].a', []],
]);

values('indexing and attributes', [
  ['l[0]', 'a'],
  ['l["1"]', 'b'],
  ['l[1.0]', 'b'],
  ['o.b.c', 2],
  ['o["b"]["c"]', 2],
  ['o.b["c"]', 2],
  ['words[l[0] == "a" ? "x" : "y"]', 'one'],
  ['[10, 20, 30][num - 4]', 20],
  ['{a = {b = [1, 2]}}.a.b[1]', 2],
]);

errors('indexing and attribute errors', [
  ['o.x', 'Unsupported attribute', 'This object does not have an attribute named "x".', [1, 2, 4]],
  ['o.b.x', 'Unsupported attribute', 'This object does not have an attribute named "x".', [1, 4, 6]],
  ['l.x', 'Unsupported attribute', 'This value does not have any attributes.', [1, 2, 4]],
  ['s.x', 'Unsupported attribute', "Can't access attributes on a primitive-typed value (string).", [1, 2, 4]],
  ['num.x', 'Unsupported attribute', "Can't access attributes on a primitive-typed value (number).", [1, 4, 6]],
  ['n.x', 'Attempt to get attribute from null value', 'This value is null, so it does not have any attributes.', [1, 2, 4]],
  ['n[0]', 'Attempt to index null value', 'This value is null, so it does not have any indices.', [1, 2, 5]],
  ['l[n]', 'Invalid index', "Can't use a null value as an indexing key.", [1, 2, 5]],
  [
    'l[2]',
    'Invalid index',
    'The given key does not identify an element in this collection value: the given index is greater than or equal to the length of the collection.',
    [1, 2, 5],
  ],
  [
    'l[-1]',
    'Invalid index',
    'The given key does not identify an element in this collection value: a negative number is not a valid index for a sequence.',
    [1, 2, 6],
  ],
  [
    'l[1.5]',
    'Invalid index',
    'The given key does not identify an element in this collection value: indexing a sequence requires a whole number, but the given index has a fractional part.',
    [1, 2, 7],
  ],
  [
    'l[9007199254740993]',
    'Invalid index',
    'The given key does not identify an element in this collection value: the given index is greater than or equal to the length of the collection.',
    [1, 2, 20],
  ],
  [
    'l[1e-400]',
    'Invalid index',
    'The given key does not identify an element in this collection value: indexing a sequence requires a whole number, but the given index has a fractional part.',
    [1, 2, 10],
  ],
  ['l["x"]', 'Invalid index', 'The given key does not identify an element in this collection value: a number is required.', [1, 2, 7]],
  ['empty[0]', 'Invalid index', 'The given key does not identify an element in this collection value: the collection has no elements.', [1, 6, 9]],
  ['o["zz"]', 'Invalid index', 'The given key does not identify an element in this collection value.', [1, 2, 8]],
  [
    'o[1]',
    'Invalid index',
    'The given key does not identify an element in this collection value. An object only supports looking up attributes by name, not by numeric index.',
    [1, 2, 5],
  ],
  ['o[l]', 'Invalid index', 'The given key does not identify an element in this collection value: string required.', [1, 2, 5]],
  ['s[0]', 'Invalid index', 'This value does not have any indices.', [1, 2, 5]],
  // A computed key is reported at the brackets.
  [
    'l[num]',
    'Invalid index',
    'The given key does not identify an element in this collection value: the given index is greater than or equal to the length of the collection.',
    [1, 2, 7],
  ],
  ['missing', 'Unknown variable', 'There is no variable named "missing".', [1, 1, 8]],
  ['missing.x', 'Unknown variable', 'There is no variable named "missing".', [1, 1, 8]],
  ['objs[*].b', 'Unsupported attribute', 'This object does not have an attribute named "b".', [1, 8, 10]],
  ['l[*].a', 'Unsupported attribute', "Can't access attributes on a primitive-typed value (string).", [1, 5, 7]],
]);

// ---- function calls -------------------------------------------------------------------------

values('function calls', [
  ['upper("a")', 'A'],
  ['upper(1)', '1'],
  ['join("-", l)', 'a-b'],
  ['max(nums...)', 3],
  ['max(1, nums...)', 3],
  ['max(4, empty...)', 4],
  ['concat(l, ["c"])', ['a', 'b', 'c']],
  ['coalesce(n, "x")', 'x'],
  ['format("%s-%d", s, num)', 'str-5'],
  ['length(o)', 2],
  ['inc(1)', 2],
  ['inc("41")', 42],
  ['greet("hi")', 'hi '],
  ['greet("hi", "a", "b")', 'hi a,b'],
  ['greet("hi", l...)', 'hi a,b'],
  ['count()', 0],
  ['count(1, 2, 3)', 3],
  ['usesvar(1)', 'str-1'],
]);

errors('function call errors', [
  ['nosuch(1)', 'Call to unknown function', 'There is no function named "nosuch".', [1, 1, 7]],
  ['upper()', 'Not enough function arguments', 'Function "upper" expects 1 argument(s). Missing value for "str".', [1, 7, 8]],
  ['join()', 'Not enough function arguments', 'Function "join" expects at least 1 argument(s). Missing value for "separator".', [1, 6, 7]],
  ['upper("a", "b")', 'Too many function arguments', 'Function "upper" expects only 1 argument(s).', [1, 12, 15]],
  // Arity is checked before any argument is evaluated.
  ['upper(o.x, 1)', 'Too many function arguments', 'Function "upper" expects only 1 argument(s).', [1, 12, 13]],
  ['upper(l)', 'Invalid function argument', 'Invalid value for "str" parameter: string required.', [1, 7, 8]],
  ['upper(n)', 'Invalid function argument', 'Invalid value for "str" parameter: argument must not be null.', [1, 7, 8]],
  ['max(l...)', 'Invalid function argument', 'Invalid value for "numbers" parameter: a number is required.', [1, 5, 6]],
  ['max(n...)', 'Invalid expanding argument value', 'The expanding argument (indicated by ...) must not be null.', [1, 5, 6]],
  ['max(s...)', 'Invalid expanding argument value', 'The expanding argument (indicated by ...) must be of a tuple, list, or set type.', [1, 5, 6]],
  ['upper(l...)', 'Too many function arguments', 'Function "upper" expects only 1 argument(s).', [1, 7, 8]],
  ['max()', 'Error in function call', 'Call to function "max" failed: must pass at least one number.', [1, 1, 6]],
  ['inc()', 'Not enough function arguments', 'Function "inc" expects 1 argument(s). Missing value for "x".', [1, 5, 6]],
  ['inc(1, 2)', 'Too many function arguments', 'Function "inc" expects only 1 argument(s).', [1, 8, 9]],
  ['greet()', 'Not enough function arguments', 'Function "greet" expects at least 1 argument(s). Missing value for "greeting".', [1, 7, 8]],
  // User function parameters refuse null, as cty's do.
  ['inc(n)', 'Invalid function argument', 'Invalid value for "x" parameter: argument must not be null.', [1, 5, 6]],
  // An error inside a user function is the call's error, naming where in the body it happened.
  [
    'broken(o)',
    'Error in function call',
    'Call to function "broken" failed: fn.hcl:1,2-10: Unsupported attribute; This object does not have an attribute named "missing"..',
    [1, 1, 10],
  ],
  [
    'inc("x")',
    'Error in function call',
    'Call to function "inc" failed: fn.hcl:1,1-2: Invalid operand; Unsuitable value for left operand: a number is required..',
    [1, 1, 9],
  ],
]);

values('try and can', [
  ['try(o.x, "fallback")', 'fallback'],
  ['try(o.a, "fallback")', 1],
  ['try(o.x, l[5], s)', 'str'],
  ['can(o.x)', false],
  ['can(o.b.c)', true],
  ['can(upper(l))', false],
  ['can(n)', true],
]);

errors('try and can errors', [
  ['try()', 'Error in function call', 'Call to function "try" failed: at least one argument is required.', [1, 1, 6]],
  [
    'try(o.x, l.y)',
    'Error in function call',
    'Call to function "try" failed: no expression succeeded:\n- Unsupported attribute (at expr.hcl:1,6-8)\n  This object does not have an attribute named "x".\n- Unsupported attribute (at expr.hcl:1,11-13)\n  This value does not have any attributes.\n\nAt least one expression must produce a successful result.',
    [1, 1, 14],
  ],
  ['can()', 'Not enough function arguments', 'Function "can" expects 1 argument(s). Missing value for "expression".', [1, 5, 6]],
  ['can(1, 2)', 'Too many function arguments', 'Function "can" expects only 1 argument(s).', [1, 8, 9]],
]);

// ---- convert and type expressions -----------------------------------------------------------

values('convert() reads its second argument as a type constraint', [
  ['convert("1", number)', 1],
  ['convert(1, string)', '1'],
  ['convert("true", bool)', true],
  ['convert([1, "2"], list(number))', [1, 2]],
  ['convert(["b", "a", "b"], set(string))', ['a', 'b']],
  ['convert({a = 1}, map(string))', { a: '1' }],
  ['convert([1, "x"], tuple([string, string]))', ['1', 'x']],
  ['convert({a = 1}, object({a = string, b = optional(number)}))', { a: '1', b: null }],
  ['convert(n, string)', null],
  ['convert(l, any)', ['a', 'b']],
  ['convert([[1]], list(list(string)))', [['1']]],
]);

errors('convert() and type expression errors', [
  ['convert("x", number)', 'Invalid function argument', 'Invalid value for "value" parameter: a number is required.', [1, 9, 12]],
  ['convert(["x"], list(number))', 'Invalid function argument', 'Invalid value for "value" parameter: a number is required.', [1, 9, 14]],
  ['convert({}, object({a = string}))', 'Invalid function argument', 'Invalid value for "value" parameter: attribute "a" is required.', [1, 9, 11]],
  ['convert(1)', 'Not enough function arguments', 'Function "convert" expects 2 argument(s). Missing value for "type".', [1, 10, 11]],
  ['convert(1, string, 2)', 'Too many function arguments', 'Function "convert" expects only 2 argument(s).', [1, 20, 21]],
  ['convert(1, boolean)', 'Invalid type specification', 'The keyword "boolean" is not a valid type specification.', [1, 12, 19]],
  ['convert(1, BOOL)', 'Invalid type specification', 'The keyword "BOOL" is not a valid type specification.', [1, 12, 16]],
  ['convert(1, lower("bool"))', 'Invalid type specification', 'Keyword "lower" is not a valid type constructor.', [1, 12, 25]],
  [
    'convert(1, "string")',
    'Invalid type specification',
    'A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).',
    [1, 12, 20],
  ],
  ['convert(1, list)', 'Invalid type specification', 'The list type constructor requires one argument specifying the element type.', [1, 12, 16]],
  [
    'convert(1, object)',
    'Invalid type specification',
    'The object type constructor requires one argument specifying the attribute types as a map.',
    [1, 12, 18],
  ],
  ['convert(1, tuple)', 'Invalid type specification', 'The tuple type constructor requires one argument specifying the element types as a list.', [1, 12, 17]],
  ['convert(1, list())', 'Invalid type specification', 'The list type constructor requires one argument specifying the element type.', [1, 16, 18]],
  ['convert(1, map(string, number))', 'Invalid type specification', 'The map type constructor requires one argument specifying the element type.', [1, 24, 30]],
  ['convert(1, string(1))', 'Invalid type specification', 'Primitive type keyword "string" does not expect arguments.', [1, 18, 21]],
  ['convert(1, any(1))', 'Invalid type specification', 'Type constraint keyword "any" does not expect arguments.', [1, 15, 18]],
  ['convert(1, tuple(string))', 'Invalid type specification', 'Tuple type constructor requires a list of element types.', [1, 18, 24]],
  [
    'convert(1, object(string))',
    'Invalid type specification',
    'Object type constructor requires a map whose keys are attribute names and whose values are the corresponding attribute types.',
    [1, 19, 25],
  ],
  ['convert(1, object({"a" = string}))', 'Invalid type specification', 'Object constructor map keys must be attribute names.', [1, 20, 23]],
  [
    'convert(1, object({a = optional()}))',
    'Invalid type specification',
    'Optional attribute modifier requires the attribute type as its argument.',
    [1, 32, 34],
  ],
  [
    'convert(1, object({a = optional(string, "x")}))',
    'Invalid type specification',
    'Optional attribute modifier expects only one argument: the attribute type.',
    [1, 32, 45],
  ],
  ['convert(1, optional(string))', 'Invalid type specification', 'Keyword "optional" is valid only as a modifier for object type attributes.', [1, 12, 20]],
  ['convert(1, list(strin))', 'Invalid type specification', 'The keyword "strin" is not a valid type specification.', [1, 17, 22]],
]);

// ---- the same semantics through a whole bake file -------------------------------------------

test('user functions, variadic params and values reach --print', async () => {
  const text = `
function "tag" {
  params = [name]
  variadic_params = rest
  result = concat(["repo/\${name}:latest"], [for r in rest : "repo/\${name}:\${r}"])
}
function "pick" {
  params = [cond, a, b]
  result = cond ? a : b
}
target "app" {
  tags = tag("app", "v1", "v2")
  args = {
    PICKED = pick(true, 1, "x")
    JSON   = jsonencode(pick(true, 1, "x"))
    NUM    = jsonencode(pick(true, 1, 2))
    CONV   = jsonencode(convert("3", number))
  }
}`;
  const request = { env: () => undefined, warn: () => {} };
  const evaluated = await evaluateSources({ sources: [{ filename: 'docker-bake.hcl', text }], ...request, localPlatform: 'linux/amd64', world: FIXED_WORLD });
  const out = JSON.parse(printDefinition(evaluated, { ...request, names: ['app'], sets: [] })) as {
    target: { app: { tags: string[]; args: Record<string, string> } };
  };
  assert.deepEqual(out.target.app.tags, ['repo/app:latest', 'repo/app:v1', 'repo/app:v2']);
  assert.deepEqual(out.target.app.args, { CONV: '3', JSON: '"1"', NUM: '1', PICKED: '1' });
});
