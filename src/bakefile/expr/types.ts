/**
 * cty type constraints and the conversions HCL applies when a value meets one:
 * function parameters, `variable { type = ... }`, and the typed attributes of
 * targets (a number given where a string is expected becomes "1", and so on).
 */
import { formatNumeric, isFiniteNumeric, isNumeric, numberFromDecimalText, compare, type Numeric } from './numeric.js';
import { isList, isObject, makeObject, compareStrings, valuesEqual, type Value, type ObjectValue } from './value.js';

export type Type =
  | { readonly kind: 'string' }
  | { readonly kind: 'number' }
  | { readonly kind: 'bool' }
  /** cty.DynamicPseudoType: accepts anything unchanged. */
  | { readonly kind: 'any' }
  | { readonly kind: 'list'; readonly element: Type }
  | { readonly kind: 'set'; readonly element: Type }
  | { readonly kind: 'map'; readonly element: Type }
  | { readonly kind: 'tuple'; readonly elements: readonly Type[] }
  | { readonly kind: 'object'; readonly attributes: Readonly<Record<string, Type>>; readonly optional: ReadonlySet<string> };

export const T = {
  string: { kind: 'string' } as Type,
  number: { kind: 'number' } as Type,
  bool: { kind: 'bool' } as Type,
  any: { kind: 'any' } as Type,
  list: (element: Type): Type => ({ kind: 'list', element }),
  set: (element: Type): Type => ({ kind: 'set', element }),
  map: (element: Type): Type => ({ kind: 'map', element }),
  tuple: (elements: readonly Type[]): Type => ({ kind: 'tuple', elements }),
  object: (attributes: Record<string, Type>, optional: Iterable<string> = []): Type => ({ kind: 'object', attributes, optional: new Set(optional) }),
} as const;

/** A conversion failure; `path` says where inside the value it happened. */
export class ConversionError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[] = [],
  ) {
    super(message);
    this.name = 'ConversionError';
  }
}

/** Converts one element; on failure, records where in the container it was (paths are built only on error). */
function convertAt(v: Value, t: Type, key: string | number): Value {
  try {
    return convert(v, t);
  } catch (e) {
    if (e instanceof ConversionError) e.path.unshift(key);
    throw e;
  }
}

/** cty's friendly name of a type: "string", "list of string", "map of number", "object". */
export function friendlyTypeName(t: Type): string {
  switch (t.kind) {
    case 'string':
    case 'number':
    case 'bool':
      return t.kind;
    case 'any':
      return 'any type';
    case 'list':
    case 'set':
    case 'map':
      return `${t.kind} of ${friendlyTypeName(t.element)}`;
    case 'tuple':
      return 'tuple';
    case 'object':
      return 'object';
  }
}

function required(t: Type): string {
  switch (t.kind) {
    case 'string':
      return 'string required';
    case 'number':
      return 'number required';
    case 'bool':
      return 'bool required';
    default:
      return `${friendlyTypeName(t)} required`;
  }
}

/** The type a value has on its own (for `type()`-like messages and env coercion). */
export function typeOfValue(v: Value): Type {
  if (v === null) return T.any;
  if (typeof v === 'string') return T.string;
  if (isNumeric(v)) return T.number;
  if (typeof v === 'boolean') return T.bool;
  if (Array.isArray(v)) return T.tuple(v.map(typeOfValue));
  const o = v as ObjectValue;
  const attrs: Record<string, Type> = {};
  for (const k of Object.keys(o)) attrs[k] = typeOfValue(o[k] as Value);
  return T.object(attrs);
}

/**
 * Converts `v` to type `t` as cty's convert package does, or throws
 * ConversionError. Null converts to any type and stays null.
 */
export function convert(v: Value, t: Type): Value {
  if (v === null || t.kind === 'any') return v;
  switch (t.kind) {
    case 'string':
      if (typeof v === 'string') return v;
      if (isNumeric(v)) return formatNumeric(v);
      if (typeof v === 'boolean') return v ? 'true' : 'false';
      throw new ConversionError(required(t));
    case 'number':
      if (isNumeric(v)) return v;
      if (typeof v === 'string') {
        const n = parseNumber(v);
        if (n === undefined) throw new ConversionError('a number is required');
        return n;
      }
      throw new ConversionError(required(t));
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string') {
        if (v === 'true' || v === '1') return true;
        if (v === 'false' || v === '0') return false;
        throw new ConversionError('a bool is required');
      }
      throw new ConversionError(required(t));
    case 'list':
    case 'set': {
      if (!isList(v)) throw new ConversionError(required(t));
      const items = v.map((x, i) => convertAt(x, t.element, i));
      return t.kind === 'set' ? toSet(items) : items;
    }
    case 'tuple': {
      if (!isList(v)) throw new ConversionError(required(t));
      if (v.length !== t.elements.length) throw new ConversionError(`tuple required with ${t.elements.length} elements`);
      return v.map((x, i) => convertAt(x, t.elements[i] as Type, i));
    }
    case 'map': {
      if (!isObject(v)) throw new ConversionError(required(t));
      return makeObject(Object.keys(v).map((k) => [k, convertAt(v[k] as Value, t.element, k)]));
    }
    case 'object': {
      if (!isObject(v)) throw new ConversionError(required(t));
      const out = makeObject();
      for (const k of Object.keys(t.attributes)) {
        if (!(k in v)) {
          if (t.optional.has(k)) {
            out[k] = null;
            continue;
          }
          throw new ConversionError(`attribute "${k}" is required`);
        }
        out[k] = convertAt(v[k] as Value, t.attributes[k] as Type, k);
      }
      return out;
    }
  }
}

/** Parses a decimal number as cty does for string→number (no hex, no Infinity), exactly (numeric.ts). */
export function parseNumber(s: string): Numeric | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  const n = numberFromDecimalText(s);
  return isFiniteNumeric(n) ? n : undefined;
}

/** A set value: unique, in cty's order (strings lexicographic, numbers ascending). */
export function toSet(items: readonly Value[]): Value[] {
  const out: Value[] = [];
  for (const x of items) if (!out.some((y) => valuesEqual(x, y))) out.push(x);
  return out.sort(compareSetItems);
}

function compareSetItems(a: Value, b: Value): number {
  if (isNumeric(a) && isNumeric(b)) return compare(a, b);
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  return compareStrings(JSON.stringify(a, numberText), JSON.stringify(b, numberText));
}

/** Numbers JSON.stringify cannot write (bigint, Float512) as their text. */
function numberText(_key: string, v: unknown): unknown {
  return isNumeric(v) && typeof v !== 'number' ? formatNumeric(v) : v;
}
