/**
 * The HCL2 native-syntax scanner. It mirrors hclsyntax's scanner
 * (scan_tokens.rl): newlines are tokens, quoted strings and heredocs are
 * split into literal runs and `${` / `%{` sequences, and characters HCL never
 * accepts are reported here, before parsing, exactly as HCL reports them first.
 *
 * Positions: 1-based line and column counted in code points (a tab is one
 * column), offset is the 0-based UTF-16 index into the text.
 */
import { bakeError, SourceText, type BakeFileError, type SourcePos, type SourceRange, type TextRange } from '../../core/diagnostics.js';
import { goTrimSpace } from '../../golang/strings.js';

export type Punctuation =
  | '{'
  | '}'
  | '['
  | ']'
  | '('
  | ')'
  | '.'
  | ','
  | '*'
  | '/'
  | '%'
  | '+'
  | '-'
  | '='
  | '<'
  | '>'
  | '!'
  | '?'
  | ':'
  | '=='
  | '!='
  | '<='
  | '>='
  | '&&'
  | '||'
  | '...'
  | '=>';

export type TokenType =
  | Punctuation
  | 'ident'
  | 'number'
  | 'newline'
  | 'eof'
  /** `"` opening a quoted template. */
  | 'oquote'
  /** `"` closing a quoted template. */
  | 'cquote'
  /** A literal run inside a quoted template; may contain backslash escapes. */
  | 'quotedLit'
  /** `<<EOT` or `<<-EOT` (the newline after the marker is consumed, not part of the token). */
  | 'oheredoc'
  /** A heredoc or bare-template literal run, without backslash escapes; it never spans past the end of its line. */
  | 'stringLit'
  /** The closing marker line of a heredoc, including its leading spaces. */
  | 'cheredoc'
  /** `${` or `${~`. */
  | 'interp'
  /** `%{` or `%{~`. */
  | 'control'
  /** `}` or `~}` ending an interpolation or directive. */
  | 'seqEnd';

/** One token as an object, for diagnostics; scanning and parsing use a TokenList's arrays. */
export interface Token {
  readonly type: TokenType;
  /** The token's source text. */
  readonly text: string;
  readonly range: SourceRange;
}

/**
 * A scanned text's tokens, the last being `eof`. They live in parallel arrays
 * rather than as objects: a large file has tens of thousands of tokens, and
 * the parser needs the text or range of only some of them.
 */
export class TokenList {
  readonly types: TokenType[] = [];
  /** Token i spans the text indices [starts[i], ends[i]). Each token but eof holds at least one character, which bounds their number. */
  readonly starts: Int32Array;
  readonly ends: Int32Array;

  constructor(readonly source: SourceText) {
    this.starts = new Int32Array(source.text.length + 1);
    this.ends = new Int32Array(source.text.length + 1);
  }

  push(type: TokenType, start: number, end: number): void {
    const i = this.types.length;
    this.starts[i] = start;
    this.ends[i] = end;
    this.types.push(type);
  }

  text(i: number): string {
    return this.source.text.slice(this.starts[i], this.ends[i]);
  }

  range(i: number): TextRange {
    return this.source.range(this.starts[i] as number, this.ends[i] as number);
  }

  token(i: number): Token {
    return { type: this.types[i] as TokenType, text: this.text(i), range: this.range(i) };
  }
}

/** A heredoc's lines, or a whole bare template's when there is no marker. */
interface LinesMode {
  readonly kind: 'lines';
  readonly marker: string | undefined;
  startOfLine: boolean;
}

type Mode = { readonly kind: 'main' } | { readonly kind: 'string' } | LinesMode;

/** `config` scans a file or a standalone expression; `template` scans a bare template (text with `${}` sequences, no quotes). */
export type ScanMode = 'config' | 'template';

const MAIN: Mode = { kind: 'main' };
const STRING: Mode = { kind: 'string' };

const ID_START = /\p{ID_Start}/u;

/*
 * Sticky patterns for the runs that make up most of a file's characters: the
 * native regex engine scans them far faster than a loop does in code that
 * runs once (a CLI parses cold). Each is a single character-class loop, which
 * takes no backtracking stack however long the run.
 */
/** An identifier; HCL allows `-` after the first character (`cache-from`). */
const IDENTIFIER = /[\p{ID_Start}_][\p{ID_Continue}-]*/uy;
/** Characters a quoted literal takes without a closer or escape check. */
const QUOTED_PLAIN = /[^"\\\r\n$%]*/y;
/** Characters a heredoc or bare-template literal takes without a closer or escape check. */
const LINE_PLAIN = /[^\r\n$%]*/y;

const SINGLE_PUNCTUATION = new Set<string>(['{', '}', '[', ']', '(', ')', '.', ',', '*', '/', '%', '+', '-', '=', '<', '>', '!', '?', ':']);

/** Two-character operators by their first character and then their second. */
const DOUBLE_OPERATORS: Readonly<Record<string, Readonly<Record<string, Punctuation>>>> = {
  '=': { '=': '==', '>': '=>' },
  '!': { '=': '!=' },
  '<': { '=': '<=' },
  '>': { '=': '>=' },
  '&': { '&': '&&' },
  '|': { '|': '||' },
};

/**
 * Splits text into tokens, ending with an `eof` token. Throws BakeFileError on
 * characters HCL rejects. `start` is the position of the text's first
 * character, for text embedded in another file.
 */
export function tokenize(filename: string, text: string, mode: ScanMode = 'config', start?: SourcePos): TokenList {
  // A UTF-8 byte order mark is not content (hclsyntax strips it too).
  const first = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  return new Scanner(new SourceText(filename, text, start, first), mode, first).run();
}

class Scanner {
  private readonly tokens: TokenList;
  private readonly text: string;
  private readonly modes: Mode[];
  /** Brace depth, and the depths at which a `}` ends a template sequence (as hclsyntax's retBraces). */
  private braces = 0;
  private readonly sequenceBraces: number[] = [];

  constructor(
    private readonly source: SourceText,
    mode: ScanMode,
    private i: number,
  ) {
    this.tokens = new TokenList(source);
    this.text = source.text;
    this.modes = [mode === 'config' ? MAIN : { kind: 'lines', marker: undefined, startOfLine: true }];
  }

  run(): TokenList {
    while (this.i < this.text.length) {
      const mode = this.modes[this.modes.length - 1] as Mode;
      if (mode.kind === 'main') this.scanMain();
      else if (mode.kind === 'string') this.scanString();
      else this.scanLines(mode);
    }
    this.tokens.push('eof', this.i, this.i);
    return this.tokens;
  }

  private fail(summary: string, start: number, end: number, detail: string, fix: string): BakeFileError {
    return bakeError(summary, this.source.range(start, end), fix, detail);
  }

  // ---- main (expression) mode ----

  /** Tests run roughly from the most frequent tokens to the least, without calls where a character comparison does. */
  private scanMain(): void {
    const start = this.i;
    const text = this.text;
    const c = text[start] as string;
    const next = text[start + 1];
    if (c === ' ' || c === '\t') {
      let at = start + 1;
      while (text[at] === ' ' || text[at] === '\t') at++;
      this.i = at;
    } else if (c === '\n' || (c === '\r' && next === '\n')) {
      this.i += c === '\n' ? 1 : 2;
      this.tokens.push('newline', start, this.i);
    } else if (c === '"') {
      this.i++;
      this.tokens.push('oquote', start, this.i);
      this.modes.push(STRING);
    } else if (isDigit(text.charCodeAt(start))) {
      this.i = scanNumberEnd(text, start);
      this.tokens.push('number', start, this.i);
    } else if (isIdentStart(text.codePointAt(start) as number)) {
      this.i = this.identEnd(start);
      this.tokens.push('ident', start, this.i);
    } else if (c === '#' || (c === '/' && next === '/')) {
      this.scanLineComment();
    } else if (c === '/' && next === '*') {
      this.scanBlockComment();
    } else if (c === '{') {
      this.i++;
      this.braces++;
      this.tokens.push('{', start, this.i);
    } else if (c === '}' || (c === '~' && next === '}')) {
      this.scanCloseBrace(c === '}' ? 1 : 2);
    } else if (!(c === '<' && this.tryHeredocOpener())) {
      this.scanOperator();
    }
  }

  /** End offset of an identifier starting at `start`, or `start` if there is none. */
  private identEnd(start: number): number {
    return runEnd(IDENTIFIER, this.text, start);
  }

  /** `#` and `//` comments run to the end of the line; the line break still counts as a newline. */
  private scanLineComment(): void {
    let at = this.i;
    while (at < this.text.length && this.text[at] !== '\n') at++;
    const breakStart = at > this.i && this.text[at - 1] === '\r' ? at - 1 : at;
    if (at < this.text.length) this.tokens.push('newline', breakStart, at + 1);
    this.i = at < this.text.length ? at + 1 : at;
  }

  private scanBlockComment(): void {
    const close = this.text.indexOf('*/', this.i + 2);
    if (close < 0) {
      throw this.fail(
        'Unterminated comment',
        this.i,
        this.i + 2,
        'There is no closing "*/" for this comment before the end of the file.',
        'Add "*/" where the comment should end.',
      );
    }
    this.i = close + 2;
  }

  private scanCloseBrace(length: number): void {
    const start = this.i;
    this.i += length;
    const endsSequence = this.sequenceBraces[this.sequenceBraces.length - 1] === this.braces;
    // `~}` is always a sequence end, so a `~}` closing a plain brace becomes a parse error, as in HCL.
    this.tokens.push(endsSequence || length === 2 ? 'seqEnd' : '}', start, this.i);
    if (endsSequence) {
      this.sequenceBraces.pop();
      this.modes.pop();
    }
    this.braces--;
  }

  /** `<<EOT` or `<<-EOT` directly followed by a line break opens a heredoc. */
  private tryHeredocOpener(): boolean {
    const start = this.i;
    if (this.text[start + 1] !== '<') return false;
    const markerStart = this.text[start + 2] === '-' ? start + 3 : start + 2;
    const markerEnd = this.identEnd(markerStart);
    if (markerEnd === markerStart) return false;
    const lineBreak = this.text[markerEnd] === '\n' ? 1 : this.text.startsWith('\r\n', markerEnd) ? 2 : 0;
    if (lineBreak === 0) return false;
    this.tokens.push('oheredoc', start, markerEnd);
    this.i = markerEnd + lineBreak;
    this.modes.push({ kind: 'lines', marker: this.text.slice(markerStart, markerEnd), startOfLine: true });
    return true;
  }

  private scanOperator(): void {
    const start = this.i;
    const c = this.text[start] as string;
    const operator = c === '.' && this.text.startsWith('...', start) ? '...' : DOUBLE_OPERATORS[c]?.[this.text[start + 1] as string];
    if (operator !== undefined) {
      this.i += operator.length;
      this.tokens.push(operator, start, this.i);
    } else if (SINGLE_PUNCTUATION.has(c)) {
      this.i++;
      this.tokens.push(c as Punctuation, start, this.i);
    } else {
      throw this.invalidCharacter(start);
    }
  }

  private invalidCharacter(start: number): BakeFileError {
    const c = String.fromCodePoint(this.text.codePointAt(start) as number);
    const end = start + c.length;
    const operator = BITWISE_OPERATORS[c];
    if (operator) return this.fail('Unsupported operator', start, end, `Bitwise operators are not supported.${operator.suggestion}`, operator.fix);
    const known = INVALID_CHARACTERS[c];
    if (known) return this.fail('Invalid character', start, end, known.detail, known.fix);
    return this.fail(
      'Invalid character',
      start,
      end,
      'This character is not used within the language.',
      'Remove this character, or put it inside a quoted string.',
    );
  }

  // ---- quoted template mode ----

  private scanString(): void {
    const start = this.i;
    const c = this.text[start] as string;
    if (c === '"') {
      this.i++;
      this.tokens.push('cquote', start, this.i);
      this.modes.pop();
    } else if (this.trySequenceOpener()) {
      return;
    } else if (c === '\n' || c === '\r') {
      throw this.fail(
        'Invalid multi-line string',
        start,
        c === '\r' && this.text[start + 1] === '\n' ? start + 2 : start + 1,
        'Quoted strings may not be split over multiple lines. To produce a multi-line string, either use the \\n escape to represent a newline character or use the "heredoc" multi-line template syntax.',
        'Close the string on this line: write \\n for a line break, or use a heredoc (<<EOT ... EOT) for multi-line text.',
      );
    } else {
      this.i = this.quotedLiteralEnd(start);
      if (this.i === start) throw this.invalidCharacter(start); // a backslash at the end of a line
      this.tokens.push('quotedLit', start, this.i);
    }
  }

  /** A quoted literal runs until a quote, a line break or a template sequence; `\x` pairs and `$${` / `%%{` stay inside. */
  private quotedLiteralEnd(start: number): number {
    const text = this.text;
    let at = start;
    for (;;) {
      at = runEnd(QUOTED_PLAIN, text, at);
      const c = text[at];
      if (c === '\\') {
        const next = text[at + 1];
        if (next === undefined || next === '\n' || next === '\r') return at;
        at += (text.codePointAt(at + 1) as number) > 0xffff ? 3 : 2;
      } else if ((c === '$' || c === '%') && !this.opensSequence(at)) {
        at += this.escapedSequenceLength(at);
      } else {
        return at; // a quote, a line break, a template sequence or the end of the text
      }
    }
  }

  /** 3 for `$${` or `%%{` (kept literal), otherwise 1. */
  private escapedSequenceLength(at: number): number {
    const c = this.text[at];
    return (c === '$' || c === '%') && this.text[at + 1] === c && this.text[at + 2] === '{' ? 3 : 1;
  }

  private opensSequence(at: number): boolean {
    const c = this.text[at];
    return (c === '$' || c === '%') && this.text[at + 1] === '{';
  }

  /** `${`, `${~`, `%{` or `%{~`: switch to expression mode until the matching `}`. */
  private trySequenceOpener(): boolean {
    const start = this.i;
    if (!this.opensSequence(start)) return false;
    this.i += this.text[start + 2] === '~' ? 3 : 2;
    this.tokens.push(this.text[start] === '$' ? 'interp' : 'control', start, this.i);
    this.braces++;
    this.sequenceBraces.push(this.braces);
    this.modes.push(MAIN);
    return true;
  }

  // ---- heredoc and bare template mode ----

  private scanLines(mode: LinesMode): void {
    const start = this.i;
    if (mode.startOfLine && mode.marker !== undefined && this.tryHeredocCloser(mode.marker)) return;
    if (this.trySequenceOpener()) {
      mode.startOfLine = false;
      return;
    }
    // The literal runs until a line break or a template sequence; `$${` / `%%{` stay inside.
    let at = runEnd(LINE_PLAIN, this.text, start);
    while ((this.text[at] === '$' || this.text[at] === '%') && !this.opensSequence(at)) {
      at = runEnd(LINE_PLAIN, this.text, at + this.escapedSequenceLength(at));
    }
    const lineBreak = this.text[at] === '\n' ? 1 : this.text.startsWith('\r\n', at) ? 2 : 0;
    if (lineBreak === 0 && this.text[at] === '\r') throw this.invalidCharacter(at);
    this.i = at + lineBreak;
    mode.startOfLine = lineBreak > 0;
    this.tokens.push('stringLit', start, this.i);
  }

  /** A line holding only the marker (spaces around it allowed) and ending in a line break closes the heredoc. */
  private tryHeredocCloser(marker: string): boolean {
    const start = this.i;
    const newline = this.text.indexOf('\n', start);
    if (newline < 0) return false;
    const lineEnd = this.text[newline - 1] === '\r' && newline - 1 >= start ? newline - 1 : newline;
    const line = this.text.slice(start, lineEnd);
    // A stray carriage return is an invalid character, never space around the marker.
    if (line.includes('\r') || goTrimSpace(line) !== marker) return false;
    this.tokens.push('cheredoc', start, lineEnd);
    this.tokens.push('newline', lineEnd, newline + 1);
    this.i = newline + 1;
    this.modes.pop();
    return true;
  }
}

const BITWISE_OPERATORS: Readonly<Record<string, { readonly suggestion: string; readonly fix: string }>> = {
  '&': { suggestion: ' Did you mean boolean AND ("&&")?', fix: 'Write "&&" for a logical AND.' },
  '|': { suggestion: ' Did you mean boolean OR ("||")?', fix: 'Write "||" for a logical OR.' },
  '~': { suggestion: ' Did you mean boolean NOT ("!")?', fix: 'Write "!" for a logical NOT.' },
  '^': { suggestion: '', fix: 'Remove the "^"; HCL has no bitwise operators.' },
};

const INVALID_CHARACTERS: Readonly<Record<string, { readonly detail: string; readonly fix: string }>> = {
  "'": { detail: 'Single quotes are not valid. Use double quotes (") to enclose strings.', fix: 'Use double quotes (") around the string.' },
  ';': {
    detail: 'The ";" character is not valid. Use newlines to separate arguments and blocks, and commas to separate items in collection values.',
    fix: 'Put each argument on its own line instead of separating them with ";".',
  },
  '`': {
    detail: 'The "`" character is not valid. To create a multi-line string, use the "heredoc" syntax, like "<<EOT".',
    fix: 'Use double quotes for a one-line string, or a heredoc (<<EOT ... EOT) for multi-line text.',
  },
};

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isIdentStart(cp: number): boolean {
  if (cp < 128) return isAsciiLetter(cp) || cp === 95;
  return ID_START.test(String.fromCodePoint(cp));
}

/** Where a match of the sticky `pattern` at `start` ends (`start` when there is none). */
function runEnd(pattern: RegExp, text: string, start: number): number {
  pattern.lastIndex = start;
  return pattern.test(text) ? pattern.lastIndex : start;
}

/**
 * A number is a digit followed by digits, dots and exponents (`e5`, `E-3`),
 * never ending in a dot: `1.` is the number 1 and then a dot, as in hclsyntax.
 */
function scanNumberEnd(text: string, start: number): number {
  let at = start + 1;
  for (;;) {
    const c = text.charCodeAt(at);
    if (isDigit(c) || c === 46) {
      at++;
    } else if (c === 101 || c === 69) {
      const sign = text[at + 1] === '+' || text[at + 1] === '-' ? 1 : 0;
      if (!isDigit(text.charCodeAt(at + 1 + sign))) break;
      at += 2 + sign;
    } else {
      break;
    }
  }
  while (text.charCodeAt(at - 1) === 46) at--;
  return at;
}
