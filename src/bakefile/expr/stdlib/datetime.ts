/**
 * Date and time functions: cty's formatdate and timeadd, and buildx's
 * timestamp, formattimestamp and unixtimestampparse. The current time comes
 * from the FunctionWorld so evaluation stays reproducible in tests.
 */
import { FunctionError } from '../function.js';
import { T } from '../types.js';
import { makeObject, typeName, type Value } from '../value.js';
import { isNumeric } from '../numeric.js';
import { argNumber, argString, argValue, define, param, toInt, type FunctionTable } from './args.js';
import { goQuote } from '../../../golang/strconv.js';
import { DurationError, parseDuration } from '../../../golang/duration.js';
import {
  addNanos,
  civil,
  formatOffset,
  formatRfc3339,
  instantFromUnix,
  isoWeek,
  MONTH_NAMES,
  padInt,
  parseRfc3339,
  TimeError,
  WEEKDAY_NAMES,
  type CivilTime,
  type Instant,
} from './timefmt.js';

const QUOTE = "'";
const isLetter = (ch: string | undefined): boolean => ch !== undefined && /^[A-Za-z]$/.test(ch);

/** cty's splitDateFormat: quoted literals, runs of one letter (verbs), and other literal text. */
function* dateFormatTokens(format: string): Generator<string> {
  let i = 0;
  while (i < format.length) {
    const ch = format[i];
    let end = i + 1;
    if (ch === QUOTE) {
      if (format[end] === QUOTE) {
        end++;
      } else {
        while (end < format.length && !(format[end] === QUOTE && format[end + 1] !== QUOTE)) end += format[end] === QUOTE ? 2 : 1;
        end = Math.min(end + 1, format.length);
      }
    } else if (isLetter(ch)) {
      while (format[end] === ch) end++;
    } else {
      while (end < format.length && format[end] !== QUOTE && !isLetter(format[end])) end++;
    }
    yield format.slice(i, end);
    i = end;
  }
}

function verbError(token: string, detail: string): FunctionError {
  return new FunctionError(`invalid date format verb ${goQuote(token)}${detail ? `: ${detail}` : ''}`, 0);
}

/** Renders one verb token (a run of one letter) for the given time and its wall-clock reading. */
function renderVerb(token: string, t: Instant, c: CivilTime): string {
  const n = token.length;
  const numeric = (value: number, what: string, short: string): string => {
    if (n > 2) throw verbError(token, `${what} must either be "${short}" or "${short}${short}"`);
    return n === 1 ? String(value) : padInt(value, 2);
  };
  switch (token[0]) {
    case 'Y':
      if (n === 2) return padInt(c.year % 100, 2);
      if (n === 4) return padInt(c.year, 4);
      throw verbError(token, 'year must either be "YY" or "YYYY"');
    case 'M': {
      const name = MONTH_NAMES[c.month - 1] ?? '';
      if (n === 3) return name.slice(0, 3);
      if (n === 4) return name;
      if (n > 4) throw verbError(token, 'month must be "M", "MM", "MMM", or "MMMM"');
      return numeric(c.month, 'month', 'M');
    }
    case 'D':
      return numeric(c.day, 'day of month', 'D');
    case 'E': {
      const name = WEEKDAY_NAMES[c.weekday] ?? '';
      if (n === 3) return name.slice(0, 3);
      if (n === 4) return name;
      throw verbError(token, 'day of week must either be "EEE" or "EEEE"');
    }
    case 'h':
      return numeric(c.hour, '24-hour', 'h');
    case 'H':
      return numeric(c.hour % 12 === 0 ? 12 : c.hour % 12, '12-hour', 'H');
    case 'A':
    case 'a': {
      const letter = token[0];
      if (n !== 2) throw verbError(token, `must be "${letter}${letter}"`);
      const marker = c.hour < 12 ? 'AM' : 'PM';
      return letter === 'A' ? marker : marker.toLowerCase();
    }
    case 'm':
      return numeric(c.minute, 'minute', 'm');
    case 's':
      return numeric(c.second, 'second', 's');
    case 'Z':
      if (n === 1) return t.offset === 0 ? 'Z' : formatOffset(t.offset, true);
      if (n === 3) return t.offset === 0 ? 'UTC' : formatOffset(t.offset, false);
      if (n === 4) return formatOffset(t.offset, false);
      if (n === 5) return formatOffset(t.offset, true);
      throw verbError(token, 'timezone must be Z, ZZZZ, or ZZZZZ');
    default:
      throw verbError(token, '');
  }
}

/** Renders a quoted literal token: '' is a quote, and doubled quotes inside a literal are one quote. */
function renderLiteral(token: string): string {
  if (token.length === 1 || !token.endsWith(QUOTE)) throw new FunctionError("unterminated literal '", 0);
  if (token.length === 2) return QUOTE;
  const raw = token.slice(1, -1);
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    out += raw.charAt(i);
    if (raw[i] === QUOTE) i++;
  }
  return out;
}

/** cty's formatdate language applied to an instant, in the instant's own offset. */
function formatDate(format: string, t: Instant): string {
  const c = civil(t);
  let out = '';
  for (const token of dateFormatTokens(format)) {
    if (token.startsWith(QUOTE)) out += renderLiteral(token);
    else if (isLetter(token[0])) out += renderVerb(token, t, c);
    else out += token;
  }
  return out;
}

function parseTimestamp(text: string, argIndex?: number): Instant {
  try {
    return parseRfc3339(text);
  } catch (err) {
    if (err instanceof TimeError) throw new FunctionError(err.message, argIndex);
    throw err;
  }
}

function timeAdd(timestamp: string, duration: string): string {
  const t = parseTimestamp(timestamp);
  try {
    return formatRfc3339(addNanos(t, parseDuration(duration)));
  } catch (err) {
    if (err instanceof DurationError) throw new FunctionError(err.message);
    throw err;
  }
}

/** formattimestamp's time argument: an RFC 3339 string or whole Unix seconds. */
function timestampArg(v: Value): Instant {
  if (isNumeric(v)) return instantFromUnix(toInt(Number(v), 1));
  if (typeof v === 'string') return parseTimestamp(v, 1);
  throw new FunctionError(`must be an RFC 3339 timestamp string or a unix timestamp number, not ${typeName(v)}`, 1);
}

function formatTimestamp(format: string, v: Value): string {
  const t = timestampArg(v);
  return format === 'X' ? t.seconds.toString() : formatDate(format, t);
}

function unixTimestampParse(seconds: number): Value {
  const t = instantFromUnix(toInt(seconds, 0));
  const c = civil(t);
  const iso = isoWeek(t);
  return makeObject([
    ['year', c.year],
    ['year_day', c.yearDay],
    ['day', c.day],
    ['month', c.month],
    ['month_name', MONTH_NAMES[c.month - 1] ?? ''],
    ['weekday', c.weekday],
    ['weekday_name', WEEKDAY_NAMES[c.weekday] ?? ''],
    ['hour', c.hour],
    ['minute', c.minute],
    ['second', c.second],
    ['rfc3339', formatRfc3339(t)],
    ['iso_year', iso.year],
    ['iso_week', iso.week],
  ]);
}

const formatParam = param('format', T.string);

export const DATETIME_FUNCTIONS: FunctionTable = {
  timestamp: define([], (_args, world) => formatRfc3339(instantFromUnix(Math.floor(world.now().getTime() / 1000)))),
  timeadd: define([param('timestamp', T.string), param('duration', T.string)], (args) => timeAdd(argString(args, 0), argString(args, 1))),
  formatdate: define([formatParam, param('time', T.string)], (args) => formatDate(argString(args, 0), parseTimestamp(argString(args, 1), 1))),
  formattimestamp: define([formatParam, param('timestamp', T.any)], (args) => formatTimestamp(argString(args, 0), argValue(args, 1))),
  unixtimestampparse: define([param('unix_timestamp', T.number)], (args) => unixTimestampParse(argNumber(args, 0))),
};
