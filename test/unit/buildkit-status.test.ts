/** StatusResponse → ProgressEvents, and the failing Dockerfile lines out of a Solve error's status details. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeDetails, failureEvent, sourceOfStep, StatusTranslator } from '../../src/buildkit/status.js';

test('vertices merge by digest: an unchanged state is not sent twice; statuses, logs and warnings pass through', () => {
  const t = new StatusTranslator('app');
  const started = { seconds: 100, nanos: 500_000_000 };
  const first = t.events({ vertexes: [{ digest: 'sha256:a', name: '[1/2] RUN x', started }] });
  assert.deepEqual(first, [{ kind: 'vertex', target: 'app', id: 'sha256:a', name: '[1/2] RUN x', cached: false, started: 100_500 }]);
  assert.deepEqual(t.events({ vertexes: [{ digest: 'sha256:a', name: '[1/2] RUN x', started }] }), []);
  const later = t.events({
    vertexes: [{ digest: 'sha256:a', name: '[1/2] RUN x', started, completed: { seconds: 101 }, error: 'boom' }],
    statuses: [{ ID: 'transferring context:', vertex: 'sha256:b', current: 42, completed: { seconds: 102 } }],
    logs: [{ vertex: 'sha256:a', stream: 2, msg: Buffer.from('hi\n'), timestamp: { seconds: 101 } }],
    warnings: [{ vertex: 'sha256:a', short: Buffer.from('careful'), detail: [Buffer.from('d')] }],
  });
  // The step's output comes before the step's end, even within one response.
  assert.deepEqual(later, [
    { kind: 'status', target: 'app', vertex: 'sha256:b', id: 'transferring context:', current: 42, completed: 102_000 },
    { kind: 'log', target: 'app', vertex: 'sha256:a', stream: 'stderr', time: 101_000, text: 'hi\n' },
    { kind: 'warning', target: 'app', vertex: 'sha256:a', message: 'careful', detail: ['d'] },
    { kind: 'vertex', target: 'app', id: 'sha256:a', name: '[1/2] RUN x', cached: false, started: 100_500, completed: 101_000, error: 'boom' },
  ]);
});

// Protobuf writers for the details BuildKit sends (google.rpc.Status with errdefs Anys).
const varint = (n: number): Buffer => {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
};
const ld = (n: number, p: Buffer | string): Buffer => {
  const b = Buffer.from(p);
  return Buffer.concat([varint((n << 3) | 2), varint(b.length), b]);
};
const num = (n: number, v: number): Buffer => Buffer.concat([varint(n << 3), varint(v)]);
const any = (url: string, value: Buffer): Buffer => ld(3, Buffer.concat([ld(1, url), ld(2, value)]));

const dockerfile = 'FROM bake-test/busybox\nCOPY . /src\nRUN true\nRUN exit 3\nRUN echo never\n\n';
const details = Buffer.concat([
  num(1, 2),
  ld(2, 'executor failed'),
  any('type.googleapis.com/moby.buildkit.v1.errdefs.Vertex', ld(1, 'sha256:bad')),
  any('type.googleapis.com/moby.buildkit.v1.errdefs.Source', Buffer.concat([ld(1, Buffer.concat([ld(1, 'Dockerfile'), ld(2, dockerfile)])), ld(2, Buffer.concat([ld(1, num(1, 4)), ld(2, num(1, 4))]))])),
]);

test('errdefs.Source gives the failing line with two lines of context; errdefs.Vertex the failing step', () => {
  assert.deepEqual(decodeDetails(details), {
    vertex: 'sha256:bad',
    source: {
      filename: 'Dockerfile',
      lines: [
        { line: 2, text: 'COPY . /src', failing: false },
        { line: 3, text: 'RUN true', failing: false },
        { line: 4, text: 'RUN exit 3', failing: true },
        { line: 5, text: 'RUN echo never', failing: false },
      ],
    },
  });
});

test('a Solve error becomes an ErrorEvent; undecodable details leave just the message', () => {
  const err = { details: 'executor failed running [/bin/sh -c exit 3]: exit code: 3', metadata: { get: () => [details] } };
  const e = failureEvent('app', err);
  assert.equal(e.message, 'executor failed running [/bin/sh -c exit 3]: exit code: 3');
  assert.equal(e.vertex, 'sha256:bad');
  assert.equal(e.source?.lines.find((l) => l.failing)?.text, 'RUN exit 3');
  assert.deepEqual(failureEvent('app', { details: 'x', metadata: { get: () => [Buffer.from([0x1a, 0xff])] } }), { kind: 'error', target: 'app', message: 'x' });
});

test('without errdefs (BuildKit v0.8), the failing vertex name is found in the Dockerfile, continuation lines included', () => {
  const text = 'FROM a AS build\nRUN make \\\n    all\nRUN exit 3\n';
  assert.deepEqual(sourceOfStep('Dockerfile', text, '[build 2/3] RUN make     all'), {
    filename: 'Dockerfile',
    lines: [
      { line: 1, text: 'FROM a AS build', failing: false },
      { line: 2, text: 'RUN make \\', failing: true },
      { line: 3, text: '    all', failing: true },
      { line: 4, text: 'RUN exit 3', failing: false },
    ],
  });
  assert.equal(sourceOfStep('Dockerfile', text, '[3/3] RUN exit 4'), undefined);
  const e = failureEvent('app', { details: 'exit code: 3' }, { vertex: { id: 'sha256:v', name: '[3/3] RUN exit 3' }, dockerfile: { filename: 'Dockerfile', text } });
  assert.equal(e.vertex, 'sha256:v');
  assert.deepEqual(e.source?.lines.filter((l) => l.failing).map((l) => l.line), [4]);
});

test('a v0.8 parse error names its line: that line is shown', () => {
  const e = failureEvent('app', { details: 'failed to create LLB definition: dockerfile parse error line 2: unknown instruction: RUNN' }, { dockerfile: { filename: 'Dockerfile', text: 'FROM a\nRUNN x\n' } });
  assert.deepEqual(e.source, { filename: 'Dockerfile', lines: [{ line: 1, text: 'FROM a', failing: false }, { line: 2, text: 'RUNN x', failing: true }] });
});
