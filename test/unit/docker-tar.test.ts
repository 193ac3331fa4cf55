/** The tar reader, on what Go's archive/tar writes for the engine's archive API: ustar (with prefix), PAX and GNU long names, any chunking. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTar, tarArchive, type TarReadEntry } from '../../src/docker/tar.js';

interface RawHeader {
  name: string;
  type: string;
  size?: number;
  mode?: number;
  mtime?: number;
  linkname?: string;
  prefix?: string;
  gnu?: boolean;
}

/** One header block, written field by field as the formats say. */
function header(h: RawHeader): Buffer {
  const b = Buffer.alloc(512);
  const octal = (offset: number, width: number, value: number): void =>
    void b.write(`${value.toString(8).padStart(width - 1, '0')}\0`, offset, width, 'latin1');
  b.write(h.name, 0, 100);
  octal(100, 8, h.mode ?? 0o644);
  octal(124, 12, h.size ?? 0);
  octal(136, 12, h.mtime ?? 0);
  b.write(h.type, 156, 1, 'latin1');
  b.write(h.linkname ?? '', 157, 100);
  b.write(h.gnu ? 'ustar  \0' : 'ustar\u000000', 257, 8, 'latin1');
  if (h.prefix) b.write(h.prefix, 345, 155);
  b.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  octal(148, 8, sum);
  return b;
}

/** A header and its content padded to whole blocks. */
function entry(h: RawHeader, data = Buffer.alloc(0)): Buffer {
  return Buffer.concat([header({ ...h, size: data.length }), data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

const END = Buffer.alloc(1024);

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body);
  length += String(length + String(length).length).length;
  return `${length}${body}`;
}

async function read(tar: Buffer, chunk = tar.length, keep = (): boolean => true): Promise<TarReadEntry[]> {
  const chunks = async function* (): AsyncGenerator<Buffer> {
    for (let at = 0; at < tar.length; at += chunk) yield tar.subarray(at, at + chunk);
  };
  const entries: TarReadEntry[] = [];
  for await (const e of readTar(chunks(), keep)) entries.push(e);
  return entries;
}

const summary = (entries: readonly TarReadEntry[]): unknown[] =>
  entries.map((e) => [e.path, e.mode.toString(8), e.size, e.modified, e.linkTarget, e.data?.toString()]);

test('readTar reads what tarArchive writes, cut at any size', async () => {
  const tar = tarArchive([
    { type: 'dir', path: 'etc', mode: 0o755 },
    { type: 'file', path: 'etc/hostname', data: Buffer.from('box\n'), mtime: 1_700_000_000 },
    { type: 'file', path: 'big', data: Buffer.alloc(1300, 'x'), mode: 0o4755 },
    { type: 'symlink', path: 'link', target: 'etc/hostname' },
  ]);
  for (const chunk of [1, 7, 511, 512, 513, tar.length]) {
    assert.deepEqual(
      summary(await read(tar, chunk)),
      [
        ['etc/', '40755', 0, 0, undefined, ''],
        ['etc/hostname', '100644', 4, 1_700_000_000_000, undefined, 'box\n'],
        ['big', '104755', 1300, 0, undefined, 'x'.repeat(1300)],
        ['link', '120777', 0, 0, 'etc/hostname', ''],
      ],
      `chunk ${chunk}`,
    );
  }
});

test('tarArchive writes a path longer than 100 bytes as a ustar prefix and name; one too long for both is refused', async () => {
  const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(80)}.js`;
  const entries = await read(tarArchive([{ type: 'file', path: long, data: Buffer.from('x') }]), 512);
  assert.deepEqual(
    entries.map((e) => e.path),
    [long],
  );
  assert.throws(() => tarArchive([{ type: 'file', path: 'g'.repeat(120), data: Buffer.alloc(0) }]), /too long/);
});

test('readTar skips the content it is not asked to keep', async () => {
  const tar = tarArchive([
    { type: 'file', path: 'a', data: Buffer.alloc(2000, 'a') },
    { type: 'file', path: 'b', data: Buffer.from('bee') },
  ]);
  const entries = await read(tar, 100, () => false);
  assert.deepEqual(
    entries.map((e) => [e.path, e.size, e.data]),
    [
      ['a', 2000, undefined],
      ['b', 3, undefined],
    ],
  );
});

test('readTar joins a ustar prefix and its name, and reads the other types', async () => {
  const tar = Buffer.concat([
    entry({ name: 'file.txt', type: '0', prefix: 'deep/dir' }, Buffer.from('hi')),
    entry({ name: 'hard', type: '1', linkname: 'deep/dir/file.txt' }),
    entry({ name: 'null', type: '3', mode: 0o666 }),
    entry({ name: 'sda', type: '4', mode: 0o660 }),
    entry({ name: 'pipe', type: '6', mode: 0o600 }),
    entry({ name: 'tmp/', type: '5', mode: 0o1777 }),
    END,
  ]);
  assert.deepEqual(summary(await read(tar)), [
    ['deep/dir/file.txt', '100644', 2, 0, undefined, 'hi'],
    ['hard', '100644', 0, 0, 'deep/dir/file.txt', ''],
    ['null', '20666', 0, 0, undefined, ''],
    ['sda', '60660', 0, 0, undefined, ''],
    ['pipe', '10600', 0, 0, undefined, ''],
    ['tmp/', '41777', 0, 0, undefined, ''],
  ]);
});

test('readTar takes long names and link targets from PAX records, for the next entry only', async () => {
  const long = `${'d'.repeat(120)}/${'f'.repeat(120)}`;
  const pax = Buffer.from(paxRecord('path', long) + paxRecord('mtime', '1700000000.5') + paxRecord('linkpath', `/${'t'.repeat(150)}`));
  const tar = Buffer.concat([
    entry({ name: 'PaxHeaders/x', type: 'x' }, pax),
    entry({ name: 'cut-short', type: '2', mtime: 5 }),
    entry({ name: 'plain', type: '0', mtime: 7 }, Buffer.from('p')),
    END,
  ]);
  assert.deepEqual(summary(await read(tar)), [
    [long, '120644', 0, 1_700_000_000_500, `/${'t'.repeat(150)}`, ''],
    ['plain', '100644', 1, 7000, undefined, 'p'],
  ]);
});

test('readTar takes long names and link targets from GNU records', async () => {
  const long = 'n'.repeat(300);
  const tar = Buffer.concat([
    entry({ name: '././@LongLink', type: 'L', gnu: true }, Buffer.from(`${long}\0`)),
    entry({ name: '././@LongLink', type: 'K', gnu: true }, Buffer.from(`${'k'.repeat(200)}\0`)),
    entry({ name: 'cut', type: '2', gnu: true, prefix: 'not-a-prefix-in-gnu' }),
    END,
  ]);
  assert.deepEqual(summary(await read(tar)), [[long, '120644', 0, 0, 'k'.repeat(200), '']]);
});

test('readTar refuses bytes that are no tar, and a stream cut inside an entry', async () => {
  await assert.rejects(read(Buffer.alloc(512, 'x')), /not a tar archive/);
  const tar = tarArchive([{ type: 'file', path: 'a', data: Buffer.alloc(1000) }]);
  await assert.rejects(read(tar.subarray(0, 700)), /ended inside/);
  await assert.rejects(
    read(tar.subarray(0, 700), 100, () => false),
    /ended inside/,
  );
});

test('readTar stops reading the stream when its reader stops early', async () => {
  let closed = false;
  const source = async function* (): AsyncGenerator<Buffer> {
    try {
      yield tarArchive([
        { type: 'file', path: 'a', data: Buffer.from('1') },
        { type: 'file', path: 'b', data: Buffer.from('2') },
      ]);
    } finally {
      closed = true;
    }
  };
  for await (const e of readTar(source(), () => true)) {
    assert.equal(e.path, 'a');
    break;
  }
  assert.ok(closed);
});
