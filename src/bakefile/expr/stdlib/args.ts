/**
 * Small shared pieces for declaring stdlib functions: parameter shorthands,
 * typed access to already-converted arguments, and the integer check that
 * cty applies whenever a Go function needs an `int`.
 */
import { FunctionError, type BakeFunction, type FunctionParam } from '../function.js';
import type { Type } from '../types.js';
import type { Value } from '../value.js';
import type { Numeric } from '../numeric.js';

export type FunctionTable = Readonly<Record<string, BakeFunction>>;

export function param(name: string, type: Type, allowNull = false): FunctionParam {
  return allowNull ? { name, type, allowNull } : { name, type };
}

export function define(params: readonly FunctionParam[], call: BakeFunction['call'], variadic?: FunctionParam): BakeFunction {
  return variadic ? { params, variadic, call } : { params, call };
}

/** Arguments arrive converted to their declared types, so these only narrow for TypeScript. */
export const argString = (args: readonly Value[], i: number): string => args[i] as string;
/** A number as a double, for what only doubles compute (an integer beyond 2^53 rounds to one). */
export const argNumber = (args: readonly Value[], i: number): number => Number(args[i]);
/** A number as exact as it came (numeric.ts). */
export const argNumeric = (args: readonly Value[], i: number): Numeric => args[i] as Numeric;
export const argBool = (args: readonly Value[], i: number): boolean => args[i] as boolean;
export const argValue = (args: readonly Value[], i: number): Value => args[i] ?? null;

/** gocty's message when a number does not fit a Go `int`. */
export const WHOLE_NUMBER_REQUIRED = 'value must be a whole number, between -9223372036854775808 and 9223372036854775807 inclusive';

/** Checks that `n` is usable as a Go int, as gocty.FromCtyValue does; `prefix` adds cty's context ("invalid index: "). */
export function toInt(n: number, argIndex?: number, prefix = ''): number {
  if (!Number.isInteger(n) || n >= 2 ** 63 || n < -(2 ** 63)) throw new FunctionError(prefix + WHOLE_NUMBER_REQUIRED, argIndex);
  return n === 0 ? 0 : n;
}
