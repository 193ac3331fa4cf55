import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseShellwords } from '../../src/golang/shellwords.js';

// mattn/go-shellwords' shellwords_test.go (TestSimple, TestEmptyArgs, TestLastSpace, TestHaveMore, TestError), then ours.
const SHELLWORDS: [line: string, words: string[] | undefined][] = [
  ['var --bar=baz', ['var', '--bar=baz']],
  ['var --bar="baz"', ['var', '--bar=baz']],
  ['var "--bar=baz"', ['var', '--bar=baz']],
  [`var "--bar='baz'"`, ['var', "--bar='baz'"]],
  ['var --bar=`baz`', ['var', '--bar=`baz`']],
  ['var "--bar=\\"baz\'"', ['var', '--bar="baz\'']],
  ['var "--bar=\\\'baz\\\'"', ['var', "--bar='baz'"]],
  ["var --bar='\\'", ['var', '--bar=\\']],
  ['var "--bar baz"', ['var', '--bar baz']],
  ['var --"bar baz"', ['var', '--bar baz']],
  ['var  --"bar baz"', ['var', '--bar baz']],
  ['a "b"', ['a', 'b']],
  ['a " b "', ['a', ' b ']],
  ['a "   "', ['a', '   ']],
  ["a 'b'", ['a', 'b']],
  ["a ' b '", ['a', ' b ']],
  ["a '   '", ['a', '   ']],
  [`foo "" bar ''`, ['foo', '', 'bar', '']],
  ['foo bar\\  ', ['foo', 'bar ']],
  ['echo foo; seq 1 10', ['echo', 'foo']],
  ["foo '", undefined],
  ['foo "', undefined],
  // Ours: the escapes go-shellwords turns into tab and newline, blanks, and the other stop characters.
  ['printf a\\tb\\nc', ['printf', 'a\tb\nc']],
  ['sh -c "echo \\"hi\\""', ['sh', '-c', 'echo "hi"']],
  [' \t a\r\nb ', ['a', 'b']],
  ['a && b', ['a']],
  ['a | b', ['a']],
  ['a >out', ['a']],
  ['a "x;y" b', ['a', 'x;y', 'b']],
  ['', []],
  ['trailing\\', undefined],
];

test('parseShellwords splits as mattn/go-shellwords Parse does', () => {
  for (const [line, words] of SHELLWORDS) assert.deepEqual(parseShellwords(line), words, JSON.stringify(line));
});
