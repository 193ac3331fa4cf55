import { cases } from './stdlib-support.js';

const WHOLE = 'value must be a whole number, between -9223372036854775808 and 9223372036854775807 inclusive';

cases('absolute', [
  { args: [-42], want: 42 },
  { args: [3.5], want: 3.5 },
  { args: [0], want: 0 },
  { args: ['-7'], want: 7 },
  { args: ['x'], error: 'a number is required', argIndex: 0 },
]);

cases('negate', [
  { args: [7], want: -7 },
  { args: [-1.5], want: 1.5 },
  { args: [0], want: 0 },
]);

cases('add', [
  { args: [123, 1], want: 124 },
  { args: ['1', '2.5'], want: 3.5 },
  { args: [1, [2]], error: 'number required', argIndex: 1 },
  { args: [1, null], error: 'argument must not be null', argIndex: 1 },
]);

cases('subtract', [
  { args: [10, 3], want: 7 },
  { args: [1, 2], want: -1 },
]);

cases('multiply', [
  { args: [6, 7], want: 42 },
  { args: [-2, 0.5], want: -1 },
]);

cases('divide', [
  { args: [10, 2], want: 5 },
  { args: [1, 4], want: 0.25 },
  { args: [1, 0], want: Infinity },
  { args: [0, 0], error: "can't divide zero by zero or infinity by infinity" },
]);

cases('modulo', [
  { args: [10, 3], want: 1 },
  { args: [-7, 3], want: -1 },
  { args: [7.5, 2], want: 1.5 },
  { args: [5, 0], want: 5 },
]);

cases('greaterthan', [
  { args: [5, 2], want: true },
  { args: [2, 5], want: false },
  { args: [2, 2], want: false },
  { args: ['10', 9], want: true },
]);

cases('greaterthanorequalto', [
  { args: [5, 5], want: true },
  { args: [4, 5], want: false },
]);

cases('lessthan', [
  { args: [3, 10], want: true },
  { args: [10, 3], want: false },
]);

cases('lessthanorequalto', [
  { args: [5, 7], want: true },
  { args: [7, 7], want: true },
  { args: [8, 7], want: false },
]);

cases('max', [
  { args: [3, 9, 7], want: 9 },
  { args: [-1], want: -1 },
  { args: ['12', 5], want: 12 },
  { args: [], error: 'must pass at least one number' },
]);

cases('min', [
  { args: [3, 9, 7], want: 3 },
  { args: [-1.5, 2], want: -1.5 },
  { args: [], error: 'must pass at least one number' },
]);

cases('int', [
  { args: [3.75], want: 3 },
  { args: [-3.75], want: -3 },
  { args: [-0.5], want: 0 },
  { args: [7], want: 7 },
  { args: [Infinity], error: "can't truncate infinity to an integer" },
]);

cases('ceil', [
  { args: [3.14], want: 4 },
  { args: [-3.14], want: -3 },
  { args: [-0.5], want: 0 },
  { args: [5], want: 5 },
]);

cases('floor', [
  { args: [3.99], want: 3 },
  { args: [-3.01], want: -4 },
]);

cases('log', [
  { args: [100, 10], want: 2 },
  { args: [8, 2], want: 3 },
  { args: [1, 10], want: 0 },
  { args: [0, 10], want: -Infinity },
  { args: [-1, 10], error: 'the logarithm is not a number' },
]);

cases('pow', [
  { args: [3, 2], want: 9 },
  { args: [4, 0.5], want: 2 },
  { args: [2, -1], want: 0.5 },
  { args: [-8, 1 / 3], error: 'the power is not a number' },
]);

cases('signum', [
  { args: [-12], want: -1 },
  { args: [0], want: 0 },
  { args: [12], want: 1 },
  { args: [1.5], error: WHOLE }, // cty converts to a Go int first
]);

cases('parseint', [
  { args: ['ff', 16], want: 255 },
  { args: ['FF', 16], want: 255 },
  { args: ['-101', 2], want: -5 },
  { args: ['+12', 10], want: 12 },
  { args: ['zz', 36], want: 1295 },
  { args: ['Zz', 62], want: 3817 }, // above base 36 case matters: a-z are 10-35, A-Z 36-61
  { args: ['123', '10'], want: 123 },
  { args: ['12', 2], error: 'cannot parse "12" as a base 2 integer', argIndex: 0 },
  { args: ['', 10], error: 'cannot parse "" as a base 10 integer', argIndex: 0 },
  { args: ['0x1f', 16], error: 'cannot parse "0x1f" as a base 16 integer', argIndex: 0 },
  { args: [10, 10], error: 'first argument must be a string, not number', argIndex: 0 },
  { args: ['1', 1], error: 'base must be a whole number between 2 and 62 inclusive', argIndex: 1 },
  { args: ['1', 63], error: 'base must be a whole number between 2 and 62 inclusive', argIndex: 1 },
  { args: ['1', 2.5], error: WHOLE, argIndex: 1 },
]);
