/** The tty view's model, character for character: progress events in, a target's row (and a failure's detail) out. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorEvent, ProgressEvent } from '../../src/core/progress.js';
import { TargetRow } from '../../src/cli/progress/rows.js';

const vertex = (id: string, name: string, more: { started?: number; completed?: number; cached?: boolean; error?: string } = {}): ProgressEvent => ({
  kind: 'vertex',
  target: 'app',
  id,
  name,
  cached: false,
  ...more,
});
const transfer = (current: number): ProgressEvent => ({ kind: 'status', target: 'app', vertex: 'ctx', id: 'transferring dir-0123:', current });
const failure: ErrorEvent = {
  kind: 'error',
  target: 'app',
  message: 'process "/bin/sh -c exit 3" did not complete successfully: exit code: 3',
  vertex: 'run',
  source: {
    filename: 'Dockerfile',
    lines: [
      { line: 1, text: 'FROM busybox', failing: false },
      { line: 2, text: 'RUN exit 3', failing: true },
    ],
  },
};

type Step = (row: TargetRow) => void;
const CASES: ReadonlyArray<{ name: string; steps: Step[]; now: number; title: string; detail?: string }> = [
  { name: 'not started: waiting', steps: [], now: 5000, title: 'app    waiting' },
  {
    name: 'running: the step started last, steps done/total, cached, bytes BuildKit received so far, elapsed',
    steps: [
      (r) => r.started(1000),
      (r) => r.event(vertex('from', '[1/3] FROM busybox', { started: 1, completed: 2, cached: true })),
      (r) => r.event(vertex('ctx', '[internal] load build context', { started: 1 })),
      (r) => r.event(transfer(1500)),
      (r) => r.event(transfer(2_500_000)),
      (r) => r.event(vertex('ctx', '[internal] load build context', { started: 1, completed: 3 })),
      (r) => r.event(vertex('run', '[2/3] RUN make all', { started: 4 })),
      (r) => r.event(vertex('copy', '[3/3] COPY out /out')),
    ],
    now: 3500,
    title: 'app    [2/3] RUN make all  2/4 steps · 1 cached · 2.50MB sent · 2.5s',
  },
  {
    name: 'a long step name is cut, so the row stays one line',
    steps: [(r) => r.started(0), (r) => r.event(vertex('run', `[2/2] RUN ${'x'.repeat(60)}`, { started: 1 }))],
    now: 100,
    title: `app    [2/2] RUN ${'x'.repeat(29)}…  0/1 steps · 0 cached · 0B sent · 0.1s`,
  },
  {
    name: 'the current step falls back to one still running when the last finishes',
    steps: [
      (r) => r.started(0),
      (r) => r.event(vertex('a', 'step a', { started: 1 })),
      (r) => r.event(vertex('b', 'step b', { started: 2 })),
      (r) => r.event(vertex('b', 'step b', { started: 2, completed: 3 })),
    ],
    now: 0,
    title: 'app    step a  1/2 steps · 0 cached · 0B sent · 0.0s',
  },
  {
    name: 'built: the state replaces the step; the session counter replaces BuildKit figures; elapsed stops',
    steps: [
      (r) => r.started(0),
      (r) => r.event(vertex('run', '[2/2] RUN make', { started: 1, completed: 2 })),
      (r) => r.event(transfer(999)),
      (r) => r.sent(42),
      (r) => r.settled('built', 1234, undefined),
    ],
    now: 9999,
    title: 'app    built  1/1 steps · 0 cached · 42B sent · 1.2s',
  },
  {
    name: 'cancelled before it started',
    steps: [(r) => r.settled('cancelled', 10, undefined)],
    now: 10,
    title: 'app    cancelled  0/0 steps · 0 cached · 0B sent · 0.0s',
  },
  {
    name: 'failed: the row expands to the error with the Dockerfile lines, the step named',
    steps: [
      (r) => r.started(0),
      (r) => r.event(vertex('run', '[2/2] RUN exit 3', { started: 1, error: 'exit code: 3' })),
      (r) => r.settled('failed', 300, failure),
    ],
    now: 300,
    title: 'app    failed  1/1 steps · 0 cached · 0B sent · 0.3s',
    detail: `------
 > [2/2] RUN exit 3:
------
Dockerfile:2
--------------------
   1 |     FROM busybox
   2 | >>> RUN exit 3
--------------------
error: failed to build app: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3
`,
  },
];

for (const c of CASES) {
  test(`tty row: ${c.name}`, () => {
    const row = new TargetRow('app');
    for (const step of c.steps) step(row);
    assert.equal(row.title(5, c.now), c.title);
    assert.equal(row.detail(), c.detail);
  });
}
