/** The prefix key: its spellings, its name in hints, and the scanner that finds `prefix KEY` in typed keys. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../src/core/errors.js';
import { describePrefixKey, parsePrefixKey, PrefixScanner, type ScannerEvent } from '../../src/dev/client/prefix-key.js';

const SPELLINGS: ReadonlyArray<[string, number]> = [
  ['ctrl-a', 0x01],
  ['Ctrl-A', 0x01],
  ['CTRL-a', 0x01],
  ['ctrl+b', 0x02],
  ['C-a', 0x01],
  ['c-B', 0x02],
  ['^a', 0x01],
  ['^B', 0x02],
  ['ctrl-z', 0x1a],
  ['ctrl-]', 0x1d],
  ['ctrl-\\', 0x1c],
  ['ctrl-@', 0x00],
  ['ctrl-space', 0x00],
  ['ctrl-^', 0x1e],
  ['^^', 0x1e],
  ['ctrl-_', 0x1f],
  [' ctrl-a ', 0x01],
];

for (const [spec, byte] of SPELLINGS) {
  test(`parsePrefixKey(${JSON.stringify(spec)}) is 0x${byte.toString(16)}`, () => {
    assert.equal(parsePrefixKey(spec), byte);
  });
}

const INVALID: ReadonlyArray<[string, RegExp]> = [
  ['a', /--prefix-key "a" is not a control key/],
  ['ctrl-', /is not a control key/],
  ['ctrl-ab', /is not a control key/],
  ['ctrl-1', /is not a control key/],
  ['ctrl-?', /is not a control key/],
  ['alt-a', /is not a control key/],
  ['', /is not a control key/],
  ['ctrl-m', /is Enter/],
  ['ctrl-j', /is Enter/],
  ['ctrl-i', /is Tab/],
  ['ctrl-[', /is Escape/],
];

for (const [spec, message] of INVALID) {
  test(`parsePrefixKey(${JSON.stringify(spec)}) is a usage error`, () => {
    assert.throws(
      () => parsePrefixKey(spec),
      (e: unknown) => e instanceof UserError && e.kind === 'usage' && message.test(e.message) && /ctrl-a, Ctrl-\], C-b or \^b/.test(e.fix ?? ''),
    );
  });
}

test('parsePrefixKey names where the spelling came from', () => {
  assert.throws(() => parsePrefixKey('x', 'BAKE_PREFIX_KEY'), /^UserError: BAKE_PREFIX_KEY "x" is not a control key$/);
});

test('describePrefixKey names keys as hints show them', () => {
  assert.equal(describePrefixKey(0x01), 'Ctrl-a');
  assert.equal(describePrefixKey(0x02), 'Ctrl-b');
  assert.equal(describePrefixKey(0x1d), 'Ctrl-]');
  assert.equal(describePrefixKey(0x1c), 'Ctrl-\\');
  assert.equal(describePrefixKey(0x00), 'Ctrl-@');
  assert.equal(describePrefixKey(0x1f), 'Ctrl-_');
});

test('describePrefixKey and parsePrefixKey agree for every key', () => {
  for (const [spec] of SPELLINGS) {
    const byte = parsePrefixKey(spec);
    assert.equal(parsePrefixKey(describePrefixKey(byte)), byte);
  }
});

/** Events with input shown as text (or byte lists when not printable), for readable expectations. */
type Shown = { input: string } | { command: string };

function show(events: readonly ScannerEvent[]): Shown[] {
  return events.map((e) => (e.kind === 'input' ? { input: Buffer.from(e.data).toString('latin1') } : { command: e.key }));
}

const A = '\x01';

const SCANS: ReadonlyArray<{ name: string; chunks: string[]; events: Shown[][]; prefix?: number }> = [
  { name: 'plain input is one run', chunks: ['ls -l\r'], events: [[{ input: 'ls -l\r' }]] },
  { name: 'empty chunk', chunks: [''], events: [[]] },
  { name: 'prefix c', chunks: [`${A}c`], events: [[{ command: 'c' }]] },
  { name: 'prefix d between input', chunks: [`ab${A}dcd`], events: [[{ input: 'ab' }, { command: 'd' }, { input: 'cd' }]] },
  { name: 'prefix twice is one prefix byte, kept with the input after it', chunks: [`x${A}${A}yz`], events: [[{ input: 'x' }, { input: `${A}yz` }]] },
  { name: 'prefix four times is two prefix bytes', chunks: [`${A}${A}${A}${A}`], events: [[{ input: A }, { input: A }]] },
  { name: 'prefix then an unknown key', chunks: [`${A}x!`], events: [[{ command: 'x' }, { input: '!' }]] },
  { name: 'prefix then a control key', chunks: [`${A}\x03`], events: [[{ command: '\x03' }]] },
  { name: 'prefix at the end of a chunk waits for the next', chunks: [`ab${A}`, 'cde'], events: [[{ input: 'ab' }], [{ command: 'c' }, { input: 'de' }]] },
  { name: 'prefix twice split over chunks', chunks: [A, `${A}q`], events: [[], [{ input: `${A}q` }]] },
  { name: 'prefix alone, then prefix d', chunks: [A, 'd'], events: [[], [{ command: 'd' }]] },
  { name: 'another prefix key', prefix: 0x1d, chunks: [`${A}\x1dc`], events: [[{ input: A }, { command: 'c' }]] },
  { name: 'an arrow key after the prefix is one key', chunks: [`${A}\x1b[A\r`], events: [[{ command: '\x1b[A' }, { input: '\r' }]] },
  { name: 'an SS3 arrow key after the prefix is one key', chunks: [`${A}\x1bOB`], events: [[{ command: '\x1bOB' }]] },
  { name: 'a CSI sequence with parameters', chunks: [`${A}\x1b[1;5C.`], events: [[{ command: '\x1b[1;5C' }, { input: '.' }]] },
  { name: 'Escape alone after the prefix', chunks: [`${A}\x1b`, 'x'], events: [[{ command: '\x1b' }], [{ input: 'x' }]] },
];

for (const c of SCANS) {
  test(`PrefixScanner: ${c.name}`, () => {
    const scanner = new PrefixScanner(c.prefix ?? 0x01);
    assert.deepEqual(
      c.chunks.map((chunk) => show(scanner.feed(Buffer.from(chunk, 'latin1')))),
      c.events,
    );
  });
}

test('PrefixScanner leaves multibyte UTF-8 untouched', () => {
  const text = 'héllo wörld ✓ 🍰';
  const events = new PrefixScanner(0x01).feed(Buffer.from(text));
  assert.equal(events.length, 1);
  assert.equal(events[0]?.kind === 'input' && Buffer.from(events[0].data).toString('utf8'), text);
});

test('PrefixScanner passes a UTF-8 character split over chunks through as it came', () => {
  const bytes = Buffer.from('é✓');
  const scanner = new PrefixScanner(0x01);
  const out = [bytes.subarray(0, 1), bytes.subarray(1, 3), bytes.subarray(3)].flatMap((chunk) => scanner.feed(chunk));
  assert.deepEqual(Buffer.concat(out.map((e) => (e.kind === 'input' ? e.data : new Uint8Array()))), bytes);
});

test('PrefixScanner reads a UTF-8 character after the prefix as one key, even split over chunks', () => {
  const scanner = new PrefixScanner(0x01);
  const key = Buffer.from('é');
  assert.deepEqual(scanner.feed(Buffer.concat([Buffer.from([0x01]), key.subarray(0, 1)])), []);
  assert.deepEqual(scanner.feed(Buffer.concat([key.subarray(1), Buffer.from('x')])), [
    { kind: 'command', key: 'é' },
    { kind: 'input', data: Buffer.from('x') },
  ]);
});

test('PrefixScanner ends a broken UTF-8 key at the next byte that cannot continue it', () => {
  const scanner = new PrefixScanner(0x01);
  const events = scanner.feed(Buffer.from([0x01, 0xc3, 0x41, 0x01, 0x63]));
  assert.deepEqual(show(events), [{ command: '\ufffd' }, { input: 'A' }, { command: 'c' }]);
});

test('PrefixScanner input views the chunk without copying', () => {
  const chunk = Buffer.from('abc');
  const [event] = new PrefixScanner(0x01).feed(chunk);
  assert.ok(event?.kind === 'input' && event.data.buffer === chunk.buffer);
});
