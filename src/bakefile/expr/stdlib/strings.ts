/**
 * String functions from cty's stdlib (plus buildx's `sanitize`). Lengths and
 * offsets count grapheme clusters; case mapping and trimming follow Go's
 * strings package.
 */
import { FunctionError } from '../function.js';
import { T } from '../types.js';
import { compareStrings, type Value } from '../value.js';
import { argNumber, argString, define, param, toInt, type FunctionTable } from './args.js';
import { graphemes } from './graphemes.js';
import { goTrimSpace, isGoSpace } from '../../../golang/strings.js';

/** Go maps case rune by rune and keeps a rune whose mapping is not a single rune (ß stays ß). */
function mapRunes(s: string, map: (ch: string) => string): string {
  let out = '';
  for (const ch of s) {
    const mapped = map(ch);
    out += [...mapped].length === 1 ? mapped : ch;
  }
  return out;
}

const toUpper = (s: string): string => mapRunes(s, (ch) => ch.toUpperCase());
const toLower = (s: string): string => mapRunes(s, (ch) => ch.toLowerCase());

/** strings.Title's word separators: not ASCII alphanumerics or '_', not letters or digits; other non-ASCII only if space. */
function isSeparator(ch: string): boolean {
  if (ch <= '\x7f') return !/[0-9A-Za-z_]/.test(ch);
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return isGoSpace(ch.charCodeAt(0));
}

// The few letters whose title case differs from their upper case (Latin digraphs).
const TITLE_CASE: Readonly<Record<string, string>> = {
  Ǆ: 'ǅ',
  ǅ: 'ǅ',
  ǆ: 'ǅ',
  Ǉ: 'ǈ',
  ǈ: 'ǈ',
  ǉ: 'ǈ',
  Ǌ: 'ǋ',
  ǋ: 'ǋ',
  ǌ: 'ǋ',
  Ǳ: 'ǲ',
  ǲ: 'ǲ',
  ǳ: 'ǲ',
};

function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? (TITLE_CASE[ch] ?? toUpper(ch)) : ch;
    prev = ch;
  }
  return out;
}

/** strings.Trim: strip runes in cutset from both ends. */
function trimCutset(s: string, cutset: string): string {
  const cut = new Set(cutset);
  const runes = [...s];
  let start = 0;
  let end = runes.length;
  while (start < end && cut.has(runes[start] ?? '')) start++;
  while (end > start && cut.has(runes[end - 1] ?? '')) end--;
  return runes.slice(start, end).join('');
}

/** strings.Split: an empty separator splits into runes, and "" splits into nothing. */
function split(sep: string, s: string): string[] {
  return sep === '' ? [...s] : s.split(sep);
}

/** strings.Replace with n = -1: an empty `old` inserts `replacement` around every rune. */
function replaceAll(s: string, old: string, replacement: string): string {
  if (old === '') return [...s].reduce((acc, ch) => acc + ch + replacement, replacement);
  return s.split(old).join(replacement);
}

/**
 * cty substr: offset and length in characters; a negative offset counts from
 * the end and a negative length takes the rest. Like cty, a zero length after
 * a negative offset also takes the rest.
 */
function substr(s: string, offsetArg: number, lengthArg: number): string {
  let offset = toInt(offsetArg);
  const length = toInt(lengthArg);
  const chars = graphemes(s);
  if (offset < 0) offset = Math.max(offset + chars.length, 0);
  else if (length === 0) return '';
  const rest = chars.slice(offset);
  return (length <= 0 ? rest : rest.slice(0, length)).join('');
}

function join(args: readonly Value[]): string {
  const sep = argString(args, 0);
  const lists = args.slice(1) as (readonly Value[])[];
  if (lists.length === 0) throw new FunctionError('at least one list is required');
  const items: string[] = [];
  lists.forEach((list, li) => {
    list.forEach((item, ei) => {
      if (item === null) {
        const where = lists.length > 1 ? `element ${ei} of list ${li + 1}` : `element ${ei}`;
        throw new FunctionError(`${where} is null; cannot concatenate null values`, li + 1);
      }
      items.push(item as string);
    });
  });
  return items.join(sep);
}

function sortStrings(list: readonly Value[]): string[] {
  list.forEach((item, i) => {
    if (item === null) throw new FunctionError(`given list element ${i} is null; a null string cannot be sorted`);
  });
  return [...(list as readonly string[])].sort(compareStrings);
}

function indent(spaces: number, s: string): string {
  const count = toInt(spaces);
  if (count < 0) throw new FunctionError('strings: negative Repeat count');
  return s.replaceAll('\n', `\n${' '.repeat(count)}`);
}

/** buildx's sanitize: only [a-zA-Z0-9_-] survive, every other rune becomes "_". */
function sanitize(s: string): string {
  let out = '';
  for (const ch of s) out += /^[A-Za-z0-9_-]$/.test(ch) ? ch : '_';
  return out;
}

const str = param('str', T.string);
const oneString = (fn: (s: string) => Value) => define([str], (args) => fn(argString(args, 0)));

export const STRING_FUNCTIONS: FunctionTable = {
  upper: oneString(toUpper),
  lower: oneString(toLower),
  title: oneString(title),
  reverse: oneString((s) => graphemes(s).reverse().join('')),
  strlen: oneString((s) => graphemes(s).length),
  chomp: oneString((s) => s.replace(/(?:\r\n?|\n)*$/, '')),
  trimspace: oneString(goTrimSpace),
  sanitize: oneString(sanitize),
  substr: define([str, param('offset', T.number), param('length', T.number)], (args) => substr(argString(args, 0), argNumber(args, 1), argNumber(args, 2))),
  join: define([param('separator', T.string)], join, param('lists', T.list(T.string))),
  sort: define([param('list', T.list(T.string))], (args) => sortStrings(args[0] as readonly Value[])),
  split: define([param('separator', T.string), str], (args) => split(argString(args, 0), argString(args, 1))),
  indent: define([param('spaces', T.number), str], (args) => indent(argNumber(args, 0), argString(args, 1))),
  trim: define([str, param('cutset', T.string)], (args) => trimCutset(argString(args, 0), argString(args, 1))),
  trimprefix: define([str, param('prefix', T.string)], (args) => {
    const [s, prefix] = [argString(args, 0), argString(args, 1)];
    return s.startsWith(prefix) ? s.slice(prefix.length) : s;
  }),
  trimsuffix: define([str, param('suffix', T.string)], (args) => {
    const [s, suffix] = [argString(args, 0), argString(args, 1)];
    return s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s;
  }),
  replace: define([str, param('substr', T.string), param('replace', T.string)], (args) =>
    replaceAll(argString(args, 0), argString(args, 1), argString(args, 2)),
  ),
};
