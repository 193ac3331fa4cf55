/**
 * Type unification of a conditional's two results, as HCL does it with cty's
 * unsafe unification, and HCL's wording when the two cannot unify.
 */
import { T, typeOfValue, type Type } from './types.js';
import { isList, isObject, sortedKeys, typeName, type ObjectValue, type Value } from './value.js';

/**
 * The type cty's unsafe unification gives a set of values, or undefined when
 * there is none: strings absorb numbers and bools, objects with different
 * attributes become maps, tuples of different lengths become lists. Null
 * stands for any type.
 */
export function unifiedType(values: readonly Value[]): Type | undefined {
  const known = values.filter((v) => v !== null);
  const first = known[0];
  if (first === undefined) return T.any;
  const objects = known.filter(isObject);
  const arrays = known.filter((v): v is readonly Value[] => Array.isArray(v));
  if (objects.length === known.length) return unifiedObjectType(objects);
  if (arrays.length === known.length) return unifiedTupleType(arrays);
  if (objects.length || arrays.length) return undefined;
  const kinds = new Set(known.map(typeName));
  if (kinds.size === 1) return typeOfValue(first);
  return kinds.has('string') ? T.string : undefined;
}

function unifiedObjectType(objects: readonly ObjectValue[]): Type | undefined {
  const keys = Object.keys(objects[0] as ObjectValue);
  const sameKeys = objects.every((o) => Object.keys(o).length === keys.length && keys.every((k) => k in o));
  if (!sameKeys) {
    const element = unifiedType(objects.flatMap((o) => Object.values(o)));
    return element && T.map(element);
  }
  const attributes: Record<string, Type> = {};
  for (const k of keys) {
    const t = unifiedType(objects.map((o) => o[k] as Value));
    if (!t) return undefined;
    attributes[k] = t;
  }
  return T.object(attributes);
}

function unifiedTupleType(tuples: readonly (readonly Value[])[]): Type | undefined {
  const length = (tuples[0] as readonly Value[]).length;
  if (tuples.some((t) => t.length !== length)) {
    const element = unifiedType(tuples.flat());
    return element && T.list(element);
  }
  const elements: Type[] = [];
  for (let i = 0; i < length; i++) {
    const t = unifiedType(tuples.map((tuple) => tuple[i] as Value));
    if (!t) return undefined;
    elements.push(t);
  }
  return T.tuple(elements);
}

/** HCL's describeConditionalTypeMismatch, over the two results' value types. */
export function describeMismatch(a: Value, b: Value): string {
  if (isObject(a) && isObject(b)) {
    for (const name of sortedKeys(a)) {
      if (!(name in b)) return `The 'true' value includes object attribute "${name}", which is absent in the 'false' value`;
      if (!sameType(a[name] as Value, b[name] as Value))
        return `Type mismatch for object attribute "${name}": ${describeMismatch(a[name] as Value, b[name] as Value)}`;
    }
    for (const name of sortedKeys(b)) {
      if (!(name in a)) return `The 'false' value includes object attribute "${name}", which is absent in the 'true' value`;
    }
  } else if (isList(a) && isList(b)) {
    if (a.length !== b.length) return `The 'true' tuple has length ${a.length}, but the 'false' tuple has length ${b.length}`;
    const i = a.findIndex((x, n) => !sameType(x, b[n] as Value));
    if (i >= 0) return `Type mismatch for tuple element ${i}: ${describeMismatch(a[i] as Value, b[i] as Value)}`;
  }
  if (typeName(a) === typeName(b)) return "At least one deeply-nested attribute or element is not compatible across both the 'true' and the 'false' value";
  return `The 'true' value is ${typeName(a)}, but the 'false' value is ${typeName(b)}`;
}

function sameType(a: Value, b: Value): boolean {
  if (isObject(a) && isObject(b))
    return Object.keys(a).length === Object.keys(b).length && Object.keys(a).every((k) => k in b && sameType(a[k] as Value, b[k] as Value));
  if (isList(a) && isList(b)) return a.length === b.length && a.every((x, i) => sameType(x, b[i] as Value));
  return typeName(a) === typeName(b);
}
