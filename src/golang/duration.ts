/**
 * Go's time.ParseDuration: Docker reads health check durations with it,
 * bake's --wait-timeout is written as one, and cty's timeadd takes one.
 */

/** A text time.ParseDuration refuses; the message is Go's. */
export class DurationError extends Error {}

const utf8 = new TextEncoder();

/** time's own quoting in duration errors: non-ASCII and control bytes as \xNN. */
function timeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    if (ch < ' ' || ch > '\x7f') {
      for (const byte of utf8.encode(ch)) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    } else {
      out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
    }
  }
  return `${out}"`;
}

const DURATION_UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const INT64_LIMIT = 1n << 63n;

/** Go's time.ParseDuration, in nanoseconds. */
export function parseDuration(text: string): bigint {
  const invalid = (): DurationError => new DurationError(`time: invalid duration ${timeQuote(text)}`);
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let total = 0n;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s);
    const intDigits = m?.[1] ?? '';
    const fracDigits = m?.[2];
    if (!m || (intDigits === '' && (fracDigits ?? '') === '')) throw invalid();
    s = s.slice(m[0].length);
    const unitText = /^[^.\d]*/.exec(s)?.[0] ?? '';
    if (unitText === '') throw new DurationError(`time: missing unit in duration ${timeQuote(text)}`);
    s = s.slice(unitText.length);
    const unit = DURATION_UNITS[unitText];
    if (unit === undefined) throw new DurationError(`time: unknown unit ${timeQuote(unitText)} in duration ${timeQuote(text)}`);
    let value = BigInt(intDigits || '0');
    // Up to 2^63 itself, as Go allows: -9223372036854775808ns is the least duration.
    if (value > INT64_LIMIT / unit) throw invalid();
    value *= unit;
    if (fracDigits) {
      // Go keeps fraction digits while they fit in an int64 and scales through float64.
      let fraction = 0n;
      let scale = 1;
      for (const digit of fracDigits) {
        const next = fraction * 10n + BigInt(digit);
        if (next > INT64_LIMIT) break;
        fraction = next;
        scale *= 10;
      }
      value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
      if (value > INT64_LIMIT) throw invalid();
    }
    total += value;
    if (total > INT64_LIMIT) throw invalid();
  }
  if (negative) return -total;
  if (total > INT64_LIMIT - 1n) throw invalid();
  return total;
}
