/**
 * Docker's fileutils.PatternMatcher as vendored in moby 20.10.24: the
 * semantics of exclude-patterns (.dockerignore). Patterns become regular
 * expressions the way moby builds them; `!` negates; the last match wins; a
 * pattern also matches when it matches a parent directory.
 */
import { BadPatternError, goClean, goDir, goMatch } from '../../golang/path.js';

export interface Pattern {
  /** The cleaned pattern without its `!`. */
  readonly text: string;
  readonly exclusion: boolean;
  readonly dirs: number;
  readonly regexp: RegExp;
}

export class PatternMatcher {
  readonly patterns: readonly Pattern[];
  readonly exclusions: boolean;

  constructor(patterns: readonly string[]) {
    const list: Pattern[] = [];
    for (const raw of patterns) {
      let p = raw.trim();
      if (p === '') continue;
      p = goClean(p);
      let exclusion = false;
      if (p.startsWith('!')) {
        if (p.length === 1) throw new Error('The exclude pattern "!" is illegal: it must name what to re-include.');
        exclusion = true;
        p = p.slice(1);
      }
      goMatch(p, '.'); // syntax check, as moby does
      list.push({ text: p, exclusion, dirs: p.split('/').length, regexp: patternRegExp(p) });
    }
    this.patterns = list;
    this.exclusions = list.some((p) => p.exclusion);
  }

  /** Whether `file` (clean, relative, `/`-separated) is excluded. */
  matches(file: string): boolean {
    let matched = false;
    const parentPath = goDir(file);
    const parentDirs = parentPath.split('/');
    for (const pattern of this.patterns) {
      let match = pattern.regexp.test(file);
      if (!match && parentPath !== '.' && pattern.dirs <= parentDirs.length) {
        match = pattern.regexp.test(parentDirs.slice(0, pattern.dirs).join('/'));
      }
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }
}

// `?` is one code point, as Go's rune scanner reads it.
const ONE_CHAR = '(?:[^/\\uD800-\\uDBFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])';

/** moby's Pattern.compile: everything not translated passes through as regexp syntax, as it does there. */
export function patternRegExp(pattern: string): RegExp {
  let re = '^';
  const cs = Array.from(pattern);
  for (let i = 0; i < cs.length; i++) {
    const ch = cs[i] as string;
    if (ch === '*') {
      if (cs[i + 1] === '*') {
        i++;
        if (cs[i + 1] === '/') i++;
        re += i + 1 >= cs.length ? '.*' : '(.*/)?';
      } else {
        re += '[^/]*';
      }
    } else if (ch === '?') {
      re += ONE_CHAR;
    } else if (ch === '.' || ch === '$') {
      re += '\\' + ch;
    } else if (ch === '\\') {
      // Unreachable when trailing: goMatch has rejected the pattern already.
      const next = cs[i + 1] ?? '';
      re += '\\' + next;
      i++;
    } else {
      re += ch;
    }
  }
  re += '$';
  try {
    return new RegExp(re);
  } catch {
    throw new BadPatternError(pattern);
  }
}
