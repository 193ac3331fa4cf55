/**
 * Go's path/filepath.Match and Clean (Unix), ported because fsutil filters
 * the walk with them and the daemon trusts whatever we send.
 */

export class BadPatternError extends Error {
  constructor(pattern: string) {
    super(`The pattern ${JSON.stringify(pattern)} is malformed.`);
    this.name = 'BadPatternError';
  }
}

const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const STAR = 0x2a;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

/** Go filepath.Match: `*` and `?` stop at `/`; `[...]` classes with `^`; `\` escapes. Throws BadPatternError. */
export function goMatch(pattern: string, name: string): boolean {
  let pat = codePoints(pattern);
  let s = codePoints(name);
  outer: while (pat.length > 0) {
    const { star, chunk, rest } = scanChunk(pat);
    pat = rest;
    if (star && chunk.length === 0) return !s.includes(SLASH);
    const first = matchChunk(chunk, s, pattern);
    if (first !== undefined && (first.length === 0 || pat.length > 0)) {
      s = first;
      continue;
    }
    if (star) {
      for (let i = 0; i < s.length && s[i] !== SLASH; i++) {
        const t = matchChunk(chunk, s.slice(i + 1), pattern);
        if (t !== undefined) {
          if (pat.length === 0 && t.length > 0) continue;
          s = t;
          continue outer;
        }
      }
    }
    // Go (1.16+) still checks the rest of the pattern's syntax before answering false.
    while (pat.length > 0) {
      const next = scanChunk(pat);
      pat = next.rest;
      matchChunk(next.chunk, [], pattern);
    }
    return false;
  }
  return s.length === 0;
}

function codePoints(s: string): number[] {
  return Array.from(s, (c) => c.codePointAt(0) as number);
}

function scanChunk(pattern: number[]): { star: boolean; chunk: number[]; rest: number[] } {
  let start = 0;
  while (start < pattern.length && pattern[start] === STAR) start++;
  let inRange = false;
  let i = start;
  scan: for (; i < pattern.length; i++) {
    switch (pattern[i]) {
      case BACKSLASH:
        if (i + 1 < pattern.length) i++;
        break;
      case LBRACKET:
        inRange = true;
        break;
      case RBRACKET:
        inRange = false;
        break;
      case STAR:
        if (!inRange) break scan;
    }
  }
  return { star: start > 0, chunk: pattern.slice(start, i), rest: pattern.slice(i) };
}

/** The rest of `s` after `chunk` matched its start, or undefined. Checks the whole chunk's syntax either way, as Go does. */
function matchChunk(chunkIn: number[], sIn: number[], source: string): number[] | undefined {
  let chunk = chunkIn;
  let s = sIn;
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    const c = chunk[0] as number;
    if (c === LBRACKET) {
      let r = -1;
      if (!failed) {
        r = s[0] as number;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
      let negated = false;
      if (chunk[0] === 0x5e /* ^ */) {
        negated = true;
        chunk = chunk.slice(1);
      }
      let match = false;
      let nrange = 0;
      for (;;) {
        if (chunk[0] === RBRACKET && nrange > 0) {
          chunk = chunk.slice(1);
          break;
        }
        const lo = getEsc(chunk, source);
        chunk = lo.rest;
        let hi = lo.r;
        if (chunk[0] === 0x2d /* - */) {
          const h = getEsc(chunk.slice(1), source);
          chunk = h.rest;
          hi = h.r;
        }
        if (lo.r <= r && r <= hi) match = true;
        nrange++;
      }
      if (match === negated) failed = true;
    } else if (c === 0x3f /* ? */) {
      if (!failed) {
        if (s[0] === SLASH) failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    } else {
      if (c === BACKSLASH) {
        chunk = chunk.slice(1);
        if (chunk.length === 0) throw new BadPatternError(source);
      }
      if (!failed) {
        if (chunk[0] !== s[0]) failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    }
  }
  return failed ? undefined : s;
}

function getEsc(chunkIn: number[], source: string): { r: number; rest: number[] } {
  let chunk = chunkIn;
  if (chunk.length === 0 || chunk[0] === 0x2d || chunk[0] === RBRACKET) throw new BadPatternError(source);
  if (chunk[0] === BACKSLASH) {
    chunk = chunk.slice(1);
    if (chunk.length === 0) throw new BadPatternError(source);
  }
  const r = chunk[0] as number;
  const rest = chunk.slice(1);
  if (rest.length === 0) throw new BadPatternError(source);
  return { r, rest };
}

/** Go filepath.Clean for `/`-separated paths. */
export function goClean(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

/** Go filepath.Dir. */
export function goDir(path: string): string {
  const at = path.lastIndexOf('/');
  return goClean(at < 0 ? '' : path.slice(0, at + 1));
}

/** Go filepath.Join. */
export function goJoin(...parts: string[]): string {
  const nonEmpty = parts.filter((p) => p !== '');
  return nonEmpty.length === 0 ? '' : goClean(nonEmpty.join('/'));
}
