import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goParseBoolError, goQuote, goQuoteRune, parseGoBool } from '../../src/golang/strconv.js';
import { goFields, goTrimLeftSpace, goTrimRightSpace, goTrimSpace, isGoSpace } from '../../src/golang/strings.js';

// unicode.IsSpace: Latin-1's six plus NEL and NBSP, then Unicode's White_Space.
const GO_SPACES = [
  0x09,
  0x0a,
  0x0b,
  0x0c,
  0x0d,
  0x20,
  0x85,
  0xa0,
  0x1680,
  ...Array.from({ length: 11 }, (_, i) => 0x2000 + i),
  0x2028,
  0x2029,
  0x202f,
  0x205f,
  0x3000,
];

test('isGoSpace is unicode.IsSpace', () => {
  for (let c = 0; c <= 0xffff; c++) assert.equal(isGoSpace(c), GO_SPACES.includes(c), `U+${c.toString(16)}`);
});

test('goTrimSpace, goTrimLeftSpace, goTrimRightSpace and goFields follow Go strings', () => {
  const trims: [input: string, both: string, left: string, right: string][] = [
    ['', '', '', ''],
    [' \t\n', '', '', ''],
    [' a b ', 'a b', 'a b ', ' a b'],
    ['\u0085\u00a0x\u3000\u2028', 'x', 'x\u3000\u2028', '\u0085\u00a0x'],
    // U+FEFF and U+200B are not spaces to Go, unlike to String.prototype.trim.
    ['\ufeffx\u200b', '\ufeffx\u200b', '\ufeffx\u200b', '\ufeffx\u200b'],
  ];
  for (const [input, both, left, right] of trims) {
    assert.equal(goTrimSpace(input), both, JSON.stringify(input));
    assert.equal(goTrimLeftSpace(input), left, JSON.stringify(input));
    assert.equal(goTrimRightSpace(input), right, JSON.stringify(input));
  }
  // Go's strings_test.go fieldstests, then ours.
  const fields: [input: string, words: string[]][] = [
    ['', []],
    [' ', []],
    [' \t ', []],
    ['\u2000', []],
    ['  abc  ', ['abc']],
    ['1 2 3 4', ['1', '2', '3', '4']],
    ['1  2  3  4', ['1', '2', '3', '4']],
    ['1\t\t2\t\t3\t4', ['1', '2', '3', '4']],
    ['1\u20002\u20013\u20024', ['1', '2', '3', '4']],
    ['\u2000\u2001\u2002', []],
    ['\n™\t™\n', ['™', '™']],
    ['\u0085a\u00a0b\ufeff', ['a', 'b\ufeff']],
  ];
  for (const [input, words] of fields) assert.deepEqual(goFields(input), words, JSON.stringify(input));
});

test("parseGoBool accepts strconv.ParseBool's twelve spellings only", () => {
  for (const text of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseGoBool(text), true, text);
  for (const text of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseGoBool(text), false, text);
  for (const text of ['', 'yes', 'tRUE', ' true', '2']) assert.equal(parseGoBool(text), undefined, text);
  assert.equal(goParseBoolError('yes'), 'strconv.ParseBool: parsing "yes": invalid syntax');
});

test('goQuote and goQuoteRune follow strconv.Quote and QuoteRune (quote_test.go)', () => {
  const quotes: [input: string, quoted: string][] = [
    ['\x07\b\f\r\n\t\v', '"\\a\\b\\f\\r\\n\\t\\v"'],
    ['\\', '"\\\\"'],
    ['\u263a', '"☺"'],
    ['\u{10ffff}', '"\\U0010ffff"'],
    ['\x04', '"\\x04"'],
    ['!\u00a0!\u2000!\u3000!', '"!\\u00a0!\\u2000!\\u3000!"'],
    ['\x7f', '"\\x7f"'],
    ['say "hi"', '"say \\"hi\\""'],
  ];
  for (const [input, quoted] of quotes) assert.equal(goQuote(input), quoted, JSON.stringify(input));
  const runes: [rune: string, quoted: string][] = [
    ['a', "'a'"],
    ['\x07', "'\\a'"],
    ['\\', "'\\\\'"],
    ['\u00ff', "'ÿ'"],
    ['\u263a', "'☺'"],
    ["'", "'\\''"],
    ['"', "'\"'"],
  ];
  for (const [rune, quoted] of runes) assert.equal(goQuoteRune(rune), quoted, JSON.stringify(rune));
});
