/**
 * Time as cty handles it: RFC 3339 timestamps parsed like Go's
 * time.Parse(time.RFC3339) (with cty's rewording of its errors), and the
 * calendar arithmetic needed to format instants (Go durations are in
 * golang/duration.ts).
 * Instants keep whole seconds as bigint so nanosecond durations add exactly.
 */
import { goQuote } from '../../../golang/strconv.js';

export interface Instant {
  /** Seconds since the Unix epoch (UTC). */
  readonly seconds: bigint;
  readonly nanos: number;
  /** The offset the instant was written with, in seconds east of UTC. */
  readonly offset: number;
}

export interface CivilTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 0 is Sunday, as Go's time.Weekday. */
  readonly weekday: number;
  /** 1-based day of the year. */
  readonly yearDay: number;
}

export const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const SECONDS_PER_DAY = 86400;
const NANOS_PER_SECOND = 1_000_000_000n;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day: doy - Math.floor((153 * mp + 2) / 5) + 1 };
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The wall-clock reading of an instant at its own offset. */
export function civil(t: Instant): CivilTime {
  const local = Number(t.seconds) + t.offset;
  const days = Math.floor(local / SECONDS_PER_DAY);
  const secondOfDay = local - days * SECONDS_PER_DAY;
  const { year, month, day } = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(secondOfDay / 3600),
    minute: Math.floor((secondOfDay % 3600) / 60),
    second: secondOfDay % 60,
    weekday: (((days + 4) % 7) + 7) % 7,
    yearDay: days - daysFromCivil(year, 1, 1) + 1,
  };
}

/** Go's Time.ISOWeek: the ISO 8601 year and week number. */
export function isoWeek(t: Instant): { year: number; week: number } {
  const c = civil(t);
  const shift = c.weekday === 0 ? -3 : 4 - c.weekday; // move to the Thursday of the same week
  const thursday = civil({ ...t, seconds: t.seconds + BigInt(shift * SECONDS_PER_DAY) });
  return { year: thursday.year, week: Math.floor((thursday.yearDay - 1) / 7) + 1 };
}

/** Integers as Go's %0Nd prints them: the sign counts toward the width. */
export function padInt(n: number, width: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.abs(n)).padStart(width - sign.length, '0');
}

/** An offset as Go's "-07:00" (colon) or "-0700" layout element. */
export function formatOffset(offset: number, colon: boolean): string {
  const minutes = Math.trunc(offset / 60);
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${padInt(Math.floor(abs / 60), 2)}${colon ? ':' : ''}${padInt(abs % 60, 2)}`;
}

/** time.RFC3339 output: "2006-01-02T15:04:05Z07:00", "Z" for a zero offset. */
export function formatRfc3339(t: Instant): string {
  const c = civil(t);
  const zone = t.offset === 0 ? 'Z' : formatOffset(t.offset, true);
  return `${padInt(c.year, 4)}-${padInt(c.month, 2)}-${padInt(c.day, 2)}T${padInt(c.hour, 2)}:${padInt(c.minute, 2)}:${padInt(c.second, 2)}${zone}`;
}

export function instantFromUnix(seconds: number): Instant {
  return { seconds: BigInt(seconds), nanos: 0, offset: 0 };
}

export function addNanos(t: Instant, nanos: bigint): Instant {
  const total = t.seconds * NANOS_PER_SECOND + BigInt(t.nanos) + nanos;
  let seconds = total / NANOS_PER_SECOND;
  let rest = total % NANOS_PER_SECOND;
  if (rest < 0n) {
    rest += NANOS_PER_SECOND;
    seconds -= 1n;
  }
  return { seconds, nanos: Number(rest), offset: t.offset };
}

export class TimeError extends Error {}

// What cty calls each element of Go's RFC 3339 layout in its error messages.
const ELEMENT_NAMES: Readonly<Record<string, string>> = {
  '2006': 'year',
  '01': 'month',
  '02': 'day of month',
  '15': 'hour',
  '04': 'minute',
  '05': 'second',
  'Z07:00': 'UTC offset',
};

/** cty's rewording of a Go time.ParseError for one layout element. */
function parseError(layoutElem: string, valueElem: string): TimeError {
  if (layoutElem === 'T') return new TimeError("not a valid RFC3339 timestamp: missing required time introducer 'T'");
  if (layoutElem === '-' || layoutElem === ':') {
    return new TimeError(
      valueElem === ''
        ? `not a valid RFC3339 timestamp: end of string where ${goQuote(layoutElem)} is expected`
        : `not a valid RFC3339 timestamp: found ${goQuote(valueElem)} where ${goQuote(layoutElem)} is expected`,
    );
  }
  const what = ELEMENT_NAMES[layoutElem] ?? 'timestamp segment';
  return new TimeError(
    valueElem === ''
      ? `not a valid RFC3339 timestamp: end of string before ${what}`
      : `not a valid RFC3339 timestamp: cannot use ${goQuote(valueElem)} as ${what}`,
  );
}

/** Parses like time.Parse(time.RFC3339, s), element by element, so errors name the failing part. */
export function parseRfc3339(s: string): Instant {
  let rest = s;
  const literal = (ch: string): void => {
    if (!rest.startsWith(ch)) throw parseError(ch, rest);
    rest = rest.slice(1);
  };
  // A 1-2 digit number (exactly 2 when fixed), range-checked like Go's getnum users.
  const number = (elem: string, fixed: boolean, max: number, min = 0): number => {
    const m = (fixed ? /^\d\d/ : /^\d\d?/).exec(rest);
    if (!m) throw parseError(elem, rest);
    rest = rest.slice(m[0].length);
    const n = Number(m[0]);
    if (n < min || n > max) throw parseError(elem, rest);
    return n;
  };
  // Go takes four characters for the year and reports what follows them if they are not a number.
  if (rest.length < 4) throw parseError('2006', rest);
  const yearText = rest.slice(0, 4);
  rest = rest.slice(4);
  if (!/^[+-]?\d+$/.test(yearText)) throw parseError('2006', rest);
  const year = Number(yearText);
  literal('-');
  const month = number('01', true, 12, 1);
  literal('-');
  const day = number('02', true, 99);
  literal('T');
  const hour = number('15', false, 23);
  literal(':');
  const minute = number('04', true, 59);
  literal(':');
  const second = number('05', true, 59);
  let nanos = 0;
  const fraction = /^[.,](\d+)/.exec(rest);
  if (fraction) {
    nanos = Number((fraction[1] ?? '').slice(0, 9).padEnd(9, '0'));
    rest = rest.slice(fraction[0].length);
  }
  let offset = 0;
  if (rest.startsWith('Z')) {
    rest = rest.slice(1);
  } else {
    const zone = /^([+-])(\d\d):(\d\d)/.exec(rest);
    if (!zone) throw parseError('Z07:00', rest);
    rest = rest.slice(6);
    const hours = Number(zone[2]);
    const minutes = Number(zone[3]);
    if (hours > 24 || minutes > 60) throw parseError('Z07:00', rest);
    offset = (zone[1] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60;
  }
  if (rest !== '') throw parseError('', rest);
  if (day < 1 || day > daysIn(month, year)) throw new TimeError('not a valid RFC3339 timestamp: day out of range');
  const local = daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
  return { seconds: BigInt(local - offset), nanos, offset };
}
