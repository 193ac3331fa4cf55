/**
 * runGraph with a fake runner whose nodes finish only when a test step says
 * so: each step is followed by one turn of the event loop, after which the
 * log shows what the scheduler started (`+x`) and whose signal it aborted
 * (`!x`). Nothing sleeps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Target } from '../../src/bakefile/model.js';
import { planBuild, type BuildGraph } from '../../src/graph/plan.js';
import { CancelledByFailureError, runGraph, type GraphRun, type NodeRunner, type NodeStatus, type RunOptions } from '../../src/graph/scheduler.js';

/** A graph from node → deps, planned from targets linked by `target:` contexts. */
function graphOf(spec: Readonly<Record<string, readonly string[]>>): BuildGraph {
  const targets = new Map<string, Target>(
    Object.entries(spec).map(([name, deps]) => [name, deps.length ? { name, contexts: Object.fromEntries(deps.map((d) => [d, `target:${d}`])) } : { name }]),
  );
  return planBuild({ groups: new Map(), targets, linked: new Set() });
}

interface Built {
  readonly cached: boolean;
  readonly name: string;
}

/** Lets the scheduler react to everything settled so far (all microtasks run before the next macrotask). */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

class FakeEngine {
  readonly log: string[] = [];
  readonly signals = new Map<string, AbortSignal>();
  peak = 0;
  private running = 0;
  private readonly pending = new Map<string, { resolve: (r: Built) => void; reject: (e: unknown) => void }>();

  /** `stubborn` nodes ignore their abort and finish only when a step says so. */
  constructor(private readonly stubborn: readonly string[] = []) {}

  readonly runner: NodeRunner<Built> = (node, signal) => {
    this.log.push(`+${node.name}`);
    this.signals.set(node.name, signal);
    this.peak = Math.max(this.peak, ++this.running);
    return new Promise<Built>((resolve, reject) => {
      this.pending.set(node.name, { resolve, reject });
      signal.addEventListener('abort', () => {
        this.log.push(`!${node.name}`);
        if (!this.stubborn.includes(node.name)) reject(signal.reason);
      });
    }).finally(() => this.running--);
  };

  finish(name: string, how: 'ok' | 'cached' | 'fail'): void {
    const p = this.pending.get(name);
    assert.ok(p, `${name} is not running`);
    if (how === 'fail') p.reject(new Error(`${name} broke`));
    else p.resolve({ cached: how === 'cached', name });
  }
}

interface Case {
  readonly name: string;
  readonly graph: Readonly<Record<string, readonly string[]>>;
  readonly maxParallelism?: number;
  readonly keepGoing?: boolean;
  readonly stubborn?: readonly string[];
  /** `ok x`, `cached x`, `fail x` finish a running node; `abort` is Ctrl-C. */
  readonly steps: readonly string[];
  /** What happened first, then after each step: `| step events`. */
  readonly log: string;
  readonly statuses: Readonly<Record<string, NodeStatus>>;
  readonly peak: number;
}

const CASES: readonly Case[] = [
  {
    name: 'a diamond: the join starts when its last input is done',
    graph: { a: [], b: ['a'], c: ['a'], d: ['b', 'c'] },
    steps: ['ok a', 'ok b', 'cached c', 'ok d'],
    log: '+a | ok a +b +c | ok b | cached c +d | ok d',
    statuses: { a: 'built', b: 'built', c: 'cached', d: 'built' },
    peak: 2,
  },
  {
    name: 'two chains joined: a chain moves on while the other is still at its first node',
    graph: { a1: [], a2: ['a1'], a3: ['a2'], b1: [], b2: ['b1'], j: ['a3', 'b2'] },
    steps: ['ok a1', 'ok a2', 'ok b1', 'ok a3', 'ok b2', 'ok j'],
    log: '+a1 +b1 | ok a1 +a2 | ok a2 +a3 | ok b1 +b2 | ok a3 | ok b2 +j | ok j',
    statuses: { a1: 'built', a2: 'built', a3: 'built', b1: 'built', b2: 'built', j: 'built' },
    peak: 2,
  },
  {
    name: 'maxParallelism 1 runs one node at a time, in graph order',
    graph: { d: [], c: [], b: [], a: [] },
    maxParallelism: 1,
    steps: ['ok a', 'ok b', 'cached c', 'ok d'],
    log: '+a | ok a +b | ok b +c | cached c +d | ok d',
    statuses: { a: 'built', b: 'built', c: 'cached', d: 'built' },
    peak: 1,
  },
  {
    name: 'maxParallelism 2 fills a freed slot with the first ready node',
    graph: { a: [], b: ['a'], c: ['a'], d: ['b', 'c'], e: [] },
    maxParallelism: 2,
    steps: ['ok a', 'ok e', 'ok b', 'ok c', 'ok d'],
    log: '+a +e | ok a +b | ok e +c | ok b | ok c +d | ok d',
    statuses: { a: 'built', b: 'built', c: 'built', d: 'built', e: 'built' },
    peak: 2,
  },
  {
    name: 'a failure aborts the running nodes and cancels the unstarted ones',
    graph: { a: [], b: [], c: [], d: ['a'] },
    maxParallelism: 2,
    steps: ['fail a'],
    log: '+a +b | fail a !b',
    statuses: { a: 'failed', b: 'cancelled', c: 'cancelled', d: 'cancelled' },
    peak: 2,
  },
  {
    name: 'a node that finishes despite the abort keeps its result',
    graph: { a: [], b: [], c: ['b'] },
    stubborn: ['b'],
    steps: ['fail a', 'ok b'],
    log: '+a +b | fail a !b | ok b',
    statuses: { a: 'failed', b: 'built', c: 'cancelled' },
    peak: 2,
  },
  {
    name: 'keepGoing: independent nodes finish, the dependants of the failure are cancelled',
    graph: { a: [], b: [], c: ['a'], d: ['c'], e: ['b'] },
    keepGoing: true,
    steps: ['fail a', 'ok b', 'cached e'],
    log: '+a +b | fail a | ok b +e | cached e',
    statuses: { a: 'failed', b: 'built', c: 'cancelled', d: 'cancelled', e: 'cached' },
    peak: 2,
  },
  {
    name: 'keepGoing with maxParallelism 1: the failure frees its slot for the next independent node',
    graph: { a: [], b: [], c: ['a'] },
    maxParallelism: 1,
    keepGoing: true,
    steps: ['fail a', 'ok b'],
    log: '+a | fail a +b | ok b',
    statuses: { a: 'failed', b: 'built', c: 'cancelled' },
    peak: 1,
  },
  {
    name: 'Ctrl-C aborts every running node and cancels the rest',
    graph: { a: [], b: [], c: ['a'] },
    steps: ['ok b', 'abort'],
    log: '+a +b | ok b | abort !a',
    statuses: { a: 'cancelled', b: 'built', c: 'cancelled' },
    peak: 2,
  },
  {
    name: 'Ctrl-C cancels under keepGoing too',
    graph: { a: [], b: [], c: ['a'] },
    keepGoing: true,
    steps: ['abort'],
    log: '+a +b | abort !a !b',
    statuses: { a: 'cancelled', b: 'cancelled', c: 'cancelled' },
    peak: 2,
  },
];

for (const c of CASES) {
  test(`scheduler: ${c.name}`, async () => {
    const engine = new FakeEngine(c.stubborn);
    const interrupt = new AbortController();
    let settled = false;
    const run = runGraph(graphOf(c.graph), engine.runner, {
      maxParallelism: c.maxParallelism,
      keepGoing: c.keepGoing ?? false,
      signal: interrupt.signal,
      now: () => 0,
    }).finally(() => (settled = true));
    const phases: string[] = [];
    const phase = (step: string): void => void phases.push([step, ...engine.log.splice(0)].filter(Boolean).join(' '));
    await turn();
    phase('');
    for (const step of c.steps) {
      assert.equal(settled, false, `the run settled before "${step}"`);
      const [how, name] = step.split(' ') as [string, string];
      if (how === 'abort') interrupt.abort(new Error('interrupted'));
      else engine.finish(name, how as 'ok' | 'cached' | 'fail');
      await turn();
      phase(step);
    }
    assert.equal(settled, true, 'the run settles once every node has');
    const result = await run;
    assert.equal(phases.join(' | '), c.log);
    assert.deepEqual(Object.fromEntries([...result.runs].map(([name, r]) => [name, r.status])), c.statuses);
    assert.deepEqual(
      [...result.runs.keys()],
      graphOf(c.graph).order.map((n) => n.name),
      'runs follow the graph order',
    );
    assert.equal(engine.peak, c.peak);
  });
}

test('scheduler: an aborted node is told why', async () => {
  const failing = new FakeEngine();
  const options = { maxParallelism: undefined, keepGoing: false, now: () => 0 };
  const failed = runGraph(graphOf({ a: [], b: [] }), failing.runner, { ...options, signal: new AbortController().signal });
  await turn();
  failing.finish('a', 'fail');
  await failed;
  const reason: unknown = failing.signals.get('b')?.reason;
  assert.ok(reason instanceof CancelledByFailureError);
  assert.equal(reason.failed, 'a');

  const interrupted = new FakeEngine();
  const interrupt = new AbortController();
  const run = runGraph(graphOf({ a: [] }), interrupted.runner, { ...options, signal: interrupt.signal });
  await turn();
  const sigint = new Error('SIGINT');
  interrupt.abort(sigint);
  await run;
  assert.equal(interrupted.signals.get('a')?.reason, sigint);
});

test('scheduler: each run is timed by the injected clock; an unstarted node has no timing', async () => {
  const engine = new FakeEngine();
  let clock = 1000;
  const run = runGraph(graphOf({ a: [], b: ['a'], c: [] }), engine.runner, {
    maxParallelism: 2,
    keepGoing: false,
    signal: new AbortController().signal,
    now: () => clock,
  });
  await turn();
  clock = 1500;
  engine.finish('a', 'ok');
  await turn();
  clock = 4000;
  engine.finish('c', 'fail');
  const result: GraphRun<Built> = await run;
  assert.deepEqual(Object.fromEntries(result.runs), {
    a: { status: 'built', timing: { startedAt: 1000, endedAt: 1500 }, result: { cached: false, name: 'a' } },
    b: { status: 'cancelled', timing: { startedAt: 1500, endedAt: 4000 } },
    c: { status: 'failed', timing: { startedAt: 1000, endedAt: 4000 }, error: new Error('c broke') },
  });

  const idle = await runGraph(graphOf({ a: [] }), engine.runner, { maxParallelism: 1, keepGoing: false, signal: AbortSignal.abort(), now: () => clock });
  assert.deepEqual(Object.fromEntries(idle.runs), { a: { status: 'cancelled', timing: undefined } });
});

test('scheduler: edge cases settle without starting what cannot run', async () => {
  const options: RunOptions = { maxParallelism: undefined, keepGoing: false, signal: new AbortController().signal, now: () => 0 };
  // A runner that throws before returning a promise fails its node like a rejection.
  const thrown = await runGraph(
    graphOf({ a: [], b: ['a'] }),
    () => {
      throw new Error('no engine');
    },
    options,
  );
  assert.deepEqual(
    [...thrown.runs.values()].map((r) => r.status),
    ['failed', 'cancelled'],
  );
  assert.deepEqual((await runGraph(graphOf({}), () => assert.fail('nothing to run'), options)).runs, new Map());
  // A cap of 0 would wait forever.
  for (const maxParallelism of [0, -1, 1.5]) {
    await assert.rejects(
      runGraph(graphOf({ a: [] }), () => assert.fail('must not run'), { ...options, maxParallelism }),
      RangeError,
    );
  }
});

test('scheduler: onSettled reports each started node as it settles, with the run the result holds', async () => {
  const seen: [string, string][] = [];
  const result = await runGraph(
    graphOf({ a: [], b: ['a'], c: [] }),
    async (node) => {
      if (node.name === 'c') throw new Error('c broke');
      return { cached: node.name === 'a' };
    },
    { maxParallelism: 1, keepGoing: true, signal: new AbortController().signal, now: () => 0, onSettled: (name, run) => void seen.push([name, run.status]) },
  );
  // One at a time, by rank: b, ready once a is done, goes before c.
  assert.deepEqual(seen, [
    ['a', 'cached'],
    ['b', 'built'],
    ['c', 'failed'],
  ]);
  assert.deepEqual(
    seen,
    [...result.runs].map(([name, r]) => [name, r.status]),
  );
});
