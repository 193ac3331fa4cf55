import { cases } from './stdlib-support.js';

cases('and', [
  { args: [true, true], want: true },
  { args: [true, false], want: false },
  { args: ['true', 'true'], want: true },
  { args: [true, 'yes'], error: 'a bool is required', argIndex: 1 },
  { args: [true, 1], error: 'bool required', argIndex: 1 },
]);

cases('or', [
  { args: [true, false], want: true },
  { args: [false, false], want: false },
]);

cases('not', [
  { args: [true], want: false },
  { args: ['false'], want: true },
  { args: [null], error: 'argument must not be null', argIndex: 0 },
]);

cases('equal', [
  { args: [2, 2], want: true },
  { args: [1, '1'], want: false }, // equality is type-aware
  { args: ['a', 'a'], want: true },
  {
    args: [
      [1, { a: 'x' }],
      [1, { a: 'x' }],
    ],
    want: true,
  },
  { args: [{ a: 1 }, { a: 1, b: 2 }], want: false },
  { args: [null, null], want: true },
  { args: [null, 0], want: false },
]);

cases('notequal', [
  { args: [4, 5], want: true },
  { args: [4, 4], want: false },
  { args: [true, 'true'], want: true },
  { args: [null, null], want: false },
]);
