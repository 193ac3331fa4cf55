/**
 * The shape of a callable bake function (stdlib or user-defined). Arguments
 * reach `call` already converted to the declared parameter types, as cty's
 * function machinery does.
 */
import type { Type } from './types.js';
import type { Value } from './value.js';

export interface FunctionParam {
  readonly name: string;
  readonly type: Type;
  /** Null may be passed; otherwise a null argument is an error before `call`. */
  readonly allowNull?: boolean;
}

/** What a function may learn of the world; injected so the core stays pure. */
export interface FunctionWorld {
  /** Current time, for `timestamp()`. */
  now(): Date;
  /** The user's home directory, for `homedir()`. */
  homedir(): string;
}

export interface BakeFunction {
  readonly params: readonly FunctionParam[];
  readonly variadic?: FunctionParam;
  /** Throws FunctionError (or ConversionError) on bad input; never returns undefined. */
  call(args: readonly Value[], world: FunctionWorld): Value;
}

/** An error raised by a function for a given argument (index into the call's arguments), as cty's ArgError. */
export class FunctionError extends Error {
  constructor(
    message: string,
    readonly argIndex?: number,
  ) {
    super(message);
    this.name = 'FunctionError';
  }
}
