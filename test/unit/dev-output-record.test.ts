/**
 * The OutputRecord of a dev process: screen() replayed into a fresh
 * terminal of the same size shows what the recording terminal shows (lines,
 * colours, cursor, alternate screen), and history() keeps the last bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import xterm from '@xterm/headless';
import { createOutputRecord } from '../../src/dev/process/output-record.js';
import type { OutputRecord } from '../../src/dev/process/process.js';

const SIZE = { rows: 8, columns: 30 };

interface Seen {
  readonly buffer: 'normal' | 'alternate';
  readonly lines: string[];
  readonly cursor: [number, number];
  /** Foreground colour of the first cell of every line. */
  readonly colours: number[];
  readonly modes: xterm.IModes;
}

/** What a terminal shows: the visible lines, the cursor, the colours at the start of each line, its modes. */
function seen(term: xterm.Terminal): Seen {
  const b = term.buffer.active;
  const rows = Array.from({ length: term.rows }, (_, i) => b.getLine(b.viewportY + i));
  return {
    buffer: b.type,
    lines: rows.map((l) => l?.translateToString(true) ?? ''),
    cursor: [b.cursorX, b.cursorY],
    colours: rows.map((l) => l?.getCell(0)?.getFgColor() ?? -1),
    modes: { ...term.modes },
  };
}

/**
 * Feeds `chunks` to a record and to a reference terminal, then replays
 * screen() into a fresh one (after `before`: what that terminal showed until
 * then); returns both views.
 */
async function replay(chunks: readonly (string | Uint8Array)[], before = ''): Promise<{ original: Seen; redrawn: Seen; screen: string }> {
  const record = await createOutputRecord(SIZE);
  const reference = new xterm.Terminal({ cols: SIZE.columns, rows: SIZE.rows, allowProposedApi: true });
  for (const c of chunks) {
    record.append(typeof c === 'string' ? Buffer.from(c) : c);
    reference.write(c);
  }
  const screen = await record.screen();
  const fresh = new xterm.Terminal({ cols: SIZE.columns, rows: SIZE.rows, allowProposedApi: true });
  await new Promise<void>((resolve) => fresh.write(before + screen, resolve));
  await new Promise<void>((resolve) => reference.write('', resolve));
  const result = { original: seen(reference), redrawn: seen(fresh), screen };
  reference.dispose();
  fresh.dispose();
  record.dispose();
  return result;
}

test('screen() redraws colours, cursor moves and a clear on a fresh terminal', async () => {
  const chunks = [
    'old line that the clear removes\r\n',
    '\x1b[2J\x1b[H',
    '\x1b[31mred\x1b[0m plain \x1b[1;32mbold green\x1b[0m\r\n',
    'second\r\n',
    '\x1b[5;10Hat 5,10',
    '\x1b[3;1H\x1b[34mblue\x1b[0m',
    '\x1b[2K\x1b[44m  \x1b[0m\x1b[7;4H', // a cleared line with a background, then the cursor somewhere empty
  ];
  const { original, redrawn } = await replay(chunks);
  assert.deepEqual(redrawn, original);
  assert.equal(original.lines[0], 'red plain bold green');
  assert.deepEqual(original.cursor, [3, 6]);
  assert.notEqual(original.colours[0], original.colours[1], 'the red line keeps its colour');
});

test('screen() also redraws a terminal left in another state: alternate screen, scroll region, insert and origin modes, colour', async () => {
  const chunks = ['$ make\r\n', '\x1b[32mok\x1b[0m\r\n$ '];
  const { original, redrawn } = await replay(chunks, '\x1b[?1049h\x1b[2;5r\x1b[?6h\x1b[4h\x1b[41;33mleft over\r\n\x1b[?1h\x1b[?2004h');
  assert.deepEqual(redrawn, original);
  assert.deepEqual(original.lines.slice(0, 3), ['$ make', 'ok', '$ ']);
});

test('screen() of a screen that scrolled shows the last rows; multi-byte characters split across chunks survive', async () => {
  const bytes = Buffer.from(Array.from({ length: 20 }, (_, i) => `line ${i} é€😀`).join('\r\n'));
  const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
  const { original, redrawn } = await replay(chunks);
  assert.deepEqual(redrawn, original);
  assert.deepEqual(
    original.lines,
    Array.from({ length: SIZE.rows }, (_, i) => `line ${i + 12} é€😀`),
  );
  assert.equal(original.cursor[1], SIZE.rows - 1);
});

test('screen() of a full-screen program redraws its alternate screen; leaving it shows the normal screen again', async () => {
  const shell = ['$ vi notes\r\n'];
  const editor = ['\x1b[?1049h\x1b[H\x1b[2J', '\x1b[7mNOTES\x1b[0m\r\n~\r\n~', '\x1b[?1h\x1b[2;1H'];
  const inEditor = await replay([...shell, ...editor]);
  assert.equal(inEditor.original.buffer, 'alternate');
  assert.deepEqual(inEditor.redrawn, inEditor.original);
  assert.match(inEditor.screen, /\x1b\[\?1h/, 'application cursor keys are restored');

  const back = await replay([...shell, ...editor, '\x1b[?1049l\x1b[?1l$ ']);
  assert.equal(back.original.buffer, 'normal');
  assert.deepEqual(back.redrawn, back.original);
  assert.deepEqual(back.original.lines.slice(0, 2), ['$ vi notes', '$ ']);
});

test('resize() changes the emulator (which rewraps lines): the redraw fits the new size', async () => {
  const record = await createOutputRecord({ rows: 4, columns: 10 });
  record.append(Buffer.from('0123456789abc'));
  record.resize({ rows: 4, columns: 20 });
  record.append(Buffer.from('\r\nwide line of 20 ch.'));
  assert.deepEqual((await redraw(record, { rows: 4, columns: 20 })).lines.slice(0, 3), ['0123456789abc', 'wide line of 20 ch.', '']);
  record.dispose();
});

test('history() keeps the last bytes; subscribers get later chunks; a failing subscriber does not stop the others', async () => {
  const record = await createOutputRecord(SIZE, { historyBytes: 10 });
  record.append(Buffer.from('abc'));
  const got: string[] = [];
  const unsubscribeBad = record.subscribe(() => {
    throw new Error('a broken client');
  });
  const unsubscribe = record.subscribe((c) => got.push(Buffer.from(c).toString()));
  record.append(Buffer.from('defgh'));
  record.append(Buffer.from('ijklm'));
  assert.equal(record.history().toString(), 'defghijklm');
  record.append(Buffer.from('0123456789ABCDEF'));
  assert.equal(record.history().toString(), '6789ABCDEF');
  unsubscribe();
  unsubscribeBad();
  record.append(Buffer.from('z'));
  assert.deepEqual(got, ['defgh', 'ijklm', '0123456789ABCDEF']);
  assert.equal(record.history().toString(), '789ABCDEFz');
  record.dispose();
  record.append(Buffer.from('!'));
  assert.equal(record.history().toString(), '89ABCDEFz!', 'history outlives the emulator');
});

test('screen() is the screen as the chunks before the call left it: a subscriber from before the call gets exactly the rest', async () => {
  const record = await createOutputRecord(SIZE);
  record.append(Buffer.from('one '));
  const after: string[] = [];
  record.subscribe((c) => after.push(Buffer.from(c).toString()));
  const screen = record.screen({ clear: false });
  // Printed while the screen is read (the emulator parses them in the same turn).
  record.append(Buffer.from('two '));
  record.append(Buffer.from('three'));
  const fresh = new xterm.Terminal({ cols: SIZE.columns, rows: SIZE.rows, allowProposedApi: true });
  const shown = (await screen) + after.join('');
  await new Promise<void>((resolve) => fresh.write(shown, resolve));
  assert.equal(seen(fresh).lines[0], 'one two three');
  fresh.dispose();
  record.dispose();
});

/** What a fresh terminal of `size` shows after the record's screen() is written to it. */
async function redraw(record: OutputRecord, size: { rows: number; columns: number }): Promise<Seen> {
  const fresh = new xterm.Terminal({ cols: size.columns, rows: size.rows, allowProposedApi: true });
  const screen = await record.screen();
  await new Promise<void>((resolve) => fresh.write(screen, resolve));
  const view = seen(fresh);
  fresh.dispose();
  return view;
}
