/**
 * Go's strconv as buildx and compose-go use it: ParseBool, ParseInt (base
 * 10, 64 bits), and Quote and QuoteRune (`%q` in error messages), so that
 * parsing and error wording match byte for byte.
 */

const GO_BOOLS: ReadonlyMap<string, boolean> = new Map([
  ...['1', 't', 'T', 'TRUE', 'true', 'True'].map((s) => [s, true] as const),
  ...['0', 'f', 'F', 'FALSE', 'false', 'False'].map((s) => [s, false] as const),
]);

/** strconv.ParseBool: only these twelve spellings are booleans; anything else is `undefined`. */
export function parseGoBool(text: string): boolean | undefined {
  return GO_BOOLS.get(text);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * strconv.ParseInt(text, 10, 64): an optional sign and decimal digits (no
 * underscores, no spaces) within int64; `undefined` otherwise. The result is
 * a JS number, exact up to 2^53.
 */
export function parseGoInt64(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const n = BigInt(text);
  return n < INT64_MIN || n > INT64_MAX ? undefined : Number(n);
}

/** The error strconv.ParseBool returns for text it does not accept. */
export function goParseBoolError(text: string): string {
  return `strconv.ParseBool: parsing ${goQuote(text)}: invalid syntax`;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
};

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function escapeRune(ch: string, quote: string): string {
  if (ch === quote) return `\\${quote}`;
  const simple = SIMPLE_ESCAPES[ch];
  if (simple !== undefined) return simple;
  if (PRINTABLE.test(ch)) return ch;
  const cp = ch.codePointAt(0) ?? 0;
  if (cp >= 0xd800 && cp <= 0xdfff) return '\\ufffd';
  if (cp < 0x80) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}

/** strconv.Quote: a double-quoted Go string literal. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch, '"');
  return `${out}"`;
}

/** strconv.QuoteRune: a single-quoted Go rune literal, as %q prints a rune. */
export function goQuoteRune(ch: string): string {
  return `'${escapeRune(ch, "'")}'`;
}
