/**
 * Number functions from cty's stdlib: arithmetic, rounding, comparisons and
 * parseint. Numbers are doubles here (cty uses arbitrary precision), so
 * results are exact only within double precision.
 */
import { FunctionError } from '../function.js';
import { T } from '../types.js';
import { typeName, type Value } from '../value.js';
import { argNumber, argValue, define, param, toInt, type FunctionTable } from './args.js';
import { goQuote } from '../../../golang/strconv.js';

/** cty numbers have no negative zero. */
const positiveZero = (n: number): number => (n === 0 ? 0 : n);

/** Rejects NaN, which cty numbers cannot hold. */
function result(n: number, nanMessage: string): number {
  if (Number.isNaN(n)) throw new FunctionError(nanMessage);
  return positiveZero(n);
}

const a = param('a', T.number);
const b = param('b', T.number);
const num = param('num', T.number);

function binary(op: (x: number, y: number) => number, nanMessage: string) {
  return define([a, b], (args) => result(op(argNumber(args, 0), argNumber(args, 1)), nanMessage));
}

function unary(op: (x: number) => number) {
  return define([num], (args) => positiveZero(op(argNumber(args, 0))));
}

/** One helper for all four comparison functions: a compared to b. */
function comparison(test: (x: number, y: number) => boolean) {
  return define([a, b], (args) => test(argNumber(args, 0), argNumber(args, 1)));
}

/** cty's modulo: truncated like Go's integer remainder, x % 0 is x, infinities multiply. */
function modulo(x: number, y: number): number {
  if (!Number.isFinite(x) || !Number.isFinite(y)) return x * y;
  if (y === 0) return x;
  return x % y;
}

function extreme(pick: (x: number, y: number) => boolean) {
  return define(
    [],
    (args) => {
      if (args.length === 0) throw new FunctionError('must pass at least one number');
      return (args as readonly number[]).reduce((best, n) => (pick(n, best) ? n : best));
    },
    param('numbers', T.number),
  );
}

/** Truncates toward zero; an infinity has no integer part. */
function int(n: number): number {
  if (!Number.isFinite(n)) throw new FunctionError("can't truncate infinity to an integer");
  return positiveZero(Math.trunc(n));
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

function parseint(numberArg: Value, baseArg: number): number {
  if (typeof numberArg !== 'string') {
    throw new FunctionError(`first argument must be a string, not ${typeName(numberArg)}`, 0);
  }
  const base = toInt(baseArg, 1);
  if (base < 2 || base > 62) throw new FunctionError('base must be a whole number between 2 and 62 inclusive', 1);
  const parsed = parseInteger(numberArg, base);
  if (parsed === undefined) throw new FunctionError(`cannot parse ${goQuote(numberArg)} as a base ${base} integer`, 0);
  return positiveZero(Number(parsed));
}

export const NUMBER_FUNCTIONS: FunctionTable = {
  absolute: unary(Math.abs),
  negate: unary((x) => -x),
  add: binary((x, y) => x + y, "can't compute sum of opposing infinities"),
  subtract: binary((x, y) => x - y, "can't subtract infinity from itself"),
  multiply: binary((x, y) => x * y, "can't multiply zero by infinity"),
  divide: binary((x, y) => x / y, "can't divide zero by zero or infinity by infinity"),
  modulo: binary(modulo, "can't use modulo with zero and infinity"),
  greaterthan: comparison((x, y) => x > y),
  greaterthanorequalto: comparison((x, y) => x >= y),
  lessthan: comparison((x, y) => x < y),
  lessthanorequalto: comparison((x, y) => x <= y),
  max: extreme((n, best) => n > best),
  min: extreme((n, best) => n < best),
  int: define([num], (args) => int(argNumber(args, 0))),
  ceil: unary(Math.ceil),
  floor: unary(Math.floor),
  signum: define([num], (args) => Math.sign(toInt(argNumber(args, 0)))),
  log: define([num, param('base', T.number)], (args) => result(Math.log(argNumber(args, 0)) / Math.log(argNumber(args, 1)), 'the logarithm is not a number')),
  pow: define([num, param('power', T.number)], (args) => result(argNumber(args, 0) ** argNumber(args, 1), 'the power is not a number')),
  parseint: define([param('number', T.any), param('base', T.number)], (args) => parseint(argValue(args, 0), argNumber(args, 1))),
};
