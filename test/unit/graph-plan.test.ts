/**
 * planBuild: every resolved target is a node, `target:` contexts are edges,
 * the order puts deps first, and a broken graph is a positioned error whose
 * first sentence is buildx's (a cycle also names its path).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BakeFileError, type Diagnostic } from '../../src/core/diagnostics.js';
import { evaluateSources } from '../../src/bakefile/pipeline.js';
import type { EvaluatedFiles } from '../../src/bakefile/evaluate.js';
import { resolveTargets, type ResolvedConfig } from '../../src/bakefile/resolve.js';
import { planBuild } from '../../src/graph/plan.js';
import { FIXED_WORLD } from '../support/fixed-world.js';

async function evaluate(text: string): Promise<EvaluatedFiles> {
  return evaluateSources({
    sources: [{ filename: 'docker-bake.hcl', text }],
    env: () => undefined,
    localPlatform: 'linux/amd64',
    world: FIXED_WORLD,
    warn: () => {},
  });
}

async function resolve(text: string, names: readonly string[]): Promise<ResolvedConfig> {
  return resolveTargets(await evaluate(text), { names, overrides: new Map(), sourceDateEpoch: undefined, warn: () => {} });
}

/** The evaluated definitions as a ResolvedConfig, unchecked: they keep their source positions. */
async function unchecked(text: string): Promise<ResolvedConfig> {
  const evaluated = await evaluate(text);
  return { groups: new Map(), targets: new Map(evaluated.targets.map((t) => [t.name, t])), linked: new Set() };
}

/** HCL for targets whose contexts name the given targets (plus one non-target context each). */
function bakefile(targets: Readonly<Record<string, readonly string[]>>): string {
  return Object.entries(targets)
    .map(
      ([name, deps]) =>
        `target "${name}" {\n  contexts = {\n    img = "docker-image://alpine"\n${deps.map((d, i) => `    c${i} = "target:${d}"\n`).join('')}  }\n}\n`,
    )
    .join('');
}

const PLANS: ReadonlyArray<{
  name: string;
  text: string;
  names: readonly string[];
  /** node → [deps, dependants] */
  nodes: Record<string, [string[], string[]]>;
  order: string[];
}> = [
  {
    name: 'a diamond pulls in its linked targets',
    text: bakefile({ a: [], b: ['a'], c: ['a'], d: ['b', 'c'] }),
    names: ['d'],
    nodes: { a: [[], ['b', 'c']], b: [['a'], ['d']], c: [['a'], ['d']], d: [['b', 'c'], []] },
    order: ['a', 'b', 'c', 'd'],
  },
  {
    name: 'two chains joined, beside an independent target',
    text: bakefile({ a1: [], a2: ['a1'], b1: [], b2: ['b1'], j: ['a2', 'b2'], other: [] }),
    names: ['j', 'other'],
    nodes: { a1: [[], ['a2']], a2: [['a1'], ['j']], b1: [[], ['b2']], b2: [['b1'], ['j']], j: [['a2', 'b2'], []], other: [[], []] },
    order: ['a1', 'a2', 'b1', 'b2', 'j', 'other'],
  },
  {
    name: 'deps come first whatever their names',
    text: bakefile({ a: ['m'], m: ['z'], z: [] }),
    names: ['a'],
    nodes: { a: [['m'], []], m: [['z'], ['a']], z: [[], ['m']] },
    order: ['z', 'm', 'a'],
  },
  {
    name: 'one target read through two contexts is one edge',
    text: bakefile({ a: [], b: ['a', 'a'] }),
    names: ['b'],
    nodes: { a: [[], ['b']], b: [['a'], []] },
    order: ['a', 'b'],
  },
  {
    name: 'targets without links are lone nodes',
    text: bakefile({ y: [], x: [] }),
    names: ['y', 'x'],
    nodes: { x: [[], []], y: [[], []] },
    order: ['x', 'y'],
  },
];

for (const c of PLANS) {
  test(`plan: ${c.name}`, async () => {
    const resolved = await resolve(c.text, c.names);
    const graph = planBuild(resolved);
    assert.deepEqual(Object.fromEntries([...graph.nodes].map(([name, n]) => [name, [n.deps, n.dependants]])), c.nodes);
    assert.deepEqual([...graph.nodes.keys()], Object.keys(c.nodes).sort());
    assert.deepEqual(
      graph.order.map((n) => n.name),
      c.order,
    );
    for (const [name, node] of graph.nodes) assert.equal(node.target, resolved.targets.get(name));
  });
}

async function assertPlanError(text: string, summary: string, detail: string | undefined, at: readonly [number, number]): Promise<void> {
  const resolved = await unchecked(text);
  assert.throws(
    () => planBuild(resolved),
    (e: unknown) => {
      assert.ok(e instanceof BakeFileError, `expected a BakeFileError, got ${String(e)}`);
      const d = e.diagnostics[0] as Diagnostic;
      assert.deepEqual(
        { summary: d.summary, detail: d.detail, at: d.range && [d.range.filename, d.range.start.line, d.range.start.column] },
        { summary, detail, at: ['docker-bake.hcl', ...at] },
      );
      return true;
    },
  );
}

const CYCLES: ReadonlyArray<{ name: string; targets: Record<string, string[]>; summary: string; path: string; at: [number, number] }> = [
  // A block with one link is 6 lines, so the second block's contexts are on line 8, the third's on 14.
  { name: 'two targets', targets: { a: ['b'], b: ['a'] }, summary: 'infinite loop from b to a', path: 'a → b → a', at: [8, 3] },
  { name: 'three targets', targets: { a: ['b'], b: ['c'], c: ['a'] }, summary: 'infinite loop from c to a', path: 'a → b → c → a', at: [14, 3] },
  {
    name: 'two targets below an acyclic entry',
    targets: { a: ['b'], b: ['c'], c: ['b'] },
    summary: 'infinite loop from c to b',
    path: 'b → c → b',
    at: [14, 3],
  },
];

for (const c of CYCLES) {
  test(`plan: a cycle through ${c.name} names its path at the contexts that close it`, async () => {
    const text = bakefile(c.targets);
    await assertPlanError(text, c.summary, c.path, c.at);
    // resolveTargets meets the cycle first, with the same first sentence at the same place.
    await assert.rejects(resolve(text, Object.keys(c.targets)), (e: unknown) => {
      const d = (e as BakeFileError).diagnostics[0] as Diagnostic;
      assert.deepEqual([d.summary, d.range?.start.line], [c.summary, c.at[0]]);
      return true;
    });
  });
}

test('plan: a self link and a link to an unknown target are errors at the contexts attribute', async () => {
  await assertPlanError(bakefile({ a: ['a'] }), 'target a cannot link to itself', undefined, [2, 3]);
  await assertPlanError(bakefile({ a: [], b: ['zz'] }), 'failed to find target zz', undefined, [7, 3]);
});
