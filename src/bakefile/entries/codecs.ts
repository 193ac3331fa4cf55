/**
 * One codec per buildflags entry type (docker/buildx util/buildflags): how a
 * value is read from its CSV text (UnmarshalText) or from an HCL object
 * (FromCtyValue), how it prints (MarshalJSON) and how HCL sees it when another
 * target refers to it (ToCtyValue).
 */
import type { ObjectValue } from '../expr/value.js';
import type { Entry } from '../model.js';
import type { Codec, EntryJSON } from './codec.js';
import { attestCodec, cacheCodec, outputCodec } from './map-codecs.js';
import { secretCodec, sshCodec } from './struct-codecs.js';

export type EntryKind = 'output' | 'cache-from' | 'cache-to' | 'secret' | 'ssh' | 'attest';

export const ENTRY_KINDS: readonly EntryKind[] = ['output', 'cache-from', 'cache-to', 'secret', 'ssh', 'attest'];

const CODECS: Readonly<Record<EntryKind, Codec>> = {
  output: outputCodec,
  'cache-from': cacheCodec,
  'cache-to': cacheCodec,
  secret: secretCodec,
  ssh: sshCodec,
  attest: attestCodec,
};

export function codecFor(kind: EntryKind): Codec {
  return CODECS[kind];
}

/** One entry from its CSV text, as buildx's UnmarshalText reads it (`type=local,dest=out`, `user/app:cache`, `id=x,src=f`, `default`, `type=sbom`). */
export function parseEntry(kind: EntryKind, text: string): Entry {
  return CODECS[kind].parseText(text);
}

/**
 * One entry from its HCL/JSON object form (`{ type = "registry", ref = "x" }`).
 * Attribute values convert as cty converts them (numbers and bools become
 * strings; lists are refused except ssh `paths`); a null attribute is absent.
 * Throws ConversionError for a value of the wrong type, EntryError otherwise.
 */
export function entryFromObject(kind: EntryKind, object: ObjectValue): Entry {
  return CODECS[kind].fromObject(object);
}

/** The entry's JSON fields in the order `bake --print` prints them (the printer applies Go's string escaping). */
export function entryToJSON(kind: EntryKind, entry: Entry): EntryJSON {
  return CODECS[kind].toJSON(entry);
}

/** The entry as HCL sees it through a reference such as `target.app.output[0].type` (buildx's ToCtyValue). */
export function entryToValue(kind: EntryKind, entry: Entry): ObjectValue {
  return CODECS[kind].toValue(entry);
}

/** Buildx's Equal: the same Go fields, which for flat entries is the same keys and values. */
export function entriesEqual(a: Entry, b: Entry): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}
