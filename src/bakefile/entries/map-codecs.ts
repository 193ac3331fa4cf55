/**
 * The map-shaped entries, a type plus string attributes: ExportEntry
 * (export.go, export_cty.go), CacheOptionsEntry (cache.go, cache_cty.go) and
 * Attest (attests.go, attests_cty.go). They print as Go maps, keys sorted.
 */
import { isObject, makeObject, sortedKeys, type Value } from '../expr/value.js';
import { formatNumeric, isNumeric } from '../expr/numeric.js';
import type { Entry } from '../model.js';
import { STRING_MAP, cutField, flatEntry, sortedJSON, stringAttributes, take, type Codec } from './codec.js';
import { parseCsvFields } from './csv.js';
import { EntryError } from './errors.js';
import { goParseBoolError, goQuote, parseGoBool } from '../../golang/strconv.js';
import { goTrimSpace } from '../../golang/strings.js';

// ExportEntry (export.go, export_cty.go)

function exportEntry(type: string, dest: string, attributes: Iterable<readonly [string, string]>): Entry {
  if (type === '') throw new EntryError('type is required for output');
  return flatEntry([...attributes, ['type', type], ...(dest === '' ? [] : [['dest', dest] as const])]);
}

export const outputCodec: Codec = {
  parseText(text) {
    const fields = parseCsvFields(text);
    // A lone value that is not `type=...` is a destination: `-` is a tarball on stdout, anything else a local directory.
    if (fields.length === 1 && fields[0] === text && !text.startsWith('type=')) {
      return text === '-' ? exportEntry('tar', text, []) : exportEntry('local', text, []);
    }
    let type = '';
    let dest = '';
    const attributes = new Map<string, string>();
    for (const field of fields) {
      const cut = cutField(field);
      if (!cut) throw new EntryError(`invalid value ${field}`);
      const key = goTrimSpace(cut[0].toLowerCase());
      if (key === 'type') type = cut[1];
      else if (key === 'dest') dest = cut[1];
      else attributes.set(key, cut[1]);
    }
    return exportEntry(type, dest, attributes);
  },
  fromObject(object) {
    const attributes = stringAttributes(object);
    const type = take(attributes, 'type');
    return exportEntry(type, take(attributes, 'dest'), attributes);
  },
  elementType: STRING_MAP,
  toJSON: sortedJSON,
  toValue: (entry) => makeObject([...Object.entries(entry), ['dest', entry['dest'] ?? '']]),
};

// CacheOptionsEntry (cache.go, cache_cty.go)

export const cacheCodec: Codec = {
  parseText(text) {
    const fields = parseCsvFields(text);
    // A lone field without `=` is a registry reference: `user/app:cache`.
    if (fields.length === 1 && !(fields[0] as string).includes('=')) {
      return flatEntry([
        ['ref', fields[0] as string],
        ['type', 'registry'],
      ]);
    }
    let type = '';
    const attributes = new Map<string, string>();
    for (const field of fields) {
      const cut = cutField(field);
      if (!cut) throw new EntryError(`invalid value ${field}`);
      const key = cut[0].toLowerCase();
      if (key === 'type') type = cut[1];
      else attributes.set(key, cut[1]);
    }
    if (type === '') throw new EntryError(`type required form> ${goQuote(text)}`);
    return flatEntry([...attributes, ['type', type]]);
  },
  fromObject(object) {
    const attributes = stringAttributes(object);
    const type = take(attributes, 'type');
    // buildx quotes the value as cty's JSON encoding, whose object keys are sorted.
    if (type === '') throw new EntryError(`type required form> ${goQuote(sortedKeyJSON(object))}`);
    return flatEntry([...attributes, ['type', type]]);
  },
  elementType: STRING_MAP,
  toJSON: sortedJSON,
  toValue: (entry) => makeObject(Object.entries(entry)),
};

function sortedKeyJSON(value: Value): string {
  if (Array.isArray(value)) return `[${value.map(sortedKeyJSON).join(',')}]`;
  if (isObject(value))
    return `{${sortedKeys(value)
      .map((k) => `${JSON.stringify(k)}:${sortedKeyJSON(value[k] as Value)}`)
      .join(',')}}`;
  return isNumeric(value) && typeof value !== 'number' ? formatNumeric(value) : JSON.stringify(value);
}

// Attest (attests.go, attests_cty.go)

function attestEntry(type: string, disabled: boolean, attributes: Iterable<readonly [string, string]>): Entry {
  return flatEntry([...attributes, ['type', type], ...(disabled ? [['disabled', 'true'] as const] : [])]);
}

export const attestCodec: Codec = {
  parseText(text) {
    let type = '';
    let disabled = false;
    const attributes = new Map<string, string>();
    for (const field of parseCsvFields(text)) {
      const cut = cutField(field);
      if (!cut) throw new EntryError(`invalid value ${field}`);
      const [key, value] = cut;
      // `type` and `disabled` match case-insensitively; other keys keep their spelling.
      const known = goTrimSpace(key.toLowerCase());
      if (known === 'type') type = value;
      else if (known === 'disabled') {
        const flag = parseGoBool(value);
        if (flag === undefined) throw new EntryError(`invalid value ${field}: ${goParseBoolError(value)}`);
        disabled = flag;
      } else attributes.set(key, value);
    }
    if (type === '') throw new EntryError('attestation type not specified');
    return attestEntry(type, disabled, attributes);
  },
  fromObject(object) {
    // The object form is not validated: a missing type prints as "".
    const attributes = stringAttributes(object);
    const type = take(attributes, 'type');
    const disabledText = attributes.get('disabled');
    attributes.delete('disabled');
    const disabled = disabledText === undefined ? false : parseGoBool(disabledText);
    if (disabled === undefined) throw new EntryError(goParseBoolError(disabledText as string));
    return attestEntry(type, disabled, attributes);
  },
  elementType: STRING_MAP,
  uniqueBy: 'type',
  // Disabled is a Go bool, so it prints as JSON true.
  toJSON: (entry) => {
    const json = sortedJSON(entry);
    if (json.has('disabled')) json.set('disabled', true);
    return json;
  },
  toValue: (entry) => makeObject(Object.entries(entry)),
};
