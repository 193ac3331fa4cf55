/**
 * The few Go standard-library behaviours buildx and compose-go rely on:
 * strconv.ParseBool, strconv.Quote (`%q` in error messages) and
 * strings.TrimSpace, so that parsing and error wording match byte for byte.
 */

const GO_BOOLS: ReadonlyMap<string, boolean> = new Map([
  ...['1', 't', 'T', 'TRUE', 'true', 'True'].map((s) => [s, true] as const),
  ...['0', 'f', 'F', 'FALSE', 'false', 'False'].map((s) => [s, false] as const),
]);

/** strconv.ParseBool: only these twelve spellings are booleans; anything else is `undefined`. */
export function parseGoBool(text: string): boolean | undefined {
  return GO_BOOLS.get(text);
}

/** The error strconv.ParseBool returns for text it does not accept. */
export function goParseBoolError(text: string): string {
  return `strconv.ParseBool: parsing ${goQuote(text)}: invalid syntax`;
}

const GO_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

/** strconv.Quote: printable characters as they are, the rest escaped. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const escape = GO_ESCAPES[ch];
    if (escape !== undefined) out += escape;
    else if (ch === ' ' || !/[\p{C}\p{Z}]/u.test(ch)) out += ch;
    else out += goCodeEscape(ch.codePointAt(0) ?? 0);
  }
  return `${out}"`;
}

function goCodeEscape(code: number): string {
  if (code < 0x80) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
}

/** strings.TrimSpace: Go's unicode.IsSpace set, which differs from String.prototype.trim (no U+FEFF, adds U+0085). */
export function goTrimSpace(text: string): string {
  return text.replace(/^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g, '');
}
