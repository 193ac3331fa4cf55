import { cases } from './stdlib-support.js';

// WORLD.now() is 2026-11-22T15:04:05.678Z.
cases('timestamp', [
  { args: [], want: '2026-11-22T15:04:05Z' },
  { args: ['x'], error: 'too many arguments' },
]);

cases('timeadd', [
  { args: ['2025-09-24T12:00:00Z', '1h30m'], want: '2025-09-24T13:30:00Z' },
  { args: ['2017-11-22T00:00:00Z', '-24h'], want: '2017-11-21T00:00:00Z' },
  { args: ['2017-11-22T00:00:00.5+05:30', '0.6s'], want: '2017-11-22T00:00:01+05:30' }, // keeps the offset, drops fractions
  { args: ['2016-02-28T23:00:00-00:00', '1h'], want: '2016-02-29T00:00:00Z' },
  { args: ['2017-11-22T00:00:00Z', '1.5h300ms2µs'], want: '2017-11-22T01:30:00Z' },
  { args: ['2017-11-22T00:00:00Z', '0'], want: '2017-11-22T00:00:00Z' },
  { args: ['2017-11-22T00:00:00Z', '8760h'], want: '2018-11-22T00:00:00Z' },
  { args: ['2017-11-22T00:00:00Z', '1d'], error: 'time: unknown unit "d" in duration "1d"' },
  { args: ['2017-11-22T00:00:00Z', '1'], error: 'time: missing unit in duration "1"' },
  { args: ['2017-11-22T00:00:00Z', ''], error: 'time: invalid duration ""' },
  { args: ['2017-11-22T00:00:00Z', '.s'], error: 'time: invalid duration ".s"' },
  { args: ['2017-11-22T00:00:00Z', '10000000000h'], error: 'time: invalid duration "10000000000h"' },
  { args: ['2017-11-22', '1h'], error: "not a valid RFC3339 timestamp: missing required time introducer 'T'" },
]);

// Timestamp parsing errors, checked against Go's time.Parse with cty's rewording.
cases('formatdate', [
  { args: ['DD MMM YYYY hh:mm ZZZ', '2018-01-02T23:12:01Z'], want: '02 Jan 2018 23:12 UTC' },
  { args: ['EEEE, DD-MMM-YY hh:mm:ss ZZZ', '2018-01-02T23:12:01-08:00'], want: 'Tuesday, 02-Jan-18 23:12:01 -0800' },
  { args: ['EEE, MMMM D, h:m:s', '2018-03-05T04:05:06Z'], want: 'Mon, March 5, 4:5:6' },
  { args: ["h'h'mm", '2018-01-02T23:12:01-08:00'], want: '23h12' },
  { args: ['HH:mm aa / H AA', '2018-01-02T00:12:01Z'], want: '12:12 am / 12 AM' },
  { args: ['HH aa', '2018-01-02T13:00:00Z'], want: '01 pm' },
  { args: ['Z|ZZZ|ZZZZ|ZZZZZ', '2018-01-02T23:12:01Z'], want: 'Z|UTC|+0000|+00:00' },
  { args: ['Z|ZZZ|ZZZZ|ZZZZZ', '2018-01-02T23:12:01+05:30'], want: '+05:30|+0530|+0530|+05:30' },
  { args: ["'o''clock' '' 'hh'", '2018-01-02T23:12:01Z'], want: "o'clock ' hh" },
  { args: ['YYYY-MM-DD', '2025-09-16T12:00:00.123456+02:00'], want: '2025-09-16' },
  { args: ['YYY', '2018-01-02T23:12:01Z'], error: 'invalid date format verb "YYY": year must either be "YY" or "YYYY"', argIndex: 0 },
  { args: ['MMMMM', '2018-01-02T23:12:01Z'], error: 'invalid date format verb "MMMMM": month must be "M", "MM", "MMM", or "MMMM"', argIndex: 0 },
  { args: ['DDD', '2018-01-02T23:12:01Z'], error: 'invalid date format verb "DDD": day of month must either be "D" or "DD"', argIndex: 0 },
  { args: ['EE', '2018-01-02T23:12:01Z'], error: 'invalid date format verb "EE": day of week must either be "EEE" or "EEEE"', argIndex: 0 },
  { args: ['A', '2018-01-02T23:12:01Z'], error: 'invalid date format verb "A": must be "AA"', argIndex: 0 },
  { args: ['ZZ', '2018-01-02T23:12:01Z'], error: 'invalid date format verb "ZZ": timezone must be Z, ZZZZ, or ZZZZZ', argIndex: 0 },
  { args: ['x', '2018-01-02T23:12:01Z'], error: 'invalid date format verb "x"', argIndex: 0 },
  { args: ["'abc", '2018-01-02T23:12:01Z'], error: "unterminated literal '", argIndex: 0 },
  { args: ['YYYY', '2018-01-02'], error: "not a valid RFC3339 timestamp: missing required time introducer 'T'", argIndex: 1 },
  { args: ['YYYY', '2017-11-22T00:00:00'], error: 'not a valid RFC3339 timestamp: end of string before UTC offset', argIndex: 1 },
  { args: ['YYYY', '2017-13-22T00:00:00Z'], error: 'not a valid RFC3339 timestamp: cannot use "-22T00:00:00Z" as month', argIndex: 1 },
  { args: ['YYYY', '2017-02-30T00:00:00Z'], error: 'not a valid RFC3339 timestamp: day out of range', argIndex: 1 },
  { args: ['YYYY', '2017-11-22T25:00:00Z'], error: 'not a valid RFC3339 timestamp: cannot use ":00:00Z" as hour', argIndex: 1 },
  { args: ['YYYY', '2017/11/22T00:00:00Z'], error: 'not a valid RFC3339 timestamp: found "/11/22T00:00:00Z" where "-" is expected', argIndex: 1 },
  { args: ['YYYY', '17-11-22T00:00:00Z'], error: 'not a valid RFC3339 timestamp: cannot use "1-22T00:00:00Z" as year', argIndex: 1 },
  { args: ['YYYY', '2017-11-22T00:00:00Zx'], error: 'not a valid RFC3339 timestamp: cannot use "x" as timestamp segment', argIndex: 1 },
  { args: ['YYYY', '2017-11-22T00:00:00+0530'], error: 'not a valid RFC3339 timestamp: cannot use "+0530" as UTC offset', argIndex: 1 },
  { args: ['YYYY', '2017-11-22T00:61:00Z'], error: 'not a valid RFC3339 timestamp: cannot use ":00Z" as minute', argIndex: 1 },
  { args: ['YYYY', ''], error: 'not a valid RFC3339 timestamp: end of string before year', argIndex: 1 },
]);

cases('formattimestamp', [
  { args: ['X', '2015-10-21T00:00:00Z'], want: '1445385600' },
  { args: ['X', '2015-10-21T02:00:00+02:00'], want: '1445385600' },
  { args: ["YYYY-MM-DD'T'hh:mm:ssZ", 1445385600], want: '2015-10-21T00:00:00Z' },
  { args: ['YYYY-MM-DD', '2025-09-16T12:00:00Z'], want: '2025-09-16' },
  { args: ['X', 0], want: '0' },
  { args: ['YYYY', -86400], want: '1969' },
  { args: ['YYYY', 1.5], error: 'value must be a whole number, between -9223372036854775808 and 9223372036854775807 inclusive', argIndex: 1 },
  { args: ['YYYY', 'yesterday'], error: 'not a valid RFC3339 timestamp: cannot use "erday" as year', argIndex: 1 }, // Go reads four characters as the year
  { args: ['YYYY', true], error: 'must be an RFC 3339 timestamp string or a unix timestamp number, not bool', argIndex: 1 },
]);

cases('unixtimestampparse', [
  {
    args: [1690328596],
    want: {
      year: 2023,
      year_day: 206,
      day: 25,
      month: 7,
      month_name: 'July',
      weekday: 2,
      weekday_name: 'Tuesday',
      hour: 23,
      minute: 43,
      second: 16,
      rfc3339: '2023-07-25T23:43:16Z',
      iso_year: 2023,
      iso_week: 30,
    },
  },
  {
    // Sunday 2021-01-03 still belongs to ISO week 53 of 2020.
    args: [1609632000],
    want: {
      year: 2021,
      year_day: 3,
      day: 3,
      month: 1,
      month_name: 'January',
      weekday: 0,
      weekday_name: 'Sunday',
      hour: 0,
      minute: 0,
      second: 0,
      rfc3339: '2021-01-03T00:00:00Z',
      iso_year: 2020,
      iso_week: 53,
    },
  },
  { args: [1.5], error: 'value must be a whole number, between -9223372036854775808 and 9223372036854775807 inclusive', argIndex: 0 },
]);
