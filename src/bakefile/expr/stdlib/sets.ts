/**
 * Set functions from cty's stdlib. Arguments arrive as sets (sorted, unique
 * arrays); elements of all the sets are first unified to one type, as cty
 * does, which can merge previously distinct values such as 1 and "1".
 */
import { FunctionError } from '../function.js';
import { toSet, T } from '../types.js';
import { valuesEqual, type Value } from '../value.js';
import { argValue, define, param, type FunctionTable } from './args.js';
import { unifyElements } from './unify.js';

type SetOperation = (a: readonly Value[], b: readonly Value[]) => Value[];

const has = (set: readonly Value[], v: Value): boolean => set.some((x) => valuesEqual(x, v));

/**
 * The sets with elements converted to a common type, each re-normalised as a
 * set: first within each argument (as cty converts a parameter), then across them.
 */
function unifySets(sets: readonly (readonly Value[])[]): Value[][] {
  sets.forEach((set, i) => {
    if (!unifyElements(set)) throw new FunctionError('set of any single type required', i);
  });
  const unified = unifyElements(sets.flat());
  if (!unified) throw new FunctionError('given sets must all have compatible element types');
  let offset = 0;
  return sets.map((set) => {
    const converted = unified.slice(offset, offset + set.length);
    offset += set.length;
    return toSet(converted);
  });
}

function combine(operation: SetOperation): (args: readonly Value[]) => Value {
  return (args) => {
    const [first = [], ...rest] = unifySets(args as (readonly Value[])[]);
    return toSet(rest.reduce<Value[]>((acc, set) => operation(acc, set), first));
  };
}

const union: SetOperation = (a, b) => [...a, ...b];
const intersection: SetOperation = (a, b) => a.filter((v) => has(b, v));
const subtract: SetOperation = (a, b) => a.filter((v) => !has(b, v));
const symmetricDifference: SetOperation = (a, b) => [...subtract(a, b), ...subtract(b, a)];

/** True if the set holds elem; an element of another type is never held (no conversion). */
function hasElement(set: readonly Value[], elem: Value): boolean {
  const [unified = []] = unifySets([set]);
  return has(unified, elem);
}

/**
 * More elements than any real product: setproduct(range(100), range(100),
 * range(100)) took 8 s and 311 MB, and each further list multiplies that, so
 * a product past it is refused before it fills memory (issue 14), as a
 * matrix past MAX_MATRIX_COMBINATIONS is. cty sets no bound.
 */
export const MAX_PRODUCT_ELEMENTS = 100_000;

/** The cartesian product, in order: the last argument varies fastest. */
function product(args: readonly Value[]): Value[] {
  if (args.length < 2) throw new FunctionError('at least two arguments are required');
  const lists = args.map((arg, i) => {
    if (!Array.isArray(arg)) throw new FunctionError('a set or a list is required', i);
    const unified = unifyElements(arg as readonly Value[]);
    if (!unified) throw new FunctionError('all elements must be of the same type', i);
    return unified;
  });
  const size = lists.reduce((n, list) => n * list.length, 1);
  if (size > MAX_PRODUCT_ELEMENTS)
    throw new FunctionError(
      `the product would have ${size} elements, more than the ${MAX_PRODUCT_ELEMENTS} bake allows; take values out of the sets, or split the work`,
    );
  return lists.reduce<Value[][]>((acc, list) => acc.flatMap((prefix) => list.map((item) => [...prefix, item])), [[]]);
}

const setParam = (name: string) => param(name, T.set(T.any));

export const SET_FUNCTIONS: FunctionTable = {
  sethaselement: define([setParam('set'), param('elem', T.any)], (args) => hasElement(args[0] as readonly Value[], argValue(args, 1))),
  setunion: define([setParam('first_set')], combine(union), setParam('other_sets')),
  setintersection: define([setParam('first_set')], combine(intersection), setParam('other_sets')),
  setsubtract: define([setParam('a'), setParam('b')], combine(subtract)),
  setsymmetricdifference: define([setParam('first_set')], combine(symmetricDifference), setParam('other_sets')),
  setproduct: define([], product, param('sets', T.any)),
};
