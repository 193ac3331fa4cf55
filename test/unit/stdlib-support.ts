/**
 * Shared by the stdlib tests: calls functions the way the evaluator does
 * (arity, null checks, conversion to parameter types) and runs tables of
 * cases against them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FunctionError, type FunctionWorld } from '../../src/bakefile/expr/function.js';
import { STDLIB } from '../../src/bakefile/expr/stdlib/index.js';
import { ConversionError, convert } from '../../src/bakefile/expr/types.js';
import { isObject, type Value } from '../../src/bakefile/expr/value.js';

export const WORLD: FunctionWorld = {
  now: () => new Date('2026-11-22T15:04:05.678Z'),
  homedir: () => '/home/baker',
};

/** A failed call as the evaluator would report it. */
export class CallError extends Error {
  constructor(
    message: string,
    readonly argIndex?: number,
  ) {
    super(message);
  }
}

export function call(name: string, ...args: Value[]): Value {
  const fn = STDLIB.get(name);
  if (!fn) throw new Error(`no stdlib function ${name}`);
  if (args.length < fn.params.length) throw new CallError('not enough arguments');
  if (!fn.variadic && args.length > fn.params.length) throw new CallError('too many arguments');
  const converted = args.map((arg, i) => {
    const param = fn.params[i] ?? fn.variadic;
    if (!param) throw new Error('unreachable');
    if (arg === null && !param.allowNull) throw new CallError('argument must not be null', i);
    try {
      return convert(arg, param.type);
    } catch (err) {
      if (err instanceof ConversionError) throw new CallError(err.message, i);
      throw err;
    }
  });
  try {
    return fn.call(converted, WORLD);
  } catch (err) {
    if (err instanceof FunctionError || err instanceof ConversionError) {
      throw new CallError(err.message, err instanceof FunctionError ? err.argIndex : undefined);
    }
    throw err;
  }
}

/** Plain JS data for assert.deepStrictEqual (Value objects have no prototype). */
export function plain(v: Value): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

export interface Case {
  readonly args: readonly Value[];
  /** The expected result (objects may be plain literals). */
  readonly want?: unknown;
  /** The expected error message, exactly or by pattern. */
  readonly error?: string | RegExp;
  /** With `error`: the argument the error names (undefined for a whole-call error). */
  readonly argIndex?: number;
}

export function expectError(name: string, args: readonly Value[], error: string | RegExp, argIndex?: number): void {
  let caught: unknown;
  try {
    call(name, ...args);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof CallError, `${name}(${JSON.stringify(args)}) should fail with ${String(error)}`);
  if (typeof error === 'string') assert.equal(caught.message, error);
  else assert.match(caught.message, error);
  assert.equal(caught.argIndex, argIndex, `argIndex of "${caught.message}"`);
}

/** One test per case, named after the call. */
export function cases(name: string, table: readonly Case[]): void {
  for (const c of table) {
    const label = `${name}(${c.args.map((a) => JSON.stringify(a)).join(', ')})`;
    test(label, () => {
      if (c.error !== undefined) expectError(name, c.args, c.error, c.argIndex);
      else assert.deepStrictEqual(plain(call(name, ...c.args)), c.want);
    });
  }
}
