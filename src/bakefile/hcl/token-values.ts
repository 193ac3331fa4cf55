/**
 * The values of number and literal tokens, for the parser: numbers in HCL's
 * syntax, and literals with their escapes resolved (an invalid backslash
 * escape is reported here, at the escape, as HCL reports it).
 */
import { bakeError, type BakeFileError } from '../../core/diagnostics.js';
import type { TokenList } from './tokenizer.js';
import { numberFromDecimalText, type Numeric } from '../expr/numeric.js';

const NUMBER_SYNTAX = /^\d+(?:\.\d*)?(?:[eE][+-]?\d+)?$/;

/** The value of a number token's text, exact as cty keeps it (numeric.ts), or undefined when it is malformed (like `1.2.3`). */
export function numberValue(text: string): Numeric | undefined {
  return NUMBER_SYNTAX.test(text) ? numberFromDecimalText(text) : undefined;
}

/**
 * The text of literal token i with escapes resolved: `$${` and `%%{` become
 * `${` and `%{`; in quoted literals backslash escapes are resolved too
 * (heredocs take backslashes literally).
 */
export function literalValue(tokens: TokenList, i: number): string {
  const raw = tokens.text(i);
  const quoted = tokens.types[i] === 'quotedLit';
  if (!raw.includes('{') && !(quoted && raw.includes('\\'))) return raw;
  let out = '';
  let k = 0;
  while (k < raw.length) {
    const c = raw[k] as string;
    if (quoted && c === '\\') {
      const escape = decodeEscape(raw, k, tokens, i);
      out += escape.value;
      k += escape.length;
    } else if ((c === '$' || c === '%') && raw[k + 1] === c && raw[k + 2] === '{') {
      out += `${c}{`;
      k += 3;
    } else {
      out += c;
      k++;
    }
  }
  return out;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

/** Decodes the backslash escape at `k` in `raw`, the text of quoted literal token i. */
function decodeEscape(raw: string, k: number, tokens: TokenList, i: number): { value: string; length: number } {
  const selector = String.fromCodePoint(raw.codePointAt(k + 1) as number);
  const simple = SIMPLE_ESCAPES[selector];
  if (simple !== undefined) return { value: simple, length: 2 };
  if (selector === 'u' || selector === 'U') return decodeUnicodeEscape(raw, k, selector === 'u' ? 4 : 8, tokens, i);
  throw escapeError(tokens, i, k, 1 + selector.length, `The symbol ${JSON.stringify(selector)} is not a valid escape sequence selector.`);
}

function decodeUnicodeEscape(raw: string, k: number, digits: number, tokens: TokenList, i: number): { value: string; length: number } {
  const hex = raw.slice(k + 2, k + 2 + digits);
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) {
    const hexLength = /^[0-9a-fA-F]*/.exec(hex)?.[0].length ?? 0;
    const word = digits === 4 ? 'four' : 'eight';
    throw escapeError(tokens, i, k, 2 + hexLength, `The \\${raw[k + 1]} escape sequence must be followed by ${word} hexadecimal digits.`);
  }
  const cp = parseInt(hex, 16);
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
    throw escapeError(tokens, i, k, 2 + digits, `Cannot encode character U+${hex.toLowerCase().replace(/^0+(?=.{4})/, '')} in UTF-8.`);
  }
  return { value: String.fromCodePoint(cp), length: 2 + digits };
}

/** The escape of `length` characters at `k` in literal token i is invalid. */
function escapeError(tokens: TokenList, i: number, k: number, length: number, detail: string): BakeFileError {
  const start = (tokens.starts[i] as number) + k;
  return bakeError(
    'Invalid escape sequence',
    tokens.source.range(start, start + length),
    'Use one of \\n, \\r, \\t, \\", \\\\, \\uNNNN or \\UNNNNNNNN, or write \\\\ for a literal backslash.',
    detail,
  );
}
