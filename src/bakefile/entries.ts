/**
 * Buildx's "buildflags" entry types: the output, cache-from, cache-to,
 * secret, ssh and attest values of a bake target. Parsing (CSV text or HCL
 * object), Normalize/Merge, the --push/--load/--provenance/--sbom overrides,
 * and the JSON form `bake --print` shows.
 */
export { EntryError } from './entries/errors.js';
export { ENTRY_KINDS, entriesEqual, entryFromObject, entryToJSON, entryToValue, parseEntry, type EntryKind } from './entries/codecs.js';
export type { EntryJSON, EntryJSONValue } from './entries/codec.js';
export { sshPaths } from './entries/struct-codecs.js';
export { entriesFromValue, mergeEntries, normalizeEntries, parseOverrideEntries } from './entries/lists.js';
export { applyLoadOverride, applyPushOverride, canonicalAttest } from './entries/overrides.js';
export { parseCsvFields } from './entries/csv.js';
