/**
 * Go (RE2) regular expressions, compiled by re2js, a port of RE2/J that
 * parses Go's regexp/syntax and matches in time linear in the input: a bake
 * file's `(a+)+$` cannot backtrack for hours as a JavaScript RegExp does
 * (issue 14). re2-match.ts iterates matches with Go's rules. re2js (its
 * Unicode tables take 20 ms to load) is loaded on first use only, so
 * importing the stdlib stays cheap.
 */
import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';

type Re2js = typeof import('re2js');
let re2jsModule: Re2js | undefined;
const loadRe2js = (): Re2js => (re2jsModule ??= createRequire(import.meta.url)('re2js') as Re2js);

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
  readonly compiled: RE2JS;
  /** Name of each capture group in order (undefined when unnamed). */
  readonly groupNames: readonly (string | undefined)[];
}

/** Compiles a Go regular expression, or throws RegexSyntaxError as Go's regexp.Compile would. */
export function compileRe2(pattern: string): Re2 {
  const { RE2JS, RE2JSSyntaxException } = loadRe2js();
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (err) {
    if (err instanceof RE2JSSyntaxException) throw new RegexSyntaxError(err.getDescription(), err.getPattern() ?? '');
    throw err;
  }
  const groupNames: (string | undefined)[] = Array.from({ length: compiled.groupCount() }, () => undefined);
  for (const [name, group] of Object.entries(compiled.namedGroups())) groupNames[group - 1] = name;
  return { compiled, groupNames };
}
