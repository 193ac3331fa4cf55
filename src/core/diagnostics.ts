/**
 * Source positions and user-facing diagnostics. Every bake-file error carries a
 * range so the CLI can print file:line:col, a code frame and the fix
 * (architecture.md, habit 2); error-text.ts draws them.
 */
import { UserError } from './errors.js';

/** A point in a source file: 1-based line and column (in characters), 0-based character offset. */
export interface SourcePos {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/** A half-open span [start, end) in one file. */
export interface SourceRange {
  readonly filename: string;
  readonly start: SourcePos;
  readonly end: SourcePos;
}

export type Severity = 'error' | 'warning';

/** One problem found in a bake file. `summary` is the first sentence users search for. */
export interface Diagnostic {
  readonly severity: Severity;
  readonly summary: string;
  readonly detail?: string;
  /** What the user can do about it, one sentence. */
  readonly fix?: string;
  readonly range?: SourceRange;
}

/** A bake-file error: printed with its code frames. */
export class BakeFileError extends UserError {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: Diagnostic | readonly Diagnostic[]) {
    const list = Array.isArray(diagnostics) ? (diagnostics as readonly Diagnostic[]) : [diagnostics as Diagnostic];
    // The fixes stay in the diagnostics, beside the ranges they are about.
    super('bake-file', list.map((d) => messageOf(d)).join('; '));
    this.name = 'BakeFileError';
    this.diagnostics = list;
  }
}

/** The one-line message of a diagnostic: summary plus detail, as buildx words it. */
export function messageOf(d: Diagnostic): string {
  return d.detail ? `${d.summary}: ${d.detail}` : d.summary;
}

export function pos(line: number, column: number, offset: number): SourcePos {
  return { line, column, offset };
}

/** From the start of `a` to the end of `b`; two ranges of one SourceText make another, still unresolved. */
export function rangeBetween(a: SourceRange, b: SourceRange): SourceRange {
  if (a instanceof TextRange && b instanceof TextRange && a.source === b.source) return new TextRange(a.source, a.from, b.to);
  return { filename: a.filename, start: a.start, end: b.end };
}

const FILE_START: SourcePos = { line: 1, column: 1, offset: 0 };

/**
 * A text whose ranges are made from indices alone. Lines and columns are
 * worked out only when a range's `start` or `end` is read, which normally
 * happens only for a diagnostic: a parse of a large file makes tens of
 * thousands of ranges and reads none of them.
 */
export class SourceText {
  /** Indices of the text's line feeds from `firstIndex` on, found on first use. */
  private lineFeeds: number[] | undefined;
  /** Per line, whether it holds a surrogate pair (a code point that takes two indices), found on first use. */
  private astralLines: boolean[] | undefined;

  /**
   * `start` is the position of index `firstIndex`, for text embedded in
   * another file; characters before `firstIndex` (a byte order mark) take no column.
   */
  constructor(
    readonly filename: string,
    readonly text: string,
    private readonly start: SourcePos = FILE_START,
    private readonly firstIndex = 0,
  ) {}

  /** The range of text indices [from, to). */
  range(from: number, to: number): TextRange {
    return new TextRange(this, from, to);
  }

  /** The position of text index `index`: columns count code points, a tab is one column. */
  position(index: number): SourcePos {
    const feeds = this.lineFeeds ?? this.findLineFeeds();
    // Binary search for the number of line feeds before `index`.
    let lo = 0;
    let hi = feeds.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((feeds[mid] as number) < index) lo = mid + 1;
      else hi = mid;
    }
    const lineStart = lo === 0 ? this.firstIndex : (feeds[lo - 1] as number) + 1;
    // On a line without surrogate pairs a column is an index difference: counting code points on every
    // call made reading a long single-line file (minified JSON) quadratic.
    const astral = ((this.astralLines ??= [])[lo] ??= /[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(this.text.slice(lineStart, feeds[lo] ?? this.text.length)));
    return {
      line: this.start.line + lo,
      column: (lo === 0 ? this.start.column : 1) + (astral ? codePointCount(this.text, lineStart, index) : index - lineStart),
      offset: this.start.offset + index,
    };
  }

  private findLineFeeds(): number[] {
    const feeds: number[] = [];
    for (let at = this.text.indexOf('\n', this.firstIndex); at >= 0; at = this.text.indexOf('\n', at + 1)) feeds.push(at);
    this.lineFeeds = feeds;
    return feeds;
  }
}

/** A range of a SourceText, held as indices. */
export class TextRange implements SourceRange {
  constructor(
    readonly source: SourceText,
    readonly from: number,
    readonly to: number,
  ) {}

  get filename(): string {
    return this.source.filename;
  }

  get start(): SourcePos {
    return this.source.position(this.from);
  }

  get end(): SourcePos {
    return this.source.position(this.to);
  }
}

/** The number of code points in s[from, to): a surrogate pair is one. */
export function codePointCount(s: string, from = 0, to = s.length): number {
  let n = 0;
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(s.charCodeAt(k + 1))) k++;
    n++;
  }
  return n;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** A zero-width range at the start of a file, for errors about a whole file. */
export function fileStart(filename: string): SourceRange {
  const p = pos(1, 1, 0);
  return { filename, start: p, end: p };
}

/** Convenience constructor for the common case. */
export function bakeError(summary: string, range?: SourceRange, fix?: string, detail?: string): BakeFileError {
  return new BakeFileError({
    severity: 'error',
    summary,
    ...(detail !== undefined ? { detail } : {}),
    ...(fix !== undefined ? { fix } : {}),
    ...(range !== undefined ? { range } : {}),
  });
}
