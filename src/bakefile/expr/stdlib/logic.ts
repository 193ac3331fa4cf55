/** Boolean logic and cty's type-aware equality (1 and "1" are not equal). */
import { T } from '../types.js';
import { valuesEqual } from '../value.js';
import { argBool, argValue, define, param, type FunctionTable } from './args.js';

const boolPair = [param('a', T.bool), param('b', T.bool)];
const anyPair = [param('a', T.any, true), param('b', T.any, true)];

export const LOGIC_FUNCTIONS: FunctionTable = {
  and: define(boolPair, (args) => argBool(args, 0) && argBool(args, 1)),
  or: define(boolPair, (args) => argBool(args, 0) || argBool(args, 1)),
  not: define([param('val', T.bool)], (args) => !argBool(args, 0)),
  equal: define(anyPair, (args) => valuesEqual(argValue(args, 0), argValue(args, 1))),
  notequal: define(anyPair, (args) => !valuesEqual(argValue(args, 0), argValue(args, 1))),
};
