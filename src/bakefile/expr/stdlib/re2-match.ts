/**
 * Matching a compiled Go regular expression (re2.ts) as Go's regexp does:
 * the leftmost match, every match with Go's rules for empty matches, and
 * replacement with Go's Expand templates ($1, ${name}).
 */
import type { Matcher } from 're2js';
import type { Re2 } from './re2.js';

export interface Re2Match {
  /** Where the match starts and ends in the string, in UTF-16 code units. */
  readonly start: number;
  readonly end: number;
  /** The whole match, then each capture group's text (null when the group took no part). */
  readonly groups: readonly (string | null)[];
}

/** The leftmost match at or after pos, seeing the text before pos as Go does (for ^ and \b). */
function execAt(matcher: Matcher, groupCount: number, pos: number): Re2Match | null {
  if (!matcher.find(pos)) return null;
  const groups = Array.from({ length: groupCount + 1 }, (_, i) => matcher.group(i));
  return { start: matcher.start(), end: matcher.end(), groups };
}

/** Width in code units of the code point at pos (0 at the end), to step past it. */
function codePointWidth(s: string, pos: number): number {
  if (pos >= s.length) return 0;
  return (s.codePointAt(pos) ?? 0) > 0xffff ? 2 : 1;
}

/** The leftmost match, as Go's FindStringSubmatch. */
export function firstMatch(re: Re2, s: string): Re2Match | null {
  return execAt(re.compiled.matcher(s), re.groupNames.length, 0);
}

/** All successive non-overlapping matches, skipping an empty match right after a previous match (Go's FindAll). */
export function findAll(re: Re2, s: string): Re2Match[] {
  const matcher = re.compiled.matcher(s);
  const matches: Re2Match[] = [];
  let pos = 0;
  let prevEnd = -1;
  while (pos <= s.length) {
    const m = execAt(matcher, re.groupNames.length, pos);
    if (!m) break;
    let accept = true;
    if (m.end === pos) {
      if (m.start === prevEnd) accept = false;
      pos += codePointWidth(s, pos) || 1;
    } else {
      pos = m.end;
    }
    prevEnd = m.end;
    if (accept) matches.push(m);
  }
  return matches;
}

/** Go's Regexp.ReplaceAllString: `$1`, `${1}`, `$name`, `${name}` and `$$` in the template. */
export function replaceAll(re: Re2, src: string, template: string): string {
  const matcher = re.compiled.matcher(src);
  let out = '';
  let lastEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    const m = execAt(matcher, re.groupNames.length, searchPos);
    if (!m) break;
    out += src.slice(lastEnd, m.start);
    // No replacement for an empty match right after another match.
    if (m.end > lastEnd || m.start === 0) out += expandTemplate(template, m, re.groupNames);
    lastEnd = m.end;
    const width = codePointWidth(src, searchPos);
    if (searchPos + width > m.end) searchPos += width;
    else if (searchPos + 1 > m.end) searchPos++;
    else searchPos = m.end;
  }
  return out + src.slice(lastEnd);
}

function expandTemplate(template: string, m: Re2Match, names: readonly (string | undefined)[]): string {
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
    if (index > 0 || (isNumber && index === 0)) out += m.groups[index] ?? '';
  }
}
