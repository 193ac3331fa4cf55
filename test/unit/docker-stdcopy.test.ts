import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectOutput, readFrames, StdDemuxer } from '../../src/docker/stdcopy.js';
import { tarArchive } from '../../src/docker/tar.js';

const frame = (stream: number, text: string): Buffer => {
  const data = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
};

test('frames split at every byte boundary come out whole and in order', () => {
  const wire = Buffer.concat([frame(1, 'out one\n'), frame(2, 'err\n'), frame(1, ''), frame(1, 'x'.repeat(70_000))]);
  for (const cut of [1, 3, 7, 8, 9, 13, 4096]) {
    const demuxer = new StdDemuxer();
    const frames = [];
    for (let at = 0; at < wire.length; at += cut) frames.push(...demuxer.push(wire.subarray(at, at + cut)));
    assert.deepEqual(
      frames.map((f) => [f.stream, f.data.length]),
      [
        ['stdout', 8],
        ['stderr', 4],
        ['stdout', 0],
        ['stdout', 70_000],
      ],
      `cut ${cut}`,
    );
    assert.equal(demuxer.leftover, 0);
  }
});

test('an unfinished frame stays pending; an unknown stream id is an error', () => {
  const demuxer = new StdDemuxer();
  assert.deepEqual(demuxer.push(frame(1, 'abc').subarray(0, 10)), []);
  assert.equal(demuxer.leftover, 10);
  assert.throws(() => new StdDemuxer().push(frame(9, 'x')), /stream id 9/);
});

test('with a TTY the stream is raw: every chunk is stdout, headers are not parsed', async () => {
  const raw = [frame(2, 'looks like a header'), Buffer.from('plain')];
  const out = await collectOutput(readFrames(raw, true));
  assert.equal(out.stdout, Buffer.concat(raw).toString());
  assert.equal(out.stderr, '');
});

test('without a TTY stdout and stderr are separated', async () => {
  const out = await collectOutput(readFrames([Buffer.concat([frame(1, 'a'), frame(2, 'b'), frame(1, 'c')])], false));
  assert.deepEqual(out, { stdout: 'ac', stderr: 'b' });
});

test('tar archives: 512-byte blocks, valid checksums, symlink targets', () => {
  const tar = tarArchive([
    { type: 'dir', path: 'bin' },
    { type: 'file', path: 'bin/a', data: Buffer.from('hello'), mode: 0o755 },
    { type: 'symlink', path: 'bin/b', target: '/bin/a' },
  ]);
  assert.equal(tar.length, 512 * (1 + 2 + 1 + 2));
  for (const at of [0, 512, 1536]) {
    const h = tar.subarray(at, at + 512);
    const stored = parseInt(h.subarray(148, 156).toString().replace(/\0.*$/s, ''), 8);
    const copy = Buffer.from(h);
    copy.fill(' ', 148, 156);
    assert.equal(
      copy.reduce((s, b) => s + b, 0),
      stored,
    );
  }
  assert.equal(tar.subarray(0, 4).toString(), 'bin/');
  assert.equal(tar.subarray(1024, 1029).toString(), 'hello');
  assert.equal(tar.subarray(1536 + 157, 1536 + 163).toString(), '/bin/a');
});
