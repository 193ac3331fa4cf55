/**
 * Go (RE2) regular expressions run on the JavaScript engine: the pattern is
 * translated to an equivalent JS pattern (Go's ASCII \d \s \w, `.` without
 * newline, (?i) (?m) (?s) (?U) flags anywhere, (?P<name>), \A \z \Q…\E,
 * POSIX classes); re2-match.ts iterates matches with Go's rules.
 */

/** A pattern Go would reject; `code` and `expr` follow regexp/syntax.Error. */
export class RegexSyntaxError extends Error {
  constructor(
    readonly code: string,
    readonly expr: string,
  ) {
    super(`${code}: \`${expr}\``);
  }
}

export interface Re2 {
  readonly regex: RegExp;
  /** Name of each capture group in order (undefined when unnamed). */
  readonly groupNames: readonly (string | undefined)[];
}

interface Flags {
  readonly i: boolean;
  readonly m: boolean;
  readonly s: boolean;
  readonly U: boolean;
}

type Range = readonly [number, number];

const MAX_CODE_POINT = 0x10ffff;
const DIGIT: readonly Range[] = [[0x30, 0x39]];
const SPACE: readonly Range[] = [
  [0x09, 0x0a],
  [0x0c, 0x0d],
  [0x20, 0x20],
];
const WORD: readonly Range[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const POSIX: Readonly<Record<string, readonly Range[]>> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: DIGIT,
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: WORD,
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};
const PERL_CLASSES: Readonly<Record<string, readonly Range[]>> = { d: DIGIT, s: SPACE, w: WORD };
const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { a: 0x07, f: 0x0c, t: 0x09, n: 0x0a, r: 0x0d, v: 0x0b };
const JS_SYNTAX = '^$\\.*+?()[]{}|/';

function complement(ranges: readonly Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

function classChar(cp: number): string {
  const ch = String.fromCodePoint(cp);
  return /^[0-9A-Za-z]$/.test(ch) ? ch : `\\u{${cp.toString(16)}}`;
}

function rangesToClass(ranges: readonly Range[]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? classChar(lo) : `${classChar(lo)}-${classChar(hi)}`)).join('');
}

/** Simple case variants of a code point (Go's (?i) folds through single code points only). */
function caseVariants(cp: number): number[] {
  const ch = String.fromCodePoint(cp);
  const variants = new Set([cp]);
  for (const mapped of [ch.toLowerCase(), ch.toUpperCase()]) {
    const mappedCp = mapped.codePointAt(0);
    if (mappedCp !== undefined && String.fromCodePoint(mappedCp) === mapped) variants.add(mappedCp);
  }
  return [...variants];
}

function foldRanges(ranges: readonly Range[]): Range[] {
  const out: Range[] = [...ranges];
  for (const [lo, hi] of ranges) {
    const loVariants = caseVariants(lo);
    const hiVariants = caseVariants(hi);
    for (let k = 1; k < Math.min(loVariants.length, hiVariants.length); k++) {
      const a = loVariants[k] ?? lo;
      const b = hiVariants[k] ?? hi;
      if (b - a === hi - lo) out.push([a, b]);
    }
  }
  return out;
}

function unicodeClass(name: string, negated: boolean): string {
  if (name === 'Any') return negated ? '[^\\s\\S]' : '[\\s\\S]';
  const property = /^[A-Z][a-z]?$/.test(name) ? name : `Script=${name}`;
  return `\\${negated ? 'P' : 'p'}{${property}}`;
}

/** The translator: one pass over the Go pattern, emitting JS source. */
class Translator {
  private pos = 0;
  private flags: Flags = { i: false, m: false, s: false, U: false };
  private readonly groupStack: Flags[] = [];
  readonly groupNames: (string | undefined)[] = [];
  private out = '';
  /** Whether the last emitted item can take a repetition operator. */
  private repeatable = false;

  constructor(private readonly pattern: string) {}

  translate(): string {
    while (this.pos < this.pattern.length) this.step();
    if (this.groupStack.length > 0) throw new RegexSyntaxError('missing closing )', this.pattern);
    return this.out;
  }

  private peekCodePoint(at = this.pos): number | undefined {
    return this.pattern.codePointAt(at);
  }

  private emitAtom(source: string): void {
    this.out += source;
    this.repeatable = true;
  }

  private emitLiteral(cp: number): void {
    const variants = this.flags.i ? caseVariants(cp) : [cp];
    if (variants.length > 1) return this.emitAtom(`[${variants.map(classChar).join('')}]`);
    const ch = String.fromCodePoint(cp);
    this.emitAtom(JS_SYNTAX.includes(ch) ? `\\${ch}` : ch);
  }

  private step(): void {
    const ch = this.pattern[this.pos] ?? '';
    switch (ch) {
      case '\\':
        return this.escape();
      case '[':
        return this.emitAtom(this.characterClass());
      case '(':
        return this.openGroup();
      case ')':
        return this.closeGroup();
      case '|':
        this.pos++;
        this.out += '|';
        this.repeatable = false;
        return;
      case '.':
        this.pos++;
        return this.emitAtom(this.flags.s ? '[\\s\\S]' : '[^\\n]');
      case '^':
        this.pos++;
        return this.emitAtom(this.flags.m ? '(?<![^\\n])' : '^');
      case '$':
        this.pos++;
        return this.emitAtom(this.flags.m ? '(?![^\\n])' : '$');
      case '*':
      case '+':
      case '?':
        return this.repetition(ch, 1);
      case '{': {
        const repeat = /^\{(\d+)(?:,(\d*))?\}/.exec(this.pattern.slice(this.pos));
        if (!repeat) {
          this.pos++;
          return this.emitLiteral(0x7b);
        }
        const [text, min = '', max] = repeat;
        if (Number(min) > 1000 || (max !== undefined && max !== '' && (Number(max) > 1000 || Number(max) < Number(min)))) {
          throw new RegexSyntaxError('invalid repeat count', text);
        }
        return this.repetition(text, text.length);
      }
      default: {
        const cp = this.peekCodePoint() ?? 0;
        this.pos += cp > 0xffff ? 2 : 1;
        return this.emitLiteral(cp);
      }
    }
  }

  private repetition(operator: string, length: number): void {
    const start = this.pos;
    this.pos += length;
    const lazy = this.pattern[this.pos] === '?';
    if (lazy) this.pos++;
    if (!this.repeatable) {
      if (/[*+?}]$/.test(this.pattern.slice(0, start)))
        throw new RegexSyntaxError('invalid nested repetition operator', this.pattern.slice(start - 1, this.pos));
      throw new RegexSyntaxError('missing argument to repetition operator', this.pattern.slice(start, this.pos));
    }
    // (?U) swaps greedy and lazy.
    this.out += operator + (lazy !== this.flags.U ? '?' : '');
    this.repeatable = false;
  }

  private openGroup(): void {
    const rest = this.pattern.slice(this.pos);
    const named = /^\(\?P?<([^>]*)>/.exec(rest);
    if (named) {
      const name = named[1] ?? '';
      if (!/^[A-Za-z0-9_]+$/.test(name)) throw new RegexSyntaxError('invalid named capture', named[0]);
      if (this.groupNames.includes(name)) throw new RegexSyntaxError('duplicate capture group name', named[0]);
      this.pos += named[0].length;
      this.beginGroup('(', name);
      return;
    }
    if (!rest.startsWith('(?')) {
      this.pos++;
      this.beginGroup('(', undefined);
      return;
    }
    const flagGroup = perlFlagGroup(rest);
    const { text, set, clear, terminator } = flagGroup;
    const next = { ...this.flags } as { i: boolean; m: boolean; s: boolean; U: boolean };
    for (const f of set) next[f as keyof Flags] = true;
    for (const f of clear) next[f as keyof Flags] = false;
    this.pos += text.length;
    if (terminator === ')') {
      // (?flags) applies to the rest of the enclosing group.
      this.flags = next;
      return;
    }
    this.groupStack.push(this.flags);
    this.flags = next;
    this.out += '(?:';
    this.repeatable = false;
  }

  private beginGroup(source: string, name: string | undefined): void {
    this.groupStack.push(this.flags);
    this.groupNames.push(name);
    this.out += source;
    this.repeatable = false;
  }

  private closeGroup(): void {
    const saved = this.groupStack.pop();
    if (!saved) throw new RegexSyntaxError('unexpected )', this.pattern);
    this.flags = saved;
    this.pos++;
    this.emitAtom(')');
  }

  /** Reads an escape that stands for one code point (octal, hex, \a \n …, escaped punctuation), or undefined. */
  private escapedCodePoint(): number | undefined {
    const start = this.pos;
    const c = this.pattern[this.pos + 1] ?? '';
    if (c >= '0' && c <= '7') {
      const octal = /^[0-7]{1,3}/.exec(this.pattern.slice(this.pos + 1))?.[0] ?? '';
      if (c !== '0' && octal.length === 1) throw new RegexSyntaxError('invalid escape sequence', this.pattern.slice(start, start + 2));
      this.pos += 1 + octal.length;
      return parseInt(octal, 8);
    }
    if (c === 'x') {
      const hex = /^x(?:\{([0-9A-Fa-f]{1,8})\}|([0-9A-Fa-f]{2}))/.exec(this.pattern.slice(this.pos + 1));
      const value = hex ? parseInt(hex[1] ?? hex[2] ?? '', 16) : NaN;
      if (!hex || value > MAX_CODE_POINT) throw new RegexSyntaxError('invalid escape sequence', this.pattern.slice(start, start + 4));
      this.pos += 1 + hex[0].length;
      return value;
    }
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) {
      this.pos += 2;
      return simple;
    }
    if (c !== '' && c < '\x80' && !/[0-9A-Za-z]/.test(c)) {
      this.pos += 2;
      return c.charCodeAt(0);
    }
    return undefined;
  }

  /** \pN, \p{Greek}, \PL, \p{^Greek}: advances past it and returns the JS source. */
  private unicodeEscape(): string {
    const match = /^\\([pP])(?:\{(\^?)([A-Za-z_]+)\}|([A-Za-z]))/.exec(this.pattern.slice(this.pos));
    if (!match) throw new RegexSyntaxError('invalid character class range', this.pattern.slice(this.pos, this.pos + 3));
    const negated = (match[1] === 'P') !== (match[2] === '^');
    const source = unicodeClass(match[3] ?? match[4] ?? '', negated);
    try {
      new RegExp(source, 'u');
    } catch {
      throw new RegexSyntaxError('invalid character class range', match[0]);
    }
    this.pos += match[0].length;
    return source;
  }

  private escape(): void {
    const c = this.pattern[this.pos + 1];
    if (c === undefined) throw new RegexSyntaxError('trailing backslash at end of expression', '');
    const perl = PERL_CLASSES[c.toLowerCase()];
    if (perl) {
      this.pos += 2;
      return this.emitAtom(`[${rangesToClass(c === c.toLowerCase() ? perl : complement(perl))}]`);
    }
    switch (c) {
      case 'b':
      case 'B':
        this.pos += 2;
        return this.emitAtom(`\\${c}`);
      case 'A':
        this.pos += 2;
        return this.emitAtom('(?<![\\s\\S])');
      case 'z':
        this.pos += 2;
        return this.emitAtom('(?![\\s\\S])');
      case 'C':
        this.pos += 2;
        return this.emitAtom('[\\s\\S]');
      case 'p':
      case 'P':
        return this.emitAtom(this.unicodeEscape());
      case 'Q': {
        const end = this.pattern.indexOf('\\E', this.pos + 2);
        const literal = this.pattern.slice(this.pos + 2, end < 0 ? undefined : end);
        this.pos = end < 0 ? this.pattern.length : end + 2;
        for (const ch of literal) this.emitLiteral(ch.codePointAt(0) ?? 0);
        return;
      }
    }
    const cp = this.escapedCodePoint();
    if (cp === undefined) throw new RegexSyntaxError('invalid escape sequence', `\\${c}`);
    this.emitLiteral(cp);
  }

  /** One member of a bracket class: a code point, or ranges/JS source for class escapes. */
  private classAtom(): number | { ranges: readonly Range[] } | { source: string } {
    const ch = this.pattern[this.pos] ?? '';
    if (ch === '[') {
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.pattern.slice(this.pos));
      const ranges = posix ? POSIX[posix[2] ?? ''] : undefined;
      if (posix) {
        if (!ranges) throw new RegexSyntaxError('invalid character class range', posix[0]);
        this.pos += posix[0].length;
        return { ranges: posix[1] === '^' ? complement(ranges) : ranges };
      }
    }
    if (ch === '\\') {
      const c = this.pattern[this.pos + 1] ?? '';
      const perl = PERL_CLASSES[c.toLowerCase()];
      if (perl) {
        this.pos += 2;
        return { ranges: c === c.toLowerCase() ? perl : complement(perl) };
      }
      if (c === 'p' || c === 'P') return { source: this.unicodeEscape() };
      const cp = this.escapedCodePoint();
      if (cp === undefined) throw new RegexSyntaxError('invalid escape sequence', this.pattern.slice(this.pos, this.pos + 2));
      return cp;
    }
    const cp = this.peekCodePoint() ?? 0;
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  private characterClass(): string {
    const start = this.pos;
    this.pos++;
    const negated = this.pattern[this.pos] === '^';
    if (negated) this.pos++;
    const ranges: Range[] = [];
    const sources: string[] = [];
    let first = true;
    for (;;) {
      if (this.pos >= this.pattern.length) throw new RegexSyntaxError('missing closing ]', this.pattern.slice(start));
      if (this.pattern[this.pos] === ']' && !first) break;
      first = false;
      const atomStart = this.pos;
      const lo = this.classAtom();
      if (typeof lo !== 'number') {
        if ('ranges' in lo) ranges.push(...lo.ranges);
        else sources.push(lo.source);
        continue;
      }
      if (this.pattern[this.pos] === '-' && this.pattern[this.pos + 1] !== ']' && this.pos + 1 < this.pattern.length) {
        this.pos++;
        const hi = this.classAtom();
        if (typeof hi !== 'number' || hi < lo) throw new RegexSyntaxError('invalid character class range', this.pattern.slice(atomStart, this.pos));
        ranges.push([lo, hi]);
      } else {
        ranges.push([lo, lo]);
      }
    }
    this.pos++;
    const members = this.flags.i ? foldRanges(ranges) : ranges;
    return `[${negated ? '^' : ''}${rangesToClass(members)}${sources.join('')}]`;
  }
}

/**
 * A `(?flags)` or `(?flags:` group opening, read as Go's parsePerlFlags reads
 * it: `(?:` (no flags) and `(?)` are valid, a `-` must be followed by at least
 * one flag, and an error quotes the text up to the character that broke it
 * (issue 16: `(?:ab)+` was refused, which semver-style patterns rely on).
 */
function perlFlagGroup(rest: string): { text: string; set: string; clear: string; terminator: ':' | ')' } {
  let set = '';
  let clear = '';
  let negated = false;
  let i = 2;
  while (i < rest.length) {
    const c = rest[i++] as string;
    if ('imsU'.includes(c)) {
      if (negated) clear += c;
      else set += c;
      continue;
    }
    if (c === '-' && !negated) {
      negated = true;
      continue;
    }
    if ((c === ':' || c === ')') && !(negated && clear === '')) return { text: rest.slice(0, i), set, clear, terminator: c };
    break;
  }
  throw new RegexSyntaxError('invalid or unsupported Perl syntax', rest.slice(0, i));
}

/** Compiles a Go regular expression, or throws RegexSyntaxError as Go's regexp.Compile would. */
export function compileRe2(pattern: string): Re2 {
  const translator = new Translator(pattern);
  const source = translator.translate();
  try {
    return { regex: new RegExp(source, 'gu'), groupNames: translator.groupNames };
  } catch {
    throw new RegexSyntaxError('invalid or unsupported Perl syntax', pattern);
  }
}
