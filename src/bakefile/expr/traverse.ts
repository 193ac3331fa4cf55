/**
 * Traversal steps on values, with HCL's errors: `.name` gets an attribute
 * (or a map element), `[key]` indexes a list by number or an object or map
 * by string.
 */
import type { BakeFileError, SourceRange } from '../../core/diagnostics.js';
import type { Traverser } from '../hcl/ast.js';
import { evalError } from './eval-error.js';
import { ConversionError, convert, T } from './types.js';
import { isMapValue, isObject, typeName, type Value } from './value.js';
import { integerValue, isNumeric, type Numeric } from './numeric.js';

/** Applies static traversal steps (`.a`, `[0]`, `["k"]`) in order. */
export function applySteps(value: Value, steps: readonly Traverser[]): Value {
  let v = value;
  for (const step of steps) {
    v = step.kind === 'attr' ? getAttr(v, step.name, step.range) : indexValue(v, step.key, step.range);
  }
  return v;
}

function getAttr(v: Value, name: string, range: SourceRange): Value {
  if (v === null) throw evalError('Attempt to get attribute from null value', 'This value is null, so it does not have any attributes.', range);
  if (isObject(v)) {
    if (!(name in v)) {
      if (isMapValue(v)) throw evalError('Missing map element', `This map does not have an element with the key "${name}".`, range);
      throw evalError('Unsupported attribute', `This object does not have an attribute named "${name}".`, range);
    }
    return v[name] as Value;
  }
  if (Array.isArray(v))
    throw evalError(
      'Unsupported attribute',
      'This value does not have any attributes.',
      range,
      `Index an element first (value[0].${name}) or use a splat (value[*].${name}).`,
    );
  throw evalError('Unsupported attribute', `Can't access attributes on a primitive-typed value (${typeName(v)}).`, range);
}

export function indexValue(coll: Value, key: Value, range: SourceRange): Value {
  if (coll === null) throw evalError('Attempt to index null value', 'This value is null, so it does not have any indices.', range);
  if (key === null) throw evalError('Invalid index', "Can't use a null value as an indexing key.", range);
  const notFound = (why: string): BakeFileError =>
    evalError('Invalid index', `The given key does not identify an element in this collection value${why}`, range);
  if (Array.isArray(coll)) {
    let n: bigint | undefined;
    try {
      n = integerValue(convert(key, T.number) as Numeric);
    } catch (e) {
      if (!(e instanceof ConversionError)) throw e;
      throw notFound(`: ${e.message}.`);
    }
    if (n === undefined) throw notFound(': indexing a sequence requires a whole number, but the given index has a fractional part.');
    if (n < 0n) throw notFound(': a negative number is not a valid index for a sequence.');
    if (n >= BigInt(coll.length))
      throw notFound(coll.length === 0 ? ': the collection has no elements.' : ': the given index is greater than or equal to the length of the collection.');
    return coll[Number(n)] as Value;
  }
  if (isObject(coll)) {
    let k: string;
    try {
      k = convert(key, T.string) as string;
    } catch (e) {
      if (!(e instanceof ConversionError)) throw e;
      throw notFound(`: ${e.message}.`);
    }
    if (!(k in coll)) throw notFound(isNumeric(key) ? '. An object only supports looking up attributes by name, not by numeric index.' : '.');
    return coll[k] as Value;
  }
  throw evalError('Invalid index', 'This value does not have any indices.', range);
}
