/**
 * regex, regexall and regex_replace with Go regular expression syntax. The
 * shape of a match depends on the pattern's capture groups: none gives the
 * matched string, unnamed groups a list, named groups an object.
 */
import { FunctionError } from '../function.js';
import { T } from '../types.js';
import { makeObject, type Value } from '../value.js';
import { argString, define, param, type FunctionTable } from './args.js';
import { compileRe2, RegexSyntaxError, type Re2 } from './re2.js';
import { findAll, firstMatch, replaceAll, type Re2Match } from './re2-match.js';

type MatchShape = 'string' | 'tuple' | 'object';

/** Compiles a pattern for regex/regexall, rejecting what cty rejects (argument 0). */
function compilePattern(pattern: string): { re: Re2; shape: MatchShape } {
  let re: Re2;
  try {
    re = compileRe2(pattern);
  } catch (err) {
    if (err instanceof RegexSyntaxError) throw new FunctionError(`invalid regexp pattern: ${err.code} in ${err.expr}`, 0);
    throw err;
  }
  const named = re.groupNames.filter((n) => n !== undefined).length;
  const unnamed = re.groupNames.length - named;
  if (named > 0 && unnamed > 0) throw new FunctionError('invalid regexp pattern: cannot mix both named and unnamed capture groups', 0);
  return { re, shape: named > 0 ? 'object' : unnamed > 0 ? 'tuple' : 'string' };
}

/** A match as cty returns it; groups that did not take part are null. */
function matchValue(m: Re2Match, re: Re2, shape: MatchShape): Value {
  if (shape === 'string') return m.groups[0] ?? '';
  const groups = re.groupNames.map((_, i) => m.groups[i + 1] ?? null);
  if (shape === 'tuple') return groups;
  return makeObject(re.groupNames.map((name, i) => [name ?? '', groups[i] ?? null]));
}

function regex(pattern: string, s: string): Value {
  const { re, shape } = compilePattern(pattern);
  const first = firstMatch(re, s);
  if (!first) throw new FunctionError('pattern did not match any part of the given string');
  return matchValue(first, re, shape);
}

function regexAll(pattern: string, s: string): Value {
  const { re, shape } = compilePattern(pattern);
  return findAll(re, s).map((m) => matchValue(m, re, shape));
}

function regexReplace(s: string, pattern: string, replacement: string): string {
  let re: Re2;
  try {
    re = compileRe2(pattern);
  } catch (err) {
    if (err instanceof RegexSyntaxError) throw new FunctionError(`error parsing regexp: ${err.message}`);
    throw err;
  }
  return replaceAll(re, s, replacement);
}

const patternAndString = [param('pattern', T.string), param('string', T.string)];

export const REGEX_FUNCTIONS: FunctionTable = {
  regex: define(patternAndString, (args) => regex(argString(args, 0), argString(args, 1))),
  regexall: define(patternAndString, (args) => regexAll(argString(args, 0), argString(args, 1))),
  regex_replace: define([param('str', T.string), param('substr', T.string), param('replace', T.string)], (args) =>
    regexReplace(argString(args, 0), argString(args, 1), argString(args, 2)),
  ),
};
