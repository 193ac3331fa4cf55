/**
 * Turns evaluated attribute values into model fields, with the conversions
 * gohcl applies when buildx decodes a block into its Go struct: numbers and
 * bools become strings where a string is expected, null means "not set", and
 * output/cache/secret/ssh/attest accept CSV strings or objects. Failures carry
 * the wording of buildx's gohcl fork: "Unsuitable value type".
 */
import type { BakeFileError, SourceRange } from '../core/diagnostics.js';
import { evalError } from './expr/eval-error.js';
import { ConversionError, convert, T, type Type } from './expr/types.js';
import type { Value } from './expr/value.js';
import { isNumeric } from './expr/numeric.js';
import { entriesFromValue, EntryError, type EntryKind } from './entries.js';
import type { Entry, AttributeKind, Resources } from './model.js';
import { resourcesFromValue } from './resources.js';

const TYPES: Readonly<Record<Exclude<AttributeKind, 'entries' | 'resources'>, Type>> = {
  string: T.string,
  number: T.number,
  bool: T.bool,
  stringList: T.list(T.string),
  nullableStringMap: T.map(T.string),
  stringMap: T.map(T.string),
};

export type DecodedField = string | boolean | string[] | Record<string, string | null> | Entry[] | number | Resources;

/** Converts one attribute's value; `undefined` means the attribute is unset (null). */
export function decodeAttribute(name: string, kind: AttributeKind, value: Value, range: SourceRange): DecodedField | undefined {
  if (value === null) return undefined;
  if (kind === 'entries') return decodeEntries(name as EntryKind, value, range);
  if (kind === 'resources') return decodeResources(value, range);
  const converted = convertAttribute(name, TYPES[kind], value, range);
  if (kind === 'stringMap' || kind === 'stringList') {
    const items = Array.isArray(converted) ? converted : Object.values(converted as object);
    // gocty refuses a null element of a Go slice or map of plain strings.
    if (items.some((v) => v === null)) throw unsuitable('null value is not allowed', range, `Remove the null element from "${name}".`);
  }
  // The model's number fields (retries) are doubles: far below 2^53 where they mean anything.
  if (isNumeric(converted)) return Number(converted);
  return converted as DecodedField;
}

function convertAttribute(name: string, type: Type, value: Value, range: SourceRange): Value {
  try {
    return convert(value, type);
  } catch (e) {
    if (!(e instanceof ConversionError)) throw e;
    throw unsuitable(e.message, range, `Give "${name}" a value of type ${describeType(type)}.`);
  }
}

function unsuitable(message: string, range: SourceRange, fix?: string): BakeFileError {
  return evalError('Unsuitable value type', `Unsuitable value: ${message}`, range, fix);
}

function describeType(type: Type): string {
  switch (type.kind) {
    case 'list':
      return `list of ${describeType(type.element)}`;
    case 'map':
      return `map of ${describeType(type.element)}`;
    default:
      return type.kind;
  }
}

function decodeResources(value: Value, range: SourceRange): Resources {
  try {
    return resourcesFromValue(value);
  } catch (e) {
    if (!(e instanceof ConversionError)) throw e;
    const at = e.path.length ? `.${e.path.join('.')}` : '';
    throw unsuitable(
      `${e.message}${at ? ` (resources${at})` : ''}`,
      range,
      'Write resources as an object: memory, memory-swap, cpuset-cpus and cpuset-mems strings; cpu-shares, cpu-period and cpu-quota whole numbers.',
    );
  }
}

/** A list whose items are CSV strings (`"type=registry,ref=x"`) or objects (`{ type = "registry" }`). */
function decodeEntries(kind: EntryKind, value: Value, range: SourceRange): Entry[] {
  try {
    return entriesFromValue(kind, value);
  } catch (e) {
    if (e instanceof ConversionError || e instanceof EntryError) throw unsuitable(e.message, range, `Check the ${kind} entries.`);
    throw e;
  }
}
