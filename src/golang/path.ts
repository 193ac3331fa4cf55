/**
 * Go's path package on `/`-separated paths (filepath is the same functions on
 * Unix): buildx matches target names with path.Match, fsutil filters a
 * context walk with filepath.Match and Clean, compose-go cleans relative
 * paths, and HCL's basename/dirname are path.Base and path.Dir.
 */

/** Go's path.ErrBadPattern: the pattern is malformed (checked in full, even after a mismatch). */
export class BadPatternError extends Error {
  constructor(pattern: string) {
    super(`The pattern ${JSON.stringify(pattern)} is malformed.`);
    this.name = 'BadPatternError';
  }
}

/** path.Clean: the shortest path naming the same file by purely lexical processing. */
export function goClean(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') out.push(part);
    else if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (!rooted) out.push('..');
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** path.Dir: all but the last element, cleaned. */
export function goDir(path: string): string {
  return goClean(path.slice(0, path.lastIndexOf('/') + 1));
}

/** path.Base: the last element, trailing slashes ignored; "." for "" and "/" for all slashes. */
export function goBase(path: string): string {
  if (path === '') return '.';
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** path.Join: the non-empty elements joined by `/` and cleaned; "" when all are empty. */
export function goJoin(...elements: string[]): string {
  const nonEmpty = elements.filter((e) => e !== '');
  return nonEmpty.length === 0 ? '' : goClean(nonEmpty.join('/'));
}

const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const STAR = 0x2a;
const QUESTION = 0x3f;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const CARET = 0x5e;
const HYPHEN = 0x2d;
const RUNE_ERROR = 0xfffd;

const utf8 = new TextEncoder();

/**
 * path.Match: `*` is any run of non-`/` characters, `?` one non-`/`
 * character, `[...]` a class (`^` negates, `lo-hi` ranges, `\` escapes) and
 * `\c` the character c; the whole name must match. Throws BadPatternError.
 * It runs on UTF-8 bytes as Go does, so a `*` can give way mid-character
 * exactly where Go's does.
 */
export function goMatch(pattern: string, name: string): boolean {
  const pat = utf8.encode(pattern);
  const s = utf8.encode(name);
  let p = 0;
  let at = 0;
  chunks: while (p < pat.length) {
    const { star, start, end } = scanChunk(pat, p);
    p = end;
    // A trailing star matches the rest of the name unless it has a `/`.
    if (star && start === end) return s.indexOf(SLASH, at) < 0;
    // Matched here, and either more pattern follows or the name is used up.
    const rest = matchChunk(pat, start, end, s, at, pattern);
    if (rest >= 0 && (rest === s.length || p < pat.length)) {
      at = rest;
      continue;
    }
    if (star) {
      // Let the star take one more byte at a time, never a `/`.
      for (let i = at; i < s.length && s[i] !== SLASH; i++) {
        const later = matchChunk(pat, start, end, s, i + 1, pattern);
        if (later < 0 || (p === pat.length && later < s.length)) continue;
        at = later;
        continue chunks;
      }
    }
    // Before answering false, Go checks that the rest of the pattern is well formed.
    while (p < pat.length) {
      const next = scanChunk(pat, p);
      p = next.end;
      matchChunk(pat, next.start, next.end, s, s.length, pattern);
    }
    return false;
  }
  return at === s.length;
}

/** The next chunk from `from`: leading stars, then bytes up to the next star outside a class. */
function scanChunk(pat: Uint8Array, from: number): { star: boolean; start: number; end: number } {
  let start = from;
  while (start < pat.length && pat[start] === STAR) start++;
  let inRange = false;
  let i = start;
  for (; i < pat.length; i++) {
    const c = pat[i];
    if (c === BACKSLASH) {
      if (i + 1 < pat.length) i++;
    } else if (c === LBRACKET) inRange = true;
    else if (c === RBRACKET) inRange = false;
    else if (c === STAR && !inRange) break;
  }
  return { star: start > from, start, end: i };
}

/**
 * Matches the chunk pat[start, end) at s[at…]: the index in s after it, or -1.
 * Like Go, it reads the whole chunk even after a mismatch, to report a bad pattern.
 */
function matchChunk(pat: Uint8Array, start: number, end: number, s: Uint8Array, at: number, pattern: string): number {
  let c = start;
  let i = at;
  let failed = false;
  while (c < end) {
    if (!failed && i >= s.length) failed = true;
    const op = pat[c];
    if (op === LBRACKET) {
      let r = -1;
      if (!failed) {
        const decoded = decodeRune(s, i, s.length);
        r = decoded.rune;
        i += decoded.size;
      }
      c++;
      let negated = false;
      if (c < end && pat[c] === CARET) {
        negated = true;
        c++;
      }
      let match = false;
      for (let ranges = 0; ; ranges++) {
        if (c < end && pat[c] === RBRACKET && ranges > 0) {
          c++;
          break;
        }
        const lo = classChar(pat, c, end, pattern);
        let hi = lo.rune;
        c = lo.next;
        if (pat[c] === HYPHEN) {
          const high = classChar(pat, c + 1, end, pattern);
          hi = high.rune;
          c = high.next;
        }
        if (lo.rune <= r && r <= hi) match = true;
      }
      if (match === negated) failed = true;
    } else if (op === QUESTION) {
      if (!failed) {
        if (s[i] === SLASH) failed = true;
        i += decodeRune(s, i, s.length).size;
      }
      c++;
    } else {
      if (op === BACKSLASH) {
        c++;
        if (c >= end) throw new BadPatternError(pattern);
      }
      if (!failed) {
        if (pat[c] !== s[i]) failed = true;
        i++;
      }
      c++;
    }
  }
  return failed ? -1 : i;
}

/** Go's getEsc: one possibly escaped character of a class; something must follow it in the chunk. */
function classChar(pat: Uint8Array, from: number, end: number, pattern: string): { rune: number; next: number } {
  let c = from;
  if (c >= end || pat[c] === HYPHEN || pat[c] === RBRACKET) throw new BadPatternError(pattern);
  if (pat[c] === BACKSLASH) {
    c++;
    if (c >= end) throw new BadPatternError(pattern);
  }
  const { rune, size } = decodeRune(pat, c, end);
  if ((rune === RUNE_ERROR && size === 1) || c + size >= end) throw new BadPatternError(pattern);
  return { rune, next: c + size };
}

/**
 * utf8.DecodeRune on bytes[at, end): the code point and its length, or
 * U+FFFD and 1 where no character starts (inside one, after a star skipped a
 * byte). The bytes come from TextEncoder, so they are otherwise well formed.
 */
function decodeRune(bytes: Uint8Array, at: number, end: number): { rune: number; size: number } {
  const lead = bytes[at] as number;
  if (lead < 0x80) return { rune: lead, size: 1 };
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
  if (size === 0 || at + size > end) return { rune: RUNE_ERROR, size: 1 };
  let rune = lead & (0x7f >> size);
  for (let k = 1; k < size; k++) {
    const next = bytes[at + k] as number;
    if ((next & 0xc0) !== 0x80) return { rune: RUNE_ERROR, size: 1 };
    rune = (rune << 6) | (next & 0x3f);
  }
  return { rune, size };
}
