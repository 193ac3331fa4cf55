/**
 * Values variables take from the environment, read as buildx reads them:
 * untyped variables by their default's type (Go's strconv rules), typed ones
 * by their type, with lists, sets and tuples as CSV and maps as CSV
 * `key:value` pairs. Errors are EnvValueErrors the caller reports at the variable.
 */
import { parseCsvFields } from './entries.js';
import { friendlyTypeName, toSet, type Type } from './expr/types.js';
import { makeObject, type Value } from './expr/value.js';
import { goParseBoolError, goQuote, parseGoBool } from '../golang/strconv.js';

/** A problem reading an environment value for a variable; the caller reports it at the variable. */
export class EnvValueError extends Error {}

/**
 * An environment value for a primitive type, parsed as Go's strconv does (no
 * trimming, no NaN or infinities); a failure's message is strconv's reason.
 */
function primitiveValue(text: string, type: Type): Value {
  if (type.kind === 'bool') {
    const b = parseGoBool(text);
    if (b === undefined) throw new EnvValueError(goParseBoolError(text));
    return b;
  }
  if (type.kind === 'number') {
    if (/^[+-]?(inf|infinity|nan)$/i.test(text)) throw new EnvValueError('invalid number value');
    // A double, as buildx reads it (strconv.ParseFloat(v, 64)): 9007199254740993 is 9007199254740992 here too.
    const decimal = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text);
    const n = decimal ? Number(text) : NaN;
    if (!Number.isFinite(n)) throw new EnvValueError(`strconv.ParseFloat: parsing ${goQuote(text)}: ${decimal ? 'value out of range' : 'invalid syntax'}`);
    return n;
  }
  return text;
}

/** A variable's primitive value from the environment, its failures worded as buildx words them. */
export function primitiveEnvValue(name: string, text: string, type: Type): Value {
  try {
    return primitiveValue(text, type);
  } catch (e) {
    if (e instanceof EnvValueError) throw new EnvValueError(`failed to parse ${name} as ${type.kind}: ${e.message}`);
    throw e;
  }
}

/**
 * An environment value for a typed variable: primitives as themselves, lists,
 * sets and tuples of primitives as CSV, maps of primitives as CSV `key:value`
 * pairs; other types can only be set through NAME_JSON.
 */
export function typedEnvValue(name: string, text: string, type: Type): Value {
  const primitive = (t: Type): boolean => t.kind === 'string' || t.kind === 'number' || t.kind === 'bool' || t.kind === 'any';
  const element = (field: string, t: Type): Value => {
    try {
      return primitiveValue(field, t);
    } catch (e) {
      if (e instanceof EnvValueError) throw new EnvValueError(`failed to parse element ${goQuote(field)} of ${name}: ${e.message}`);
      throw e;
    }
  };
  const unsupported = (): EnvValueError =>
    new EnvValueError(`unsupported type ${friendlyTypeName(type)} for variable ${name} from CSV; set ${name}_JSON instead`);
  const fields = (what: string): string[] => {
    if (text === '') return [];
    try {
      return parseCsvFields(text);
    } catch (e) {
      throw new EnvValueError(`failed to ${what} CSV: ${(e as Error).message}`);
    }
  };
  switch (type.kind) {
    case 'list':
    case 'set': {
      if (!primitive(type.element)) throw unsupported();
      const items = fields(`convert ${name} from`).map((f) => element(f, type.element));
      return type.kind === 'set' ? toSet(items) : items;
    }
    case 'tuple': {
      const items = fields(`convert ${name} from`);
      if (items.length !== type.elements.length)
        throw new EnvValueError(`failed to convert ${name} from CSV: ${type.elements.length} elements required, but got ${items.length}`);
      if (!type.elements.every(primitive)) throw unsupported();
      return items.map((f, i) => element(f, type.elements[i] as Type));
    }
    case 'map': {
      if (!primitive(type.element)) throw unsupported();
      const out = makeObject();
      for (const pair of fields(`parse ${name} as`)) {
        const kv = pair.split(':');
        if (kv.length !== 2) throw new EnvValueError(`failed to parse ${name}: expected one k/v pair in ${goQuote(pair)}`);
        out[kv[0] as string] = element(kv[1] as string, type.element);
      }
      return out;
    }
    case 'object':
      throw unsupported();
    default:
      return primitiveEnvValue(name, text, type);
  }
}
