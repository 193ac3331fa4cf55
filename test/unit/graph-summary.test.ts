/** The summary table, character for character: aligned columns, short ids, `-` for what a target lacks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GraphRun, NodeRun } from '../../src/graph/scheduler.js';
import { formatSummary } from '../../src/graph/summary.js';

const HEX = '0123456789abcdef'.repeat(4);
const span = (startedAt: number, endedAt: number) => ({ startedAt, endedAt });

const CASES: ReadonlyArray<{ name: string; runs: Record<string, NodeRun<unknown>>; images: Record<string, string>; text: string }> = [
  {
    name: 'every result, in the run order',
    runs: {
      base: { status: 'cached', timing: span(0, 400), result: {} },
      api: { status: 'built', timing: span(0, 12_345), result: {} },
      'web-frontend': { status: 'failed', timing: span(1000, 3060), error: new Error('boom') },
      worker: { status: 'cancelled', timing: span(1000, 2000) },
      docs: { status: 'cancelled', timing: undefined },
      cacheonly: { status: 'built', timing: span(500, 1500), result: {} },
    },
    images: { base: `sha256:${HEX}`, api: `sha256:${[...HEX].reverse().join('')}`, 'web-frontend': `sha256:${HEX}` },
    text: `TARGET         RESULT      DURATION   IMAGE
base           cached          0.4s   sha256:0123456789ab
api            built          12.3s   sha256:fedcba987654
web-frontend   failed          2.1s   -
worker         cancelled       1.0s   -
docs           cancelled          -   -
cacheonly      built           1.0s   -
`,
  },
  {
    name: 'short names keep the header width; a long duration widens its column',
    runs: { a: { status: 'built', timing: span(0, 123_456_789), result: {} } },
    images: { a: 'sha512:abc' },
    text: `TARGET   RESULT       DURATION   IMAGE
a        built       123456.8s   sha512:abc
`,
  },
];

for (const c of CASES) {
  test(`summary: ${c.name}`, () => {
    const run: GraphRun<unknown> = { runs: new Map(Object.entries(c.runs)) };
    assert.equal(formatSummary(run, new Map(Object.entries(c.images))), c.text);
  });
}
