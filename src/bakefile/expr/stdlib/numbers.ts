/**
 * Number functions from cty's stdlib: arithmetic, rounding, comparisons and
 * parseint. Arithmetic, comparison and rounding are exact where cty's is
 * (numeric.ts); log and pow are done on doubles.
 */
import { FunctionError } from '../function.js';
import { T } from '../types.js';
import { typeName, type Value } from '../value.js';
import { argNumber, argNumeric, argValue, define, param, toInt, type FunctionTable } from './args.js';
import * as exact from '../numeric.js';
import type { Numeric } from '../numeric.js';
import { goQuote } from '../../../golang/strconv.js';

/** cty numbers have no negative zero. */
const positiveZero = (n: number): number => (n === 0 ? 0 : n);

/** Rejects NaN, which cty numbers cannot hold. */
function result(n: Numeric, nanMessage: string): Numeric {
  if (Number.isNaN(n)) throw new FunctionError(nanMessage);
  return typeof n === 'number' ? positiveZero(n) : n;
}

const a = param('a', T.number);
const b = param('b', T.number);
const num = param('num', T.number);

function binary(op: (x: Numeric, y: Numeric) => Numeric, nanMessage: string) {
  return define([a, b], (args) => result(op(argNumeric(args, 0), argNumeric(args, 1)), nanMessage));
}

function unary(op: (x: Numeric) => Numeric) {
  return define([num], (args) => result(op(argNumeric(args, 0)), ''));
}

/** One helper for all four comparison functions: the sign of a compared to b. */
function comparison(test: (sign: number) => boolean) {
  return define([a, b], (args) => test(exact.compare(argNumeric(args, 0), argNumeric(args, 1))));
}

function extreme(pick: (sign: number) => boolean) {
  return define(
    [],
    (args) => {
      if (args.length === 0) throw new FunctionError('must pass at least one number');
      return (args as readonly Numeric[]).reduce((best, n) => (pick(exact.compare(n, best)) ? n : best));
    },
    param('numbers', T.number),
  );
}

/** Truncates toward zero; an infinity has no integer part. */
function int(n: Numeric): Numeric {
  if (!exact.isFiniteNumeric(n)) throw new FunctionError("can't truncate infinity to an integer");
  return exact.truncate(n);
}

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** big.Int.SetString(s, base): optional sign, digits of the base; letters are case-insensitive up to base 36. */
function parseInteger(text: string, base: number): bigint | undefined {
  const m = /^([+-]?)(.+)$/s.exec(text);
  if (!m) return undefined;
  let value = 0n;
  for (const ch of m[2] ?? '') {
    const digit = base <= 36 ? DIGITS.indexOf(ch.toLowerCase()) : DIGITS.indexOf(ch);
    if (digit < 0 || digit >= base) return undefined;
    value = value * BigInt(base) + BigInt(digit);
  }
  return m[1] === '-' ? -value : value;
}

function parseint(numberArg: Value, baseArg: number): Numeric {
  if (typeof numberArg !== 'string') {
    throw new FunctionError(`first argument must be a string, not ${typeName(numberArg)}`, 0);
  }
  const base = toInt(baseArg, 1);
  if (base < 2 || base > 62) throw new FunctionError('base must be a whole number between 2 and 62 inclusive', 1);
  const parsed = parseInteger(numberArg, base);
  if (parsed === undefined) throw new FunctionError(`cannot parse ${goQuote(numberArg)} as a base ${base} integer`, 0);
  return exact.integerNumber(parsed);
}

export const NUMBER_FUNCTIONS: FunctionTable = {
  absolute: unary(exact.absolute),
  negate: unary(exact.negate),
  add: binary(exact.add, "can't compute sum of opposing infinities"),
  subtract: binary(exact.subtract, "can't subtract infinity from itself"),
  multiply: binary(exact.multiply, "can't multiply zero by infinity"),
  divide: binary(exact.divide, "can't divide zero by zero or infinity by infinity"),
  modulo: binary(exact.modulo, "can't use modulo with zero and infinity"),
  greaterthan: comparison((sign) => sign > 0),
  greaterthanorequalto: comparison((sign) => sign >= 0),
  lessthan: comparison((sign) => sign < 0),
  lessthanorequalto: comparison((sign) => sign <= 0),
  max: extreme((sign) => sign > 0),
  min: extreme((sign) => sign < 0),
  int: define([num], (args) => int(argNumeric(args, 0))),
  ceil: unary(exact.ceil),
  floor: unary(exact.floor),
  signum: define([num], (args) => Math.sign(toInt(argNumber(args, 0)))),
  log: define([num, param('base', T.number)], (args) => result(Math.log(argNumber(args, 0)) / Math.log(argNumber(args, 1)), 'the logarithm is not a number')),
  pow: define([num, param('power', T.number)], (args) => result(argNumber(args, 0) ** argNumber(args, 1), 'the power is not a number')),
  parseint: define([param('number', T.any), param('base', T.number)], (args) => parseint(argValue(args, 0), argNumber(args, 1))),
};
