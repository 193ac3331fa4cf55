/**
 * `.env` files as compose-go v2's dotenv package reads them (dotenv/parser.go).
 * The npm `dotenv` package differs in the ways that matter here (no variable
 * expansion, no `KEY:value` form, other escapes and comment rules), so this is
 * a port of compose's own rules:
 *
 *   KEY=value            unquoted: up to the end of the line, cut at " #",
 *                        trailing blanks dropped, variables expanded
 *   KEY="a\n${B}"        double quotes: may span lines; \n \t \\ \" \$ and
 *                        octal escapes; variables expanded
 *   KEY='a $B'           single quotes: literal (only \' is unescaped)
 *   export KEY=value     `export ` prefix ignored
 *   KEY: value           YAML-style separator
 *   KEY                  alone on its line: taken from the lookup, if set
 *   # comment            whole-line comments
 *
 * Expansion sees the keys defined earlier in the file first, then the lookup.
 */
import { bakeError, pos, type SourcePos, type SourceRange } from '../../core/diagnostics.js';
import { goQuote } from '../../golang/strconv.js';
import { goTrimRightSpace, isGoSpace } from '../../golang/strings.js';
import { interpolate, type Lookup } from './interpolate.js';

export interface DotenvOptions {
  /** The environment that `KEY` lines and expansion fall back to. */
  readonly lookup?: Lookup;
  /** Names the file in error ranges. */
  readonly filename?: string;
}

/** Parses `.env` text into its variables, in file order. Throws BakeFileError pointing at the offending line. */
export function parseDotenv(text: string, options: DotenvOptions = {}): Map<string, string> {
  return new DotenvParser(text.replace(/^\uFEFF/, ''), options).parse();
}

/** compose's isSpace: a blank that does not end a line. */
const INLINE_SPACE = /[\t\v\f\r \u0085\u00a0]/;
/** What a variable name may hold: letters, digits, `_`, `.`, `-` and brackets. */
const KEY_CHAR = /[\p{L}\p{N}_.\-[\]]/u;
/** Go regexp's \s, for the `export` prefix. */
const EXPORT_PREFIX = /^export[\t\n\f\r ]+/;
/** Escapes honoured in double quotes (compose's escapeSeqRegex). */
const ESCAPE = /\\(?:[abcfnrtv$"\\]|0\d{0,3})/g;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\a': '\x07',
  '\\b': '\b',
  '\\f': '\f',
  '\\n': '\n',
  '\\r': '\r',
  '\\t': '\t',
  '\\v': '\v',
  '\\"': '"',
  '\\\\': '\\',
  // Not a Go escape: compose turns it into `$$`, which interpolation reads as a literal `$`.
  '\\$': '$$',
};

class DotenvParser {
  private at = 0;
  private readonly vars = new Map<string, string>();
  private readonly lookup: Lookup;
  /** Offsets where lines start, for positions in error ranges. */
  private readonly lineStarts: number[] = [0];

  constructor(
    private readonly text: string,
    private readonly options: DotenvOptions,
  ) {
    this.lookup = options.lookup ?? (() => undefined);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  parse(): Map<string, string> {
    while (this.skipToStatement()) this.statement();
    return this.vars;
  }

  /** Skips blanks and comment lines; false at the end of the text. */
  private skipToStatement(): boolean {
    for (;;) {
      while (this.at < this.text.length && isGoSpace(this.text.charCodeAt(this.at))) this.at++;
      if (this.at >= this.text.length) return false;
      if (this.text[this.at] !== '#') return true;
      const eol = this.text.indexOf('\n', this.at);
      if (eol < 0) return false;
      this.at = eol;
    }
  }

  private statement(): void {
    if (EXPORT_PREFIX.test(this.text.slice(this.at, this.at + 64))) this.skipInlineSpace(this.at + 'export'.length);
    const keyStart = this.at;
    let end = keyStart;
    for (; end < this.text.length; end++) {
      const ch = this.text[end] as string;
      if (ch === '=' || ch === ':' || ch === '\n') break;
      if (!INLINE_SPACE.test(ch) && !KEY_CHAR.test(ch)) {
        throw this.error(`unexpected character ${goQuote(ch)} in variable name ${goQuote(this.lineAt(keyStart))}`, end, end + 1);
      }
    }
    const key = goTrimRightSpace(this.text.slice(keyStart, end));
    if (key.includes(' ')) throw this.error('key cannot contain a space', keyStart, end);
    // A name alone on its line (or at the end of the text) is taken from the lookup.
    if (end >= this.text.length || this.text[end] === '\n') {
      const value = this.lookup(key);
      if (value !== undefined) this.vars.set(key, value);
      this.at = end;
      return;
    }
    this.skipInlineSpace(end + 1);
    this.vars.set(key, this.value());
  }

  private value(): string {
    const quote = this.text[this.at];
    if (quote === '"' || quote === "'") return this.quotedValue(quote);
    const eol = this.text.indexOf('\n', this.at);
    const end = eol < 0 ? this.text.length : eol;
    const line = this.text.slice(this.at, end);
    const valueStart = this.at;
    this.at = end;
    const comment = line.indexOf(' #');
    const raw = goTrimRightSpace(comment < 0 ? line : line.slice(0, comment));
    return this.expand(raw, valueStart, end);
  }

  /** Up to the matching quote; a backslash keeps the next character (and itself, unless that is the quote). */
  private quotedValue(quote: string): string {
    const start = this.at;
    let raw = '';
    for (let i = start + 1; i < this.text.length; i++) {
      const ch = this.text[i] as string;
      if (ch === '\\' && i + 1 < this.text.length) {
        const next = this.text[i + 1] as string;
        raw += next === quote ? next : ch + next;
        i++;
      } else if (ch === quote) {
        this.at = i + 1;
        return quote === '"' ? this.expand(unescape(raw), start, this.at) : raw;
      } else raw += ch;
    }
    throw this.error(`unterminated quoted value ${this.lineAt(start)}`, start, start + this.lineAt(start).length);
  }

  /** Variables in a value: earlier keys of this file first, then the lookup. */
  private expand(value: string, from: number, to: number): string {
    const range = this.range(from, to);
    return interpolate(value, (name) => this.vars.get(name) ?? this.lookup(name), range ? { range } : {});
  }

  private skipInlineSpace(from: number): void {
    this.at = from;
    while (this.at < this.text.length && INLINE_SPACE.test(this.text[this.at] as string)) this.at++;
  }

  private lineAt(offset: number): string {
    const eol = this.text.indexOf('\n', offset);
    return this.text.slice(offset, eol < 0 ? undefined : eol);
  }

  private error(message: string, from: number, to: number): Error {
    const line = this.position(from).line;
    return bakeError(`line ${line}: ${message}`, this.range(from, to), 'Write each line as KEY=value; quote values that hold special characters.');
  }

  private range(from: number, to: number): SourceRange | undefined {
    const { filename } = this.options;
    return filename === undefined ? undefined : { filename, start: this.position(from), end: this.position(to) };
  }

  private position(offset: number): SourcePos {
    let line = 0;
    while (line + 1 < this.lineStarts.length && (this.lineStarts[line + 1] as number) <= offset) line++;
    return pos(line + 1, offset - (this.lineStarts[line] as number) + 1, offset);
  }
}

/** Double-quote escapes (compose's expandEscapes); unknown ones stay as written. */
function unescape(value: string): string {
  return value.replace(ESCAPE, (match) => {
    const simple = SIMPLE_ESCAPES[match];
    if (simple !== undefined) return simple;
    if (!match.startsWith('\\0')) return match;
    // `\0ddd` is rewritten to Go's `\ddd`, which must be exactly three octal digits.
    const octal = `\\${match.slice(2)}`;
    return /^\\[0-7]{3}$/.test(octal) && parseInt(octal.slice(1), 8) <= 0o377 ? String.fromCharCode(parseInt(octal.slice(1), 8)) : octal;
  });
}
