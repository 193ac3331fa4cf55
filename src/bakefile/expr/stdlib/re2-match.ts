/**
 * Matching a compiled Go regular expression (re2.ts) as Go's regexp does:
 * the leftmost match, every match with Go's rules for empty matches, and
 * replacement with Go's Expand templates ($1, ${name}).
 */
import type { Re2 } from './re2.js';

function execAt(re: RegExp, s: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(s);
}

/** Width in code units of the code point at pos (0 at the end), to step past it. */
function codePointWidth(s: string, pos: number): number {
  if (pos >= s.length) return 0;
  return (s.codePointAt(pos) ?? 0) > 0xffff ? 2 : 1;
}

/** The leftmost match, as Go's FindStringSubmatch. */
export function firstMatch(re: Re2, s: string): RegExpExecArray | null {
  return execAt(re.regex, s, 0);
}

/** All successive non-overlapping matches, skipping an empty match right after a previous match (Go's FindAll). */
export function findAll(re: Re2, s: string): RegExpExecArray[] {
  const matches: RegExpExecArray[] = [];
  let pos = 0;
  let prevEnd = -1;
  while (pos <= s.length) {
    const m = execAt(re.regex, s, pos);
    if (!m) break;
    const end = m.index + m[0].length;
    let accept = true;
    if (end === pos) {
      if (m.index === prevEnd) accept = false;
      pos += codePointWidth(s, pos) || 1;
    } else {
      pos = end;
    }
    prevEnd = end;
    if (accept) matches.push(m);
  }
  return matches;
}

/** Go's Regexp.ReplaceAllString: `$1`, `${1}`, `$name`, `${name}` and `$$` in the template. */
export function replaceAll(re: Re2, src: string, template: string): string {
  let out = '';
  let lastEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    const m = execAt(re.regex, src, searchPos);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    out += src.slice(lastEnd, start);
    // No replacement for an empty match right after another match.
    if (end > lastEnd || start === 0) out += expandTemplate(template, m, re.groupNames);
    lastEnd = end;
    const width = codePointWidth(src, searchPos);
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + src.slice(lastEnd);
}

function expandTemplate(template: string, m: RegExpExecArray, names: readonly (string | undefined)[]): string {
  let out = '';
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar < 0) return out + rest;
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const ref = /^(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(rest);
    if (!ref) {
      out += '$';
      continue;
    }
    rest = rest.slice(ref[0].length);
    const name = ref[1] ?? ref[2] ?? '';
    const isNumber = /^(?:0|[1-9]\d{0,7})$/.test(name);
    const index = isNumber ? Number(name) : names.indexOf(name) + 1;
    if (index > 0 || (isNumber && index === 0)) out += m[index] ?? '';
  }
}
