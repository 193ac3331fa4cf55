import { cases } from './stdlib-support.js';

cases('regex', [
  { args: ['h.llo', 'hello'], want: 'hello' },
  { args: ['[a-z]+', '123abc456'], want: 'abc' },
  { args: ['(\\d+)-(\\d+)', 'a 12-34 b'], want: ['12', '34'] },
  { args: ['(?P<year>\\d{4})-(?P<month>\\d{2})', 'on 2024-05'], want: { year: '2024', month: '05' } },
  { args: ['(?<y>\\d+)', 'x7'], want: { y: '7' } },
  { args: ['(a)|(b)', 'b'], want: [null, 'b'] },
  { args: ['(?i)HELLO', 'say hello'], want: 'hello' },
  { args: ['a(?i:B)c', 'abc aBc'], want: 'abc' },
  { args: ['(?s)a.b', 'a\nb'], want: 'a\nb' },
  { args: ['(?m)^b$', 'a\nb\nc'], want: 'b' },
  { args: ['^\\w+', 'héllo'], want: 'h' }, // \w is ASCII-only in Go
  { args: ['\\s+', 'a\u00a0 \tb'], want: ' \t' }, // so is \s
  { args: ['[[:upper:]]+', 'abCDe'], want: 'CD' },
  { args: ['[^[:alpha:]]+', 'ab12cd'], want: '12' },
  { args: ['\\pL+', '12été'], want: 'été' },
  { args: ['\\p{Greek}+', 'abc αβγ'], want: 'αβγ' },
  { args: ['\\Qa.b\\E', 'axb a.b'], want: 'a.b' },
  { args: ['a{2}', 'a{2} aa'], want: 'aa' },
  { args: ['x{', 'x{'], want: 'x{' },
  { args: ['[]a]+', 'x]a]'], want: ']a]' },
  { args: ['\\x41\\x{263a}', 'A☺'], want: 'A☺' },
  { args: ['a+?', 'aaa'], want: 'a' },
  { args: ['(?U)a+', 'aaa'], want: 'a' },
  // RE2 non-capturing groups (issue 16): semver-style patterns use them.
  { args: ['^v(?:[0-9]+)\\.([0-9]+)', 'v1.22'], want: ['22'] },
  { args: ['(?:ab)+', 'xababy'], want: 'abab' },
  { args: ['a(?)b', 'ab'], want: 'ab' },
  { args: ['a(?i-s:B.)c', 'aBxc'], want: 'aBxc' },
  { args: ['\\Aab\\z', 'ab'], want: 'ab' },
  // Go's leftmost-first matching takes the empty group (a JavaScript RegExp leaves it out).
  { args: ['()?', 'x'], want: [''] },
  // Repeating an assertion, and repeating what precedes a flag group, are valid in Go.
  { args: ['\\b?x', 'x'], want: 'x' },
  { args: ['x(?i)+', 'xx'], want: 'xx' },
  { args: ['x', 'abc'], error: 'pattern did not match any part of the given string' },
  { args: ['(a)(?P<b>b)', 'ab'], error: 'invalid regexp pattern: cannot mix both named and unnamed capture groups', argIndex: 0 },
  { args: ['(abc', 'abc'], error: 'invalid regexp pattern: missing closing ) in (abc', argIndex: 0 },
  { args: ['a**', 'a'], error: 'invalid regexp pattern: invalid nested repetition operator in **', argIndex: 0 },
  { args: ['*a', 'a'], error: 'invalid regexp pattern: missing argument to repetition operator in *', argIndex: 0 },
  { args: ['\\8', 'a'], error: 'invalid regexp pattern: invalid escape sequence in \\8', argIndex: 0 },
  { args: ['(?=a)', 'a'], error: 'invalid regexp pattern: invalid or unsupported Perl syntax in (?=', argIndex: 0 },
  { args: ['(?i-:a)', 'a'], error: 'invalid regexp pattern: invalid or unsupported Perl syntax in (?i-:', argIndex: 0 },
  { args: ['(?-)a', 'a'], error: 'invalid regexp pattern: invalid or unsupported Perl syntax in (?-)', argIndex: 0 },
  { args: [1, 'a1b'], want: '1' },
]);

cases('regexall', [
  { args: ['[a-z]+', 'abc123xyz'], want: ['abc', 'xyz'] },
  { args: ['\\d', 'none'], want: [] },
  { args: ['(?:ab)+', 'abab-ab'], want: ['abab', 'ab'] },
  {
    args: ['(\\w)=(\\w)', 'a=1 b=2'],
    want: [
      ['a', '1'],
      ['b', '2'],
    ],
  },
  {
    args: ['(?P<k>\\w)=(?P<v>\\w)', 'a=1 b=2'],
    want: [
      { k: 'a', v: '1' },
      { k: 'b', v: '2' },
    ],
  },
  // Go skips an empty match right after a previous match.
  { args: ['a*', 'baaac'], want: ['', 'aaa', ''] },
  { args: ['', 'abc'], want: ['', '', '', ''] },
  { args: ['b|', 'abc'], want: ['', 'b', ''] },
  { args: ['.', '👍é'], want: ['👍', 'é'] },
  // A position inside a surrogate pair is not a place to match at.
  { args: ['\\z', 'a👍'], want: [''] },
  { args: ['[', 'a'], error: 'invalid regexp pattern: missing closing ] in [', argIndex: 0 },
]);

cases('regex_replace', [
  { args: ['abc123xyz', '[0-9]+', 'NUM'], want: 'abcNUMxyz' },
  { args: ['a-b c-d', '(\\w)-(\\w)', '$2-$1'], want: 'b-a d-c' },
  { args: ['ab-cd', '(?P<first>\\w+)-(\\w+)', '${first}_$2'], want: 'ab_cd' },
  { args: ['ab-cd', '(\\w+)-(\\w+)', '$1x'], want: '' }, // $1x names a group "1x", which does not exist
  { args: ['ab-cd', '(\\w+)-(\\w+)', '${1}x'], want: 'abx' },
  { args: ['ab-cd', '(\\w+)-(\\w+)', '$$1 $'], want: '$1 $' },
  { args: ['ab-cd', '(\\w+)-(\\w+)', '$9'], want: '' },
  { args: ['baaac', 'a*', '<$0>'], want: '<>b<aaa>c<>' },
  { args: ['abc', '', '-'], want: '-a-b-c-' },
  { args: ['a.b.c', '\\.', '/'], want: 'a/b/c' },
  { args: ['x', '(', 'y'], error: 'error parsing regexp: missing closing ): `(`' },
  { args: ['x', 'x{2}**', 'y'], error: 'error parsing regexp: invalid nested repetition operator: `{2}*`' },
  { args: ['x', '\\C', 'y'], error: 'error parsing regexp: invalid escape sequence: `\\C`' },
  { args: ['x', 'x{1001}', 'y'], error: 'error parsing regexp: invalid repeat count: `{1001}`' },
  { args: ['x', '[z-a]', 'y'], error: 'error parsing regexp: invalid character class range: `z-a`' },
]);
