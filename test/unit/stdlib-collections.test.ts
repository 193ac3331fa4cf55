import { cases } from './stdlib-support.js';

const WHOLE = 'value must be a whole number, between -9223372036854775808 and 9223372036854775807 inclusive';

cases('length', [
  { args: [[1, 2, 3, 4]], want: 4 },
  { args: [[]], want: 0 },
  { args: [{ a: 1, b: 2 }], want: 2 },
  { args: ['abc'], error: 'collection must be a list, a map or a tuple' }, // cty's length does not count string characters
  { args: [null], error: 'argument must not be null', argIndex: 0 },
]);

cases('element', [
  { args: [['a', 'b', 'c'], 1], want: 'b' },
  { args: [['a', 'b', 'c'], 5], want: 'c' },
  { args: [['a', 'b', 'c'], '3'], want: 'a' },
  { args: [['a'], -1], error: 'cannot use element function with a negative index' },
  { args: [[], 0], error: 'cannot use element function with an empty list' },
  { args: [['a'], 0.5], error: `invalid index: ${WHOLE}` },
  { args: ['abc', 0], error: 'cannot read elements from string' },
]);

cases('index', [
  { args: [{ foo: 'bar', baz: 'qux' }, 'baz'], want: 'qux' },
  { args: [['a', 'b'], 1], want: 'b' },
  { args: [{ a: 1 }, 'b'], error: 'invalid index' },
  { args: [['a', 'b'], 2], error: 'key must be between 0 and 2 inclusive' },
  { args: [['a', 'b'], '1'], error: 'key for tuple must be number' },
  { args: [['a'], 0.5], error: `invalid key for tuple: ${WHOLE}` },
  { args: [{ a: 1 }, 1], error: 'key for map must be string' },
  { args: ['abc', 0], error: 'collection must be a list, a map or a tuple' },
]);

cases('hasindex', [
  { args: [[10, 20, 30], 1], want: true },
  { args: [[10, 20, 30], 5], want: false },
  { args: [[10, 20, 30], -1], want: false },
  { args: [[10, 20, 30], 1.5], want: false },
  { args: [[10, 20, 30], '1'], want: false },
  { args: [{ a: 1 }, 'a'], want: true },
  { args: [{ a: 1 }, 'toString'], want: false },
  { args: [true, 0], error: 'collection must be a list, a map or a tuple' },
]);

cases('indexof', [
  { args: [['one', 2, 3, 'four'], 'one'], want: 0 },
  { args: [['one', 2, 3, 'four'], 'four'], want: 3 },
  { args: [['one', 2, 3, 'four'], '3'], error: 'item not found' },
  { args: [[], 'a'], error: 'cannot search an empty list' },
  { args: [{ a: 1 }, 1], error: 'argument must be a list or tuple' },
  { args: [[[1], { a: 1 }], { a: 1 }], want: 1 },
]);

cases('lookup', [
  { args: [{ a: 'apple', b: 'banana' }, 'a', 'none'], want: 'apple' },
  { args: [{ a: 'apple', b: 'banana' }, 'c', 'none'], want: 'none' },
  { args: [{ a: 'apple' }, 'c', null], want: null },
  { args: [{ '1': 'one' }, 1, 'none'], want: 'one' },
  { args: [['a'], 'x', 'd'], error: 'lookup() requires a map as the first argument', argIndex: 0 },
  { args: [{ a: 1 }, 'a'], error: 'not enough arguments' },
]);

cases('keys', [
  { args: [{ foo: 1, bar: 2, baz: 3 }], want: ['bar', 'baz', 'foo'] },
  { args: [{ b: 1, B: 2, a: 3 }], want: ['B', 'a', 'b'] },
  { args: [{}], want: [] },
  { args: [['a']], error: 'must have map or object type', argIndex: 0 },
]);

cases('values', [
  { args: [{ a: 1, c: 3, b: 2 }], want: [1, 2, 3] },
  { args: [{}], want: [] },
  { args: ['x'], error: 'values() requires a map as the first argument' },
]);

cases('merge', [
  {
    args: [
      { a: 1, b: 2 },
      { b: 3, c: 4 },
    ],
    want: { a: 1, b: 3, c: 4 },
  },
  { args: [{ a: 1 }, null, { c: 3 }], want: { a: 1, c: 3 } },
  { args: [null, null], want: null },
  { args: [], want: null },
  { args: [{ a: 1 }, ['b']], error: 'arguments must be maps or objects, got "tuple"' },
]);

cases('zipmap', [
  {
    args: [
      ['name', 'stars'],
      ['Docker', 5],
    ],
    want: { name: 'Docker', stars: 5 },
  },
  {
    args: [
      ['a', 'a'],
      [1, 2],
    ],
    want: { a: 2 },
  },
  {
    args: [
      [1, 2],
      ['x', 'y'],
    ],
    want: { '1': 'x', '2': 'y' },
  },
  { args: [[], []], want: {} },
  { args: [['a'], [1, 2]], error: 'number of keys (1) does not match number of values (2)' },
  { args: [['a'], 'x'], error: 'values argument must be a list or tuple value' },
  {
    args: [
      ['a', null],
      [1, 2],
    ],
    error: 'keys list has null value at index 1',
  },
]);

cases('concat', [
  {
    args: [
      [1, 2],
      [3, 4],
    ],
    want: [1, 2, 3, 4],
  },
  { args: [['a'], [], [1, ['b']]], want: ['a', 1, ['b']] },
  { args: [[1], 'x'], error: 'all arguments must be lists or tuples; got string', argIndex: 1 },
  { args: [], error: 'at least one argument is required' },
]);

cases('contains', [
  { args: [[1, 2, 3], 2], want: true },
  { args: [[1, 2, 3], '2'], want: false },
  { args: [[['a'], { b: 1 }], { b: 1 }], want: true },
  { args: [[], 'a'], want: false },
  { args: ['abc', 'a'], error: 'argument must be list, tuple, or set' },
  { args: [['a'], null], error: 'argument must not be null', argIndex: 1 },
]);

cases('distinct', [
  { args: [[1, 2, 2, 3, 3, 3]], want: [1, 2, 3] },
  { args: [['b', 'a', 'b']], want: ['b', 'a'] },
  { args: [[1, '1', true]], want: ['1', 'true'] }, // a list's elements share one type
  { args: [[[1], [1], [2]]], want: [[1], [2]] },
  { args: [[1, true]], error: 'list of any single type required', argIndex: 0 },
]);

cases('flatten', [
  { args: [[[1, 2], [3, 4], [5]]], want: [1, 2, 3, 4, 5] },
  { args: [[['a', ['b', ['c']]], 'd', []]], want: ['a', 'b', 'c', 'd'] },
  { args: [[{ a: [1] }, null]], want: [{ a: [1] }, null] },
  { args: [{ a: 1 }], error: 'can only flatten lists, sets and tuples' },
]);

cases('chunklist', [
  { args: [[1, 2, 3, 4, 5], 2], want: [[1, 2], [3, 4], [5]] },
  { args: [['a', 'b'], 0], want: [['a', 'b']] },
  { args: [[], 3], want: [] },
  { args: [['a', 'b'], '1'], want: [['a'], ['b']] },
  { args: [['a'], -1], error: 'the size argument must be positive' },
  { args: [['a'], 1.5], error: `invalid size: ${WHOLE}` },
  { args: [[1, [2]], 1], error: 'list of any single type required', argIndex: 0 },
]);

cases('coalesce', [
  { args: [null, 'docker'], want: 'docker' },
  { args: [null, '', 'docker'], want: '' }, // only nulls are skipped
  { args: [null, 1, 'x'], want: '1' }, // the result has the arguments' common type
  { args: [null, null], error: 'no non-null arguments' },
  { args: [], error: 'no non-null arguments' },
  { args: ['a', ['b']], error: 'all arguments must have the same type' },
]);

cases('coalescelist', [
  { args: [[], [1, 2], [3]], want: [1, 2] },
  { args: [null, ['a']], want: ['a'] },
  { args: [[], []], error: 'no non-null arguments' },
  { args: [[], 'a'], error: 'coalescelist arguments must be lists or tuples' },
  { args: [], error: 'at least one argument is required' },
]);

cases('compact', [
  { args: [['a', '', 'b', '']], want: ['a', 'b'] },
  { args: [['a', null, 1]], want: ['a', '1'] },
  { args: [[]], want: [] },
  { args: ['a'], error: 'list of string required', argIndex: 0 },
]);

cases('reverselist', [
  { args: [[1, 2, 3]], want: [3, 2, 1] },
  { args: [[]], want: [] },
  { args: ['abc'], error: 'can only reverse list or tuple values, not string', argIndex: 0 },
]);

cases('slice', [
  { args: [['a', 'b', 'c', 'd'], 1, 3], want: ['b', 'c'] },
  { args: [['a', 'b'], 0, 0], want: [] },
  { args: [['a', 'b'], 2, 2], want: [] },
  { args: [['a', 'b'], -1, 1], error: 'start index must not be less than zero', argIndex: 1 },
  { args: [['a', 'b'], 3, 3], error: 'start index must not be greater than the length of the list', argIndex: 1 },
  { args: [['a', 'b'], 0, 3], error: 'end index must not be greater than the length of the list', argIndex: 2 },
  { args: [['a', 'b'], 0, -1], error: 'end index must not be less than zero', argIndex: 2 },
  { args: [['a', 'b'], 2, 1], error: 'start index must not be greater than end index', argIndex: 1 },
  { args: [['a', 'b'], 0.5, 1], error: `invalid start index: ${WHOLE}`, argIndex: 1 },
  { args: [{ a: 1 }, 0, 1], error: 'must be a list or tuple value', argIndex: 0 },
]);

cases('range', [
  { args: [3], want: [0, 1, 2] },
  { args: [-3], want: [0, -1, -2] },
  { args: [0, 5], want: [0, 1, 2, 3, 4] },
  { args: [5, 1], want: [5, 4, 3, 2] },
  { args: [1, 4, 2], want: [1, 3] },
  { args: [10, 0, -5], want: [10, 5] },
  { args: [0, 1, 0.25], want: [0, 0.25, 0.5, 0.75] },
  { args: [0, 0], want: [] },
  { args: ['2'], want: [0, 1] },
  { args: [], error: 'must have one, two, or three arguments' },
  { args: [1, 2, 3, 4], error: 'must have one, two, or three arguments' },
  { args: [0, 5, 0], error: 'step must not be zero', argIndex: 2 },
  { args: [5, 0, 1], error: 'end must be greater than start when step is positive', argIndex: 1 },
  { args: [0, 5, -1], error: 'end must be less than start when step is negative', argIndex: 1 },
  { args: [2000], error: 'more than 1024 values were generated; either decrease the difference between start and end or use a smaller step' },
]);
