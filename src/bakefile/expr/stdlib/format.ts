/**
 * format and formatlist: cty's printf. Verbs %v %#v %t %b %d %o %x %X %e %E
 * %f %g %G %s %q with flags, width, precision and explicit argument indexes
 * (%[2]s), parsed exactly as cty's format state machine does, with its
 * error messages. Widths count grapheme clusters.
 */
import { FunctionError } from '../function.js';
import { ConversionError, convert, T } from '../types.js';
import type { Value } from '../value.js';
import { integerValue, isNumeric, type Numeric } from '../numeric.js';
import { argString, define, param, type FunctionTable } from './args.js';
import { graphemes } from './graphemes.js';
import { encodeJson, JsonError } from './json.js';
import { goJsonString } from '../../../golang/json.js';
import { formatFloat, formatInteger, type NumberFlags } from './numfmt.js';
import { goQuote, goQuoteRune } from '../../../golang/strconv.js';

interface Verb extends NumberFlags {
  /** The verb as written, e.g. "%-5.2f". */
  readonly raw: string;
  /** Byte offset of the verb in the format string. */
  readonly offset: number;
  /** 1-based index of the argument it formats. */
  readonly argNum: number;
  readonly mode: string;
  /** Go's fmt gave up reading the width or the precision (goFmtTooLarge). */
  readonly tooLarge: boolean;
  /** The width alone is too large (goFmtTooLarge): no padding that wide is made. */
  readonly widthTooLarge: boolean;
}

const PLAIN: NumberFlags = { plus: false, space: false, zero: false, minus: false, sharp: false };

const byteOffset = (format: string, index: number): number => Buffer.byteLength(format.slice(0, index), 'utf8');

/**
 * Go's fmt stops reading a width or precision once it passes 10^6 (fmt's
 * parsenum and tooLarge): more digits are "%!(NOVERB)". A bake file's
 * `%0999999999d` crashed bake and `%.999999999f` filled gigabytes (issue 14).
 */
function goFmtTooLarge(digits: string): boolean {
  return digits.length > 1 && Number(digits.slice(0, -1)) > 1e6;
}

/**
 * What cty's fmt.Sprintf prints for a number verb whose width or precision
 * Go's fmt gave up on: no verb, then the unused argument (as %v prints it).
 */
function noVerb(argType: '*big.Int' | '*big.Float', value: string): string {
  return `%!(NOVERB)%!(EXTRA ${argType}=${value})`;
}

function padWidth(verb: Verb, s: string): string {
  if (verb.width === undefined) return s;
  // cty pads strings itself, with no limit: a limit no one reaches by accident keeps bake's memory bounded.
  if (verb.widthTooLarge) throw unsupported(verb, 'the width is too large');
  const missing = verb.width - graphemes(s).length;
  if (missing <= 0) return s;
  const pad = (verb.zero ? '0' : ' ').repeat(missing);
  return verb.minus ? s + pad : pad + s;
}

function unsupported(verb: Verb, reason: string): FunctionError {
  return new FunctionError(`unsupported value for ${goQuote(verb.raw)} at ${verb.offset}: ${reason}`);
}

function convertFor(verb: Verb, value: Value, type: typeof T.string): Value {
  try {
    return convert(value, type);
  } catch (err) {
    if (err instanceof ConversionError) throw unsupported(verb, err.message);
    throw err;
  }
}

function formatJson(verb: Verb, value: Value): string {
  try {
    return encodeJson(value);
  } catch (err) {
    if (err instanceof JsonError) throw unsupported(verb, err.message);
    throw err;
  }
}

function formatOne(verb: Verb, value: Value): string {
  if (verb.mode !== 'v' && value === null) throw unsupported(verb, 'null value cannot be formatted');
  switch (verb.mode) {
    case 'v':
      if (!verb.sharp && typeof value === 'string') return padWidth(verb, value);
      // Numbers print in Go's shortest %g form; flags other than width are ignored here.
      if (!verb.sharp && isNumeric(value)) return padWidth(verb, formatFloat(value, 'g', PLAIN));
      return padWidth(verb, formatJson(verb, value));
    case 't':
      return convertFor(verb, value, T.bool) ? 'true' : 'false';
    case 'b':
    case 'd':
    case 'o':
    case 'x':
    case 'X': {
      const n = integerValue(convertFor(verb, value, T.number) as Numeric);
      if (n === undefined) throw unsupported(verb, 'an integer is required');
      if (verb.tooLarge) return noVerb('*big.Int', formatInteger(n, 'd', PLAIN));
      return formatInteger(n, verb.mode, verb);
    }
    case 'e':
    case 'E':
    case 'f':
    case 'g':
    case 'G': {
      const x = convertFor(verb, value, T.number) as Numeric;
      if (verb.tooLarge) return noVerb('*big.Float', formatFloat(x, 'g', PLAIN));
      return formatFloat(x, verb.mode, verb);
    }
    case 's':
    case 'q': {
      let s = convertFor(verb, value, T.string) as string;
      if (verb.precision !== undefined && verb.precision > 0) s = graphemes(s).slice(0, verb.precision).join('');
      return padWidth(verb, verb.mode === 'q' ? goJsonString(s) : s);
    }
    default:
      throw new FunctionError(`unsupported format verb ${goQuoteRune(verb.mode)} in ${goQuote(verb.raw)} at offset ${verb.offset}`);
  }
}

/** Runs cty's format state machine over `format`, formatting `values` as verbs are found. */
export function formatString(format: string, values: readonly Value[]): string {
  let out = '';
  let nextArg = 1;
  let highestArg = 0;
  let i = 0;
  const charError = (at: number): FunctionError =>
    new FunctionError(`unrecognized format character ${goQuoteRune(String.fromCodePoint(format.codePointAt(at) ?? 0))} at offset ${byteOffset(format, at)}`);
  // The format ended inside a verb.
  const incomplete = (): FunctionError => new FunctionError(`invalid format string starting at offset ${byteOffset(format, format.length)}`);
  const digitsAt = (pattern: RegExp): string => {
    const m = pattern.exec(format.slice(i))?.[0] ?? '';
    i += m.length;
    return m;
  };
  while (i < format.length) {
    const ch = format[i] ?? '';
    if (ch !== '%') {
      out += ch;
      i++;
      continue;
    }
    if (format[i + 1] === '%') {
      out += '%';
      i += 2;
      continue;
    }
    const start = i++;
    const flags = { plus: false, space: false, zero: false, minus: false, sharp: false };
    for (let f = format[i]; f !== undefined && '0#-+ '.includes(f); f = format[++i]) {
      if (f === '0') flags.zero = true;
      else if (f === '#') flags.sharp = true;
      else if (f === '-') flags.minus = true;
      else if (f === '+') flags.plus = true;
      else flags.space = true;
    }
    let argNum = nextArg;
    if (format[i] === '[') {
      i++;
      const index = digitsAt(/^[1-9]\d*/);
      if (index === '' || format[i] !== ']') throw i >= format.length ? incomplete() : charError(i);
      i++;
      argNum = Number(index);
    }
    const width = digitsAt(/^[1-9]\d*/);
    let precisionDigits: string | undefined;
    if (format[i] === '.') {
      i++;
      precisionDigits = digitsAt(/^\d*/);
    }
    const precision = precisionDigits === undefined ? undefined : Number(precisionDigits || '0');
    if (i >= format.length) throw incomplete();
    const mode = format[i] ?? '';
    if (!/^[A-Za-z]$/.test(mode)) throw charError(i);
    i++;
    const verb: Verb = {
      ...flags,
      raw: format.slice(start, i),
      offset: byteOffset(format, start),
      argNum,
      mode,
      widthTooLarge: goFmtTooLarge(width),
      tooLarge: goFmtTooLarge(width) || goFmtTooLarge(precisionDigits ?? ''),
      ...(width === '' ? {} : { width: Number(width) }),
      ...(precision === undefined ? {} : { precision }),
    };
    if (argNum > values.length) {
      throw new FunctionError(`not enough arguments for ${goQuote(verb.raw)} at ${verb.offset}: need index ${argNum} but have ${values.length} total`);
    }
    out += formatOne(verb, values[argNum - 1] ?? null);
    highestArg = Math.max(highestArg, argNum);
    nextArg = argNum + 1;
  }
  if (highestArg < values.length) {
    // Unused arguments are an error, to catch mistakes; the index names the first one.
    const firstUnused = highestArg + 1;
    throw new FunctionError(
      highestArg === 0 ? 'too many arguments; no verbs in format string' : `too many arguments; only ${highestArg} used by format string`,
      firstUnused,
    );
  }
  return out;
}

function formatList(format: string, args: readonly Value[]): Value {
  if (args.length === 0) return [formatString(format, [])];
  let length = -1;
  let lengthFrom = -1;
  args.forEach((arg, i) => {
    if (!Array.isArray(arg)) return;
    if (length === -1) {
      length = arg.length;
      lengthFrom = i;
    } else if (arg.length !== length) {
      throw new FunctionError(`argument ${i + 1} has length ${arg.length}, which is inconsistent with argument ${lengthFrom + 1} of length ${length}`, i + 1);
    }
  });
  // Without sequences the arguments are formatted once; empty sequences give an empty list.
  const iterations = length === -1 ? 1 : length;
  const results: string[] = [];
  for (let n = 0; n < iterations; n++) {
    const values = args.map((arg) => (Array.isArray(arg) ? ((arg as readonly Value[])[n] ?? null) : arg));
    try {
      results.push(formatString(format, values));
    } catch (err) {
      if (err instanceof FunctionError) throw new FunctionError(`error on format iteration ${n}: ${err.message}`);
      throw err;
    }
  }
  return results;
}

const formatParam = param('format', T.string);
const valuesParam = param('args', T.any, true);

export const FORMAT_FUNCTIONS: FunctionTable = {
  format: define([formatParam], (args) => formatString(argString(args, 0), args.slice(1)), valuesParam),
  formatlist: define([formatParam], (args) => formatList(argString(args, 0), args.slice(1)), valuesParam),
};
