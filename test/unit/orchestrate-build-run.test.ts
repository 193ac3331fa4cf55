/**
 * The build run's own logic, with a fake builder in place of BuildKit and
 * the engine: links through internal tags, loads of dependencies, failures
 * that cancel the rest or not, cancellation through the signal, and every
 * tag removed however the run ends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BakeFileError } from '../../src/core/diagnostics.js';
import { evaluateSources } from '../../src/bakefile/pipeline.js';
import { resolveTargets, type ResolvedConfig } from '../../src/bakefile/resolve.js';
import { BuildFailedError, type BuildResult } from '../../src/buildkit/build.js';
import { buildMetadata, runBuild, type BuildRunSink } from '../../src/orchestrate/build-run.js';
import type { RunBuilder, TargetBuild } from '../../src/orchestrate/builder.js';
import { FIXED_WORLD } from '../support/fixed-world.js';

const cwd = mkdtempSync(join(tmpdir(), 'bake-orchestrate-'));
writeFileSync(join(cwd, 'Dockerfile'), 'FROM scratch\n');

async function resolved(text: string, names: readonly string[] = []): Promise<ResolvedConfig> {
  const evaluated = await evaluateSources({ sources: [{ filename: 'docker-bake.hcl', text }], env: () => undefined, localPlatform: 'linux/amd64', world: FIXED_WORLD, warn: () => {} });
  return resolveTargets(evaluated, { names, overrides: new Map(), sourceDateEpoch: undefined, warn: () => {} });
}

const NONE = { files: 0, bytes: 0, requests: 0 };
/** A fake image ID per target: its name's bytes in hex, padded to a digest. */
const idOf = (name: string): string => `sha256:${Buffer.from(name).toString('hex').padEnd(64, '0')}`;

/** A builder that records what the run asked of it; `behave` decides how each target's build ends. */
function fakeBuilder(behave: (request: TargetBuild, signal: AbortSignal) => Promise<BuildResult> = async (r) => ({ exporterResponse: { 'containerimage.digest': idOf(r.target.name) }, sent: { context: NONE, dockerfile: NONE } }), imageStore = true) {
  const calls: string[] = [];
  const builds: TargetBuild[] = [];
  const tags = new Set<string>();
  let closed = false;
  const builder: RunBuilder = {
    address: 'fake://builder',
    imageStore,
    namedContexts: async () => true,
    build: async (request, signal) => {
      builds.push(request);
      calls.push(`build ${request.target.name}`);
      return behave(request, signal);
    },
    tag: async (id, repo, tag) => {
      calls.push(`tag ${id} ${repo}:${tag}`);
      tags.add(`${repo}:${tag}`);
    },
    untag: async (ref) => {
      calls.push(`untag ${ref}`);
      tags.delete(ref);
    },
    close: async () => void (closed = true),
  };
  return { builder, calls, builds, tags, closed: () => closed };
}

function recordingSink(): { sink: BuildRunSink; settled: Map<string, string> } {
  const settled = new Map<string, string>();
  return { settled, sink: { started: () => {}, event: () => {}, sent: () => {}, settled: (t, status) => void settled.set(t, status), warn: () => {} } };
}

const CHAIN = 'target "base" {}\ntarget "app" {\n  contexts = { base = "target:base" }\n  tags = ["app:dev"]\n}\n';

test('a linked dependency is loaded without its tags under an internal tag the dependant reads; the tag is gone when the run ends', async () => {
  const fake = fakeBuilder();
  const { sink, settled } = recordingSink();
  const result = await runBuild({ resolved: await resolved(CHAIN, ['app']), cwd, env: {}, builder: undefined }, async () => sink, new AbortController().signal, async () => fake.builder);
  assert.deepEqual([...settled], [['base', 'cached'], ['app', 'cached']]);
  const [base, app] = fake.builds;
  assert.deepEqual(base?.target.output, [{ type: 'docker' }], 'a dependency only linked loads into the store');
  assert.deepEqual(base?.target.tags, [], 'without its own tags');
  const tag = [...(app?.links.refs.values() ?? [])][0] ?? '';
  assert.match(tag, /^bake-internal\/base:/);
  assert.ok(fake.calls.includes(`tag ${idOf('base')} ${tag}`), fake.calls.join('\n'));
  assert.equal(fake.calls.at(-1), `untag ${tag}`);
  assert.equal(fake.tags.size, 0);
  assert.ok(fake.closed());
  const [baseId, appId] = [idOf('base'), idOf('app')];
  assert.deepEqual(buildMetadata(result), { base: { 'containerimage.digest': baseId, 'containerimage.config.digest': baseId }, app: { 'containerimage.digest': appId, 'containerimage.config.digest': appId, 'image.name': 'app:dev' } });
});

test('a failure cancels the rest by default; with keepGoing, independent targets finish; tags go either way', async () => {
  const text = `${CHAIN}target "other" {}\ntarget "broken" {}\n`;
  const failing = (name: string) => async (r: TargetBuild, signal: AbortSignal): Promise<BuildResult> => {
    if (r.target.name === name) throw new BuildFailedError({ kind: 'error', target: name, message: 'exit code: 3' }, { context: NONE, dockerfile: NONE });
    // Slow enough that the failure comes first.
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, 50);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(signal.reason as Error);
        },
        { once: true },
      );
    });
    return { exporterResponse: { 'containerimage.digest': idOf(r.target.name) }, sent: { context: NONE, dockerfile: NONE } };
  };
  const names = ['app', 'other', 'broken'];
  const stop = fakeBuilder(failing('broken'));
  const stopped = await runBuild({ resolved: await resolved(text, names), cwd, env: {}, builder: undefined }, async () => recordingSink().sink, new AbortController().signal, async () => stop.builder);
  assert.deepEqual([...stopped.failed.keys()], ['broken']);
  assert.ok(stopped.run.runs.get('other')?.status === 'cancelled', 'the first failure cancels the rest');
  assert.equal(stop.tags.size, 0);

  const going = fakeBuilder(failing('broken'));
  const kept = await runBuild({ resolved: await resolved(text, names), cwd, env: {}, builder: undefined, keepGoing: true }, async () => recordingSink().sink, new AbortController().signal, async () => going.builder);
  assert.deepEqual([...kept.built.keys()].sort(), ['app', 'base', 'other']);
  assert.equal(going.tags.size, 0);
});

test('an aborted signal interrupts the run: nothing more starts, the run says so, tags and the builder are released', async () => {
  const abort = new AbortController();
  const fake = fakeBuilder(async (r, signal) => {
    if (r.target.name === 'app') abort.abort(new Error('interrupted'));
    await new Promise((resolve, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      setTimeout(resolve, r.target.name === 'base' ? 0 : 10_000);
    });
    return { exporterResponse: { 'containerimage.digest': idOf(r.target.name) }, sent: { context: NONE, dockerfile: NONE } };
  });
  const result = await runBuild({ resolved: await resolved(CHAIN, ['app']), cwd, env: {}, builder: undefined }, async () => recordingSink().sink, abort.signal, async () => fake.builder);
  assert.equal(result.interrupted, true);
  assert.deepEqual([...result.built.keys()], ['base']);
  assert.equal(fake.tags.size, 0);
  assert.ok(fake.closed());
});

test('target: links on a builder without an image store are refused before anything builds, at the contexts attribute', async () => {
  const fake = fakeBuilder(undefined, false);
  await assert.rejects(
    runBuild({ resolved: await resolved(CHAIN, ['app']), cwd, env: {}, builder: undefined }, async () => recordingSink().sink, new AbortController().signal, async () => fake.builder),
    (e: unknown) => e instanceof BakeFileError && /target app builds on target base through its contexts, but the builder at fake:\/\/builder has no image store/.test(e.message) && e.diagnostics[0]?.range?.start.line === 3,
  );
  assert.deepEqual(fake.builds, []);
  assert.ok(fake.closed(), 'the builder is closed also when the run is refused');
});

test('a missing context is refused before any builder is opened', async () => {
  let opened = false;
  await assert.rejects(
    runBuild({ resolved: await resolved('target "app" {\n  context = "nope"\n}\n', ['app']), cwd, env: {}, builder: undefined }, async () => recordingSink().sink, new AbortController().signal, async () => {
      opened = true;
      return fakeBuilder().builder;
    }),
    BakeFileError,
  );
  assert.equal(opened, false);
});
