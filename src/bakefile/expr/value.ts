/**
 * Runtime values of the bake language: cty's model reduced to JSON-like data.
 * Lists, tuples and sets are arrays (sets kept sorted and unique); maps and
 * objects are null-prototype records whose keys are iterated in sorted order,
 * because cty iterates map and object keys lexicographically. Numbers are
 * doubles, bigints beyond 2^53, or Float512 values (numeric.ts).
 */
import { compare, Float512, isNumeric, type Numeric } from './numeric.js';

export type Value = null | boolean | Numeric | string | readonly Value[] | ObjectValue;
export interface ObjectValue {
  readonly [key: string]: Value;
}

export function isObject(v: Value): v is ObjectValue {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Float512);
}

export function isList(v: Value): v is readonly Value[] {
  return Array.isArray(v);
}

/** A fresh map/object value with no prototype, so keys like `constructor` are plain keys. */
export function makeObject(entries?: Iterable<readonly [string, Value]>): Record<string, Value> {
  const o: Record<string, Value> = Object.create(null) as Record<string, Value>;
  if (entries) for (const [k, v] of entries) o[k] = v;
  return o;
}

const MAP_VALUES = new WeakSet<object>();

/**
 * Marks an object value as one HCL types as a cty map rather than an object:
 * a missing key then reads as buildx reports it ("Missing map element"), as
 * for `target.NAME` with no such target (issue 16, cause 8). Values are
 * otherwise alike, so only where the difference shows is it recorded.
 */
export function asMapValue<T extends ObjectValue>(v: T): T {
  MAP_VALUES.add(v);
  return v;
}

export function isMapValue(v: ObjectValue): boolean {
  return MAP_VALUES.has(v);
}

/** Keys in cty order (lexicographic by UTF-16 code units, as Go sorts strings by bytes for ASCII). */
export function sortedKeys(o: ObjectValue): string[] {
  return Object.keys(o).sort(compareStrings);
}

/**
 * Byte-order string comparison (Go's `<` on strings), not locale order. UTF-8
 * byte order is code point order, which UTF-16 unit order matches except for
 * surrogates against U+E000..U+FFFF; only that case takes the slow path.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) return (a.codePointAt(i) as number) - (b.codePointAt(i) as number);
    return x - y;
  }
  return a.length - b.length;
}

/** cty's friendly type name of a value, used in error messages ("string", "list of string", "object"). */
export function typeName(v: Value): string {
  if (v === null) return 'null';
  if (isNumeric(v)) return 'number';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    default:
      return Array.isArray(v) ? 'tuple' : 'object';
  }
}

/** Deep equality with cty semantics for the `==` operator (type and value). */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  // A double beyond 2^53 (from the environment) and the bigint of the same integer are one number, as in cty.
  if (isNumeric(a)) return isNumeric(b) && compare(a, b) === 0;
  if (isList(a)) {
    if (!isList(b) || a.length !== b.length) return false;
    return a.every((x, i) => valuesEqual(x, b[i] as Value));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => k in b && valuesEqual(a[k] as Value, b[k] as Value));
  }
  return false;
}
