/**
 * How deep a JSON or TOML bake file nests its brackets, checked before its
 * parser runs: jsonc-parser and @iarna/toml recurse per bracket (2,000 levels
 * overflowed the stack, and TOML first took 19 s), and so does everything
 * after them. Past the HCL parser's limit the file is refused at the bracket
 * that goes too deep, as an HCL file is (issue 14).
 */
import type { SourceText } from '../../core/diagnostics.js';
import { nestingTooDeep } from '../hcl/parse-errors.js';
import { MAX_NESTING } from '../hcl/parser.js';

/** Quotes that open a string, longest first: TOML's multi-line forms, then single-line ones (JSON has only `"`). */
const QUOTES = { json: ['"'], toml: ['"""', "'''", '"', "'"] } as const;

/** Where the string opened by `quote` at `start` ends (past its closing quote), or the text's end. */
function stringEnd(text: string, start: number, quote: string): number {
  const escapes = quote.startsWith('"');
  for (let i = start + quote.length; i < text.length; i++) {
    if (escapes && text[i] === '\\') i++;
    else if (text.startsWith(quote, i)) return i + quote.length;
  }
  return text.length;
}

/** Throws "Nesting too deep" at the first `[` or `{` (outside strings and TOML comments) that passes MAX_NESTING. */
export function checkBracketNesting(source: SourceText, syntax: 'json' | 'toml'): void {
  const { text } = source;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '[' || ch === '{') {
      if (++depth > MAX_NESTING) throw nestingTooDeep(source.range(i, i + 1), MAX_NESTING);
    } else if (ch === ']' || ch === '}') {
      depth--;
    } else if (ch === '#' && syntax === 'toml') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else {
      const quote = QUOTES[syntax].find((q) => text.startsWith(q, i));
      if (quote) i = stringEnd(text, i, quote) - 1;
    }
  }
}
