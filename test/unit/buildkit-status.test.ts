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
  any(
    'type.googleapis.com/moby.buildkit.v1.errdefs.Source',
    Buffer.concat([ld(1, Buffer.concat([ld(1, 'Dockerfile'), ld(2, dockerfile)])), ld(2, Buffer.concat([ld(1, num(1, 4)), ld(2, num(1, 4))]))]),
  ),
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

test('BuildKit v0.13 (Docker 26) sends the same details as JSON (`…+json` type URLs, bytes in base64), beside stacks we ignore', () => {
  const json = Buffer.concat([
    num(1, 2),
    ld(2, 'process "/bin/sh -c exit 3" did not complete successfully: exit code: 3'),
    any('github.com/moby/buildkit/stack.Stack+json', Buffer.from('{"frames":[{"Name":"main.f","File":"f.go","Line":1}],"pid":1}')),
    any(
      'github.com/moby/buildkit/errdefs.Source+json',
      Buffer.from(
        JSON.stringify({
          info: { filename: 'Dockerfile', data: Buffer.from(dockerfile).toString('base64'), language: 'Dockerfile' },
          ranges: [{ start: { line: 4 }, end: { line: 4 } }],
        }),
      ),
    ),
    any('github.com/moby/buildkit/errdefs.Vertex+json', Buffer.from('{"digest":"sha256:bad"}')),
    any('github.com/moby/buildkit/gatewayapi.ExitMessage+json', Buffer.from('{"Code":3}')),
  ]);
  assert.deepEqual(decodeDetails(json), { ...decodeDetails(details), exitCode: 3 });
});

test('a Solve error becomes an ErrorEvent; undecodable details leave just the message', () => {
  const err = { details: 'executor failed running [/bin/sh -c exit 3]: exit code: 3', metadata: { get: () => [details] } };
  const e = failureEvent('app', err);
  assert.equal(e.message, 'executor failed running [/bin/sh -c exit 3]: exit code: 3');
  assert.equal(e.vertex, 'sha256:bad');
  assert.equal(e.source?.lines.find((l) => l.failing)?.text, 'RUN exit 3');
  assert.deepEqual(failureEvent('app', { details: 'x', metadata: { get: () => [Buffer.from([0x1a, 0xff])] } }), { kind: 'error', target: 'app', message: 'x' });
});

test("without errdefs, a step named with its ARGs expanded is found by its variables; a rewritten Dockerfile is matched but the user's lines are shown", () => {
  const text = 'ARG N=3\nFROM base\nRUN echo failing-$N && exit ${N}\nRUN echo $N\n';
  const failing = (source: ReturnType<typeof sourceOfStep>): number[] => source?.lines.filter((l) => l.failing).map((l) => l.line) ?? [];
  assert.deepEqual(failing(sourceOfStep('Dockerfile', text, '[2/3] RUN echo failing-3 && exit 3')), [3]);
  assert.deepEqual(failing(sourceOfStep('Dockerfile', text, '[3/3] RUN echo 3')), [4]);
  assert.equal(sourceOfStep('Dockerfile', text, '[3/3] RUN cat 3'), undefined, 'the fixed text must match');
  const served = text.replace('FROM base', 'FROM bake-internal/base:0123456789ab');
  const linked = sourceOfStep('Dockerfile', text, '[1/3] FROM bake-internal/base:0123456789ab', served);
  assert.deepEqual(
    linked?.lines.find((l) => l.failing),
    { line: 2, text: 'FROM base', failing: true },
  );
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
  const e = failureEvent(
    'app',
    { details: 'exit code: 3' },
    { vertex: { id: 'sha256:v', name: '[3/3] RUN exit 3' }, dockerfile: { filename: 'Dockerfile', text } },
  );
  assert.equal(e.vertex, 'sha256:v');
  assert.deepEqual(
    e.source?.lines.filter((l) => l.failing).map((l) => l.line),
    [4],
  );
});

test('a v0.8 parse error names its line: that line is shown', () => {
  const e = failureEvent(
    'app',
    { details: 'failed to create LLB definition: dockerfile parse error line 2: unknown instruction: RUNN' },
    { dockerfile: { filename: 'Dockerfile', text: 'FROM a\nRUNN x\n' } },
  );
  assert.deepEqual(e.source, {
    filename: 'Dockerfile',
    lines: [
      { line: 1, text: 'FROM a', failing: false },
      { line: 2, text: 'RUNN x', failing: true },
    ],
  });
});
