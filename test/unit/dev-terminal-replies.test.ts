/** Terminal replies that reach the monitor are dropped; the keys around them are kept, byte for byte. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withoutTerminalReplies } from '../../src/dev/client/terminal-replies.js';

const keys = (s: string): string => Buffer.from(withoutTerminalReplies(Buffer.from(s, 'latin1'))).toString('latin1');

const REPLIES: ReadonlyArray<[string, string]> = [
  ['cursor position (CPR)', '\x1b[12;14R'],
  ['device status', '\x1b[0n'],
  ['primary device attributes', '\x1b[?62;22c'],
  ['secondary device attributes', '\x1b[>0;276;0c'],
  ['tertiary device attributes', '\x1b[=0c'],
  ['mode report (DECRPM)', '\x1b[?2004;1$y'],
  ['window size in characters', '\x1b[8;24;80t'],
  ['OSC colour, ended by BEL', '\x1b]11;rgb:0000/0000/0000\x07'],
  ['OSC colour, ended by ST', '\x1b]10;rgb:ffff/ffff/ffff\x1b\\'],
  ['DCS reply', '\x1bP1$r0m\x1b\\'],
];

for (const [what, reply] of REPLIES) {
  test(`a ${what} reply is dropped, the keys before and after it kept`, () => {
    assert.equal(keys(reply), '');
    assert.equal(keys(`p${reply}s\r`), 'ps\r');
  });
}

test('keys a user types in the monitor pass untouched: arrows, Home/End, Ctrl-arrows, Delete, UTF-8, Ctrl-C', () => {
  const typed = ['\x1b[A', '\x1b[D', '\x1b[H', '\x1b[F', '\x1b[1;5C', '\x1b[3~', '\x1bOA', '\x1b', 'ps\r', '\x03', 'é€'];
  for (const k of typed) {
    const data = Buffer.from(k, 'utf8');
    assert.equal(withoutTerminalReplies(data), data, JSON.stringify(k));
  }
});

test('a reply cut off at the end of a chunk is not a whole reply and stays', () => {
  assert.equal(keys('\x1b[12;14'), '\x1b[12;14');
});

test('several replies in one chunk all go, whatever is between them stays', () => {
  assert.equal(keys('\x1b[5;1Rl\x1b[?1;2cs\x1b[0n\r'), 'ls\r');
});
