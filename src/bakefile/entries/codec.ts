/**
 * What every entry codec provides, and the helpers they share.
 *
 * An entry is kept flat, keyed as it prints: outputs, caches and attests
 * carry `type` (always) plus their attributes, an output's destination is
 * `dest` and a disabled attest has `disabled: "true"`; secrets carry `id`,
 * `src`, `env`; ssh carries `id` and `paths` (a JSON array of strings, since a
 * path list has no lossless comma form). Keys whose Go field is empty are left
 * out, because buildx's Equal and `omitempty` treat empty and unset alike.
 */
import { T, convert, type Type } from '../expr/types.js';
import { compareStrings, sortedKeys, type ObjectValue } from '../expr/value.js';
import type { Entry } from '../model.js';

/** A printed value: attribute strings, an attest's `disabled: true`, ssh `paths`. */
export type EntryJSONValue = string | boolean | readonly string[];
/** An entry's printed fields in print order (a Map, because a JS object would move keys like "10" to the front). */
export type EntryJSON = ReadonlyMap<string, EntryJSONValue>;

/** One buildflags entry type: UnmarshalText, FromCtyValue, Normalize's notion of a duplicate, MarshalJSON, ToCtyValue. */
export interface Codec {
  /** UnmarshalText: the CSV form. */
  readonly parseText: (text: string) => Entry;
  /** The object branch of FromCtyValue; values still need cty's conversion. */
  readonly fromObject: (object: ObjectValue) => Entry;
  /** The cty type one list element must convert to, named in type-mismatch errors. */
  readonly elementType: Type;
  /** Normalize keeps one entry per value of this key (the last one, at the first one's place); without it, exact duplicates go. */
  readonly uniqueBy?: 'type' | 'id';
  readonly toJSON: (entry: Entry) => EntryJSON;
  /** ToCtyValue: the entry as HCL sees it through a reference to the target. */
  readonly toValue: (entry: Entry) => ObjectValue;
}

export const STRING_MAP = T.map(T.string);

/** Splits a CSV field at its first `=`, or returns undefined when it has none. */
export function cutField(field: string): [key: string, value: string] | undefined {
  const eq = field.indexOf('=');
  return eq < 0 ? undefined : [field.slice(0, eq), field.slice(eq + 1)];
}

/** Builds an entry with own data properties only, so a key like `__proto__` stays an ordinary key. */
export function flatEntry(pairs: Iterable<readonly [string, string]>): Entry {
  return Object.fromEntries(pairs);
}

/** An object converted to map(string) as cty does; null attributes count as absent. */
export function stringAttributes(object: ObjectValue): Map<string, string> {
  const converted = convert(object, STRING_MAP) as ObjectValue;
  const out = new Map<string, string>();
  for (const key of sortedKeys(converted)) {
    const value = converted[key];
    if (typeof value === 'string') out.set(key, value);
  }
  return out;
}

/** Removes and returns one attribute, as buildx's getAndDelete does for `type` and `dest`. */
export function take(attributes: Map<string, string>, key: string): string {
  const value = attributes.get(key) ?? '';
  attributes.delete(key);
  return value;
}

/** MarshalJSON of the map-shaped entries: Go's encoding/json prints map keys in byte order. */
export function sortedJSON(entry: Entry): Map<string, EntryJSONValue> {
  return new Map(
    Object.keys(entry)
      .sort(compareStrings)
      .map((key) => [key, entry[key] as string]),
  );
}
