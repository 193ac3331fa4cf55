/**
 * byteslen and bytesslice take cty's "bytes" capsule type, which no bake
 * value can have: buildx rejects every argument while converting it, as
 * these do. They exist so such calls fail as they do in buildx rather than
 * as calls to unknown functions.
 */
import { FunctionError } from '../function.js';
import { T } from '../types.js';
import { define, param, type FunctionTable } from './args.js';

const rejectBuffer = (): never => {
  throw new FunctionError('bytes required', 0);
};

const buf = param('buf', T.any);

export const BYTES_FUNCTIONS: FunctionTable = {
  byteslen: define([buf], rejectBuffer),
  bytesslice: define([buf, param('offset', T.number), param('length', T.number)], rejectBuffer),
};
