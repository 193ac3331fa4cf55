/**
 * Lists of entries: reading a target attribute or a `--set` value, and
 * buildx's Normalize and Merge (Exports, CacheOptions, Secrets, SSHKeys,
 * Attests in util/buildflags).
 *
 * `undefined` stands for Go's nil slice where buildx tells nil from empty.
 */
import { ConversionError, friendlyTypeName } from '../expr/types.js';
import { isObject, type Value } from '../expr/value.js';
import type { Entry } from '../model.js';
import { codecFor, entriesEqual, entryFromObject, parseEntry, type EntryKind } from './codecs.js';
import { parseCsvFields } from './csv.js';
import { EntryError } from './errors.js';

function isCache(kind: EntryKind): boolean {
  return kind === 'cache-from' || kind === 'cache-to';
}

/**
 * Entries from one CSV text. A cache text without any `=` is a list of
 * registry references, one entry each (`a/b:x,a/b:y`); every other text is
 * one entry (ParseCacheEntry, parseArrValue).
 */
function entriesFromText(kind: EntryKind, text: string): Entry[] {
  if (isCache(kind) && !text.includes('=')) return parseCsvFields(text).map((field) => parseEntry(kind, field));
  return [parseEntry(kind, text)];
}

/**
 * A target attribute's entries from its evaluated HCL/JSON value: a list
 * whose items are CSV strings or objects (FromCtyValue). Empty strings and
 * nulls are skipped, as buildx skips empty items. A value or item of the
 * wrong type throws ConversionError; a malformed entry throws EntryError.
 */
export function entriesFromValue(kind: EntryKind, value: Value): Entry[] {
  const { elementType } = codecFor(kind);
  if (!Array.isArray(value)) throw new ConversionError(`list of ${friendlyTypeName(elementType)} required`);
  const out: Entry[] = [];
  value.forEach((item: Value, index) => {
    if (item === null || item === '') return;
    if (typeof item === 'string') out.push(...entriesFromText(kind, item));
    else if (isObject(item)) out.push(entryFromObject(kind, item));
    else throw new ConversionError(`${friendlyTypeName(elementType)} required`, [index]);
  });
  return out;
}

/** The message prefix AddOverrides puts on a bad `--set` value (buildx says "outputs" for secrets and ssh too). */
const OVERRIDE_ERROR_PREFIX: Readonly<Record<EntryKind, string>> = {
  output: 'invalid value for outputs: ',
  secret: 'invalid value for outputs: ',
  ssh: 'invalid value for outputs: ',
  attest: 'invalid value for attest: ',
  'cache-from': '',
  'cache-to': '',
};

/** Entries from `--set target.<kind>=<value>` values; empty values are skipped. */
export function parseOverrideEntries(kind: EntryKind, texts: readonly string[]): Entry[] {
  try {
    return texts.filter((text) => text !== '').flatMap((text) => entriesFromText(kind, text));
  } catch (e) {
    if (e instanceof EntryError) throw new EntryError(OVERRIDE_ERROR_PREFIX[kind] + e.message);
    throw e;
  }
}

/**
 * Buildx's removeDupes, in place: walking back from the end, an entry equal
 * to a later one sends that later one to the end of the list, which is then
 * cut off. Survivors can change places, so the exact order matters for print.
 * Returns how many entries survive at the front.
 */
function removeDupesInPlace(list: Entry[]): number {
  let length = list.length;
  for (let i = length - 2; i >= 0; i--) {
    for (let j = i + 1; j < length; j++) {
      if (entriesEqual(list[i] as Entry, list[j] as Entry)) {
        [list[j], list[length - 1]] = [list[length - 1] as Entry, list[j] as Entry];
        length--;
        break;
      }
    }
  }
  return length;
}

/** Attests by type, ssh by id: the last entry with a key wins, at the place of the first. */
function keepLastPerKey(list: readonly Entry[], key: string): Entry[] {
  const out: Entry[] = [];
  const index = new Map<string | undefined, number>();
  for (const entry of list) {
    const at = index.get(entry[key]);
    if (at === undefined) {
      index.set(entry[key], out.length);
      out.push(entry);
    } else out[at] = entry;
  }
  return out;
}

/**
 * Normalize as buildx does it, returning what it returns (`kept`, nil when
 * empty) and what the list it ran on looks like afterwards (`after`), since
 * Merge sometimes discards the result and keeps the rearranged list.
 */
function normalize(kind: EntryKind, list: readonly Entry[]): { kept: Entry[] | undefined; after: Entry[] } {
  const after = [...list];
  if (after.length === 0) return { kept: undefined, after };
  const { uniqueBy } = codecFor(kind);
  if (uniqueBy !== undefined) return { kept: keepLastPerKey(after, uniqueBy), after };
  return { kept: after.slice(0, removeDupesInPlace(after)), after };
}

/** A target's entries after buildx's normalize(): duplicates removed (by type for attest, by id for ssh). */
export function normalizeEntries(kind: EntryKind, entries: readonly Entry[]): Entry[] {
  return normalize(kind, entries).kept ?? [];
}

/**
 * Buildx's `base.Merge(over)` for these lists: both concatenated and
 * normalized. When one side is nil, the other comes back as it is, except
 * that CacheOptions normalizes it, and the others keep the rearrangement
 * their discarded Normalize call made. Target.Merge uses it for attest,
 * secret, ssh and cache-from; `--set key+=value` for every kind.
 */
export function mergeEntries(kind: EntryKind, base: readonly Entry[] | undefined, over: readonly Entry[] | undefined): Entry[] | undefined {
  if (base !== undefined && over !== undefined) return normalize(kind, [...base, ...over]).kept;
  const only = base ?? over;
  if (only === undefined) return undefined;
  const { kept, after } = normalize(kind, only);
  return isCache(kind) ? kept : after;
}
