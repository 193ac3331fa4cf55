/**
 * Collection functions from cty's stdlib and buildx's `indexof`. Lists,
 * tuples and sets are arrays and maps and objects are records in the Value
 * model, so functions that cty restricts to maps also accept objects.
 */
import { FunctionError } from '../function.js';
import { T } from '../types.js';
import { isObject, makeObject, sortedKeys, typeName, valuesEqual, type Value } from '../value.js';
import { add, compare, isNumeric, type Numeric } from '../numeric.js';
import { goQuote } from '../../../golang/strconv.js';
import { argNumber, argString, argValue, define, param, toInt, type FunctionTable } from './args.js';
import { unifyElements } from './unify.js';

const sequence = (v: Value): v is readonly Value[] => Array.isArray(v);

/** A list(any) argument as cty converts it: elements unified to one type. */
function asList(v: Value, argIndex: number): Value[] {
  const unified = unifyElements(v as readonly Value[]);
  if (!unified) throw new FunctionError('list of any single type required', argIndex);
  return unified;
}

function length(collection: Value): number {
  if (sequence(collection)) return collection.length;
  if (isObject(collection)) return Object.keys(collection).length;
  throw new FunctionError('collection must be a list, a map or a tuple');
}

function element(list: Value, indexArg: number): Value {
  if (indexArg < 0) throw new FunctionError('cannot use element function with a negative index');
  if (!sequence(list)) throw new FunctionError(`cannot read elements from ${typeName(list)}`);
  const index = toInt(indexArg, undefined, 'invalid index: ');
  if (list.length === 0) throw new FunctionError('cannot use element function with an empty list');
  return list[index % list.length] ?? null;
}

/** cty's HasIndex: numeric whole indices for sequences, string keys for maps; mismatched key types are simply absent. */
function hasIndex(collection: Value, key: Value): boolean {
  if (sequence(collection)) return typeof key === 'number' && Number.isInteger(key) && key >= 0 && key < collection.length;
  if (isObject(collection)) return typeof key === 'string' && Object.hasOwn(collection, key);
  throw new FunctionError('collection must be a list, a map or a tuple');
}

/** Sequences are indexed as tuples (what HCL literals are), records as maps. */
function index(collection: Value, key: Value): Value {
  if (sequence(collection)) {
    if (!isNumeric(key)) throw new FunctionError('key for tuple must be number');
    const i = toInt(Number(key), undefined, 'invalid key for tuple: ');
    if (i < 0 || i >= collection.length) throw new FunctionError(`key must be between 0 and ${collection.length} inclusive`);
    return collection[i] ?? null;
  }
  if (!isObject(collection)) throw new FunctionError('collection must be a list, a map or a tuple');
  if (typeof key !== 'string') throw new FunctionError('key for map must be string');
  if (!Object.hasOwn(collection, key)) throw new FunctionError('invalid index');
  return collection[key] ?? null;
}

/** buildx's indexof: position of the first element equal to value. */
function indexOf(list: Value, value: Value): number {
  if (!sequence(list)) throw new FunctionError('argument must be a list or tuple');
  if (list.length === 0) throw new FunctionError('cannot search an empty list');
  const found = list.findIndex((item) => valuesEqual(item, value));
  if (found < 0) throw new FunctionError('item not found');
  return found;
}

function lookup(map: Value, key: string, fallback: Value): Value {
  if (!isObject(map)) throw new FunctionError('lookup() requires a map as the first argument', 0);
  return Object.hasOwn(map, key) ? (map[key] ?? null) : fallback;
}

function keys(map: Value): string[] {
  if (!isObject(map)) throw new FunctionError('must have map or object type', 0);
  return sortedKeys(map);
}

function values(map: Value): Value[] {
  if (!isObject(map)) throw new FunctionError('values() requires a map as the first argument');
  return sortedKeys(map).map((k) => map[k] ?? null);
}

/** Later arguments win; null arguments are skipped, and all-null (or no arguments) gives null. */
function merge(args: readonly Value[]): Value {
  const out = makeObject();
  let allNull = true;
  for (const arg of args) {
    if (arg === null) continue;
    if (!isObject(arg)) throw new FunctionError(`arguments must be maps or objects, got ${goQuote(typeName(arg))}`);
    allNull = false;
    for (const k of Object.keys(arg)) out[k] = arg[k] ?? null;
  }
  return allNull ? null : out;
}

function zipmap(keyList: readonly Value[], valueList: Value): Value {
  if (!sequence(valueList)) throw new FunctionError('values argument must be a list or tuple value');
  if (keyList.length !== valueList.length) {
    throw new FunctionError(`number of keys (${keyList.length}) does not match number of values (${valueList.length})`);
  }
  const nullKey = keyList.indexOf(null);
  if (nullKey >= 0) throw new FunctionError(`keys list has null value at index ${nullKey}`);
  return makeObject(keyList.map((k, i) => [k as string, valueList[i] ?? null]));
}

function concat(args: readonly Value[]): Value[] {
  if (args.length === 0) throw new FunctionError('at least one argument is required');
  args.forEach((arg, i) => {
    if (!sequence(arg)) throw new FunctionError(`all arguments must be lists or tuples; got ${typeName(arg)}`, i);
  });
  return (args as (readonly Value[])[]).flat();
}

function contains(list: Value, value: Value): boolean {
  if (!sequence(list)) throw new FunctionError('argument must be list, tuple, or set');
  return list.some((item) => valuesEqual(item, value));
}

function distinct(list: readonly Value[]): Value[] {
  const out: Value[] = [];
  for (const item of list) if (!out.some((seen) => valuesEqual(seen, item))) out.push(item);
  return out;
}

function flatten(list: Value): Value[] {
  if (!sequence(list)) throw new FunctionError('can only flatten lists, sets and tuples');
  return list.flatMap((item) => (sequence(item) ? flatten(item) : [item]));
}

function chunklist(list: Value[], sizeArg: number): Value[][] {
  const size = toInt(sizeArg, undefined, 'invalid size: ');
  if (size < 0) throw new FunctionError('the size argument must be positive');
  if (list.length === 0) return [];
  if (size === 0) return [list];
  const chunks: Value[][] = [];
  for (let i = 0; i < list.length; i += size) chunks.push(list.slice(i, i + size));
  return chunks;
}

/** The first non-null argument, converted to the type all arguments share. */
function coalesce(args: readonly Value[]): Value {
  const unified = unifyElements(args);
  if (!unified) throw new FunctionError('all arguments must have the same type');
  const first = unified.find((v) => v !== null);
  if (first === undefined) throw new FunctionError('no non-null arguments');
  return first;
}

function coalesceList(args: readonly Value[]): Value {
  if (args.length === 0) throw new FunctionError('at least one argument is required');
  if (!args.every((arg) => arg === null || sequence(arg))) throw new FunctionError('coalescelist arguments must be lists or tuples');
  const first = args.find((arg) => sequence(arg) && arg.length > 0);
  if (first === undefined) throw new FunctionError('no non-null arguments');
  return first;
}

function reverseList(list: Value): Value[] {
  if (!sequence(list)) throw new FunctionError(`can only reverse list or tuple values, not ${typeName(list)}`, 0);
  return [...list].reverse();
}

function slice(list: Value, startArg: number, endArg: number): Value[] {
  if (!sequence(list)) throw new FunctionError('must be a list or tuple value', 0);
  const start = toInt(startArg, 1, 'invalid start index: ');
  if (start < 0) throw new FunctionError('start index must not be less than zero', 1);
  if (start > list.length) throw new FunctionError('start index must not be greater than the length of the list', 1);
  const end = toInt(endArg, 2, 'invalid end index: ');
  if (end < 0) throw new FunctionError('end index must not be less than zero', 2);
  if (end > list.length) throw new FunctionError('end index must not be greater than the length of the list', 2);
  if (start > end) throw new FunctionError('start index must not be greater than end index', 1);
  return list.slice(start, end);
}

/** range(end), range(start, end) or range(start, end, step), capped at 1024 values as in cty. */
/** cty's range, on its numbers: `range(9007199254740993, 9007199254740995)` and `range(0, 1, 0.1)` step exactly. */
function range(args: readonly Numeric[]): Numeric[] {
  let start: Numeric = 0;
  let end: Numeric;
  let step: Numeric;
  if (args.length === 1) {
    end = args[0] ?? 0;
    step = compare(end, 0) < 0 ? -1 : 1;
  } else if (args.length === 2) {
    [start = 0, end = 0] = args;
    step = compare(end, start) < 0 ? -1 : 1;
  } else if (args.length === 3) {
    [start = 0, end = 0, step = 0] = args;
  } else {
    throw new FunctionError('must have one, two, or three arguments');
  }
  if (compare(step, 0) === 0) throw new FunctionError('step must not be zero', 2);
  const down = compare(step, 0) < 0;
  if (down && compare(end, start) > 0) throw new FunctionError('end must be less than start when step is negative', 1);
  if (!down && compare(end, start) < 0) throw new FunctionError('end must be greater than start when step is positive', 1);
  const out: Numeric[] = [];
  for (let n = start; down ? compare(n, end) > 0 : compare(n, end) < 0; n = add(n, step)) {
    if (out.length >= 1024) {
      throw new FunctionError('more than 1024 values were generated; either decrease the difference between start and end or use a smaller step');
    }
    out.push(n);
  }
  return out;
}

const anyParam = (name: string, allowNull = false) => param(name, T.any, allowNull);

export const COLLECTION_FUNCTIONS: FunctionTable = {
  length: define([anyParam('collection')], (args) => length(argValue(args, 0))),
  element: define([anyParam('list'), param('index', T.number)], (args) => element(argValue(args, 0), argNumber(args, 1))),
  hasindex: define([anyParam('collection'), anyParam('key')], (args) => hasIndex(argValue(args, 0), argValue(args, 1))),
  index: define([anyParam('collection'), anyParam('key')], (args) => index(argValue(args, 0), argValue(args, 1))),
  indexof: define([anyParam('list'), anyParam('value')], (args) => indexOf(argValue(args, 0), argValue(args, 1))),
  lookup: define([anyParam('inputMap'), param('key', T.string), anyParam('default', true)], (args) =>
    lookup(argValue(args, 0), argString(args, 1), argValue(args, 2)),
  ),
  keys: define([anyParam('inputMap')], (args) => keys(argValue(args, 0))),
  values: define([anyParam('values')], (args) => values(argValue(args, 0))),
  merge: define([], merge, anyParam('maps', true)),
  zipmap: define([param('keys', T.list(T.string)), anyParam('values')], (args) => zipmap(args[0] as readonly Value[], argValue(args, 1))),
  concat: define([], concat, anyParam('seqs')),
  contains: define([anyParam('list'), anyParam('value')], (args) => contains(argValue(args, 0), argValue(args, 1))),
  distinct: define([param('list', T.list(T.any))], (args) => distinct(asList(argValue(args, 0), 0))),
  flatten: define([anyParam('list')], (args) => flatten(argValue(args, 0))),
  chunklist: define([param('list', T.list(T.any)), param('size', T.number)], (args) => chunklist(asList(argValue(args, 0), 0), argNumber(args, 1))),
  coalesce: define([], coalesce, anyParam('vals', true)),
  coalescelist: define([], coalesceList, anyParam('vals', true)),
  compact: define([param('list', T.list(T.string))], (args) => (args[0] as readonly Value[]).filter((s) => s !== null && s !== '')),
  reverselist: define([anyParam('list')], (args) => reverseList(argValue(args, 0))),
  slice: define([anyParam('list'), param('start_index', T.number), param('end_index', T.number)], (args) =>
    slice(argValue(args, 0), argNumber(args, 1), argNumber(args, 2)),
  ),
  range: define([], (args) => range(args as readonly Numeric[]), param('params', T.number)),
};
