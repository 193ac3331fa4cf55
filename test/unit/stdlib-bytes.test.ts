import { cases } from './stdlib-support.js';

// buildx declares these on cty's "bytes" capsule type, which no bake value has.
cases('byteslen', [
  { args: ['Docker'], error: 'bytes required', argIndex: 0 },
  { args: [null], error: 'argument must not be null', argIndex: 0 },
]);

cases('bytesslice', [
  { args: ['Docker', 0, 3], error: 'bytes required', argIndex: 0 },
  { args: ['Docker', 0], error: 'not enough arguments' },
]);
