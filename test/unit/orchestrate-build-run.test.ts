/**
 * The build run's own logic, with a fake builder in place of BuildKit and
 * the engine: links through internal tags, loads of dependencies, failures
 * that cancel the rest or not, cancellation through the signal, every tag
 * removed however the run ends, build avoidance, and the order of pull,
 * Solve, push and tag, all through the one engine client of the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { BakeFileError } from '../../src/core/diagnostics.js';
import { evaluateSources } from '../../src/bakefile/pipeline.js';
import { resolveTargets, type ResolvedConfig } from '../../src/bakefile/resolve.js';
import { BuildFailedError, type BuildResult } from '../../src/buildkit/build-result.js';
import type { SolveTarget } from '../../src/buildkit/build.js';
import { EngineApiError } from '../../src/docker/errors.js';
import type { ImageInspect } from '../../src/docker/types.js';
import { buildMetadata, runBuild, type BuildRunSink } from '../../src/orchestrate/build-run.js';
import type { RunBuilder, RunImages } from '../../src/orchestrate/builder.js';
import { FIXED_WORLD } from '../support/fixed-world.js';
import { tempDir } from '../support/temp-dir.js';

const cwd = tempDir('bake-orchestrate-');
writeFileSync(join(cwd, 'Dockerfile'), 'FROM scratch\n');
/** Build avoidance keeps its records here, not in the user's state dir. */
const env = { XDG_STATE_HOME: join(cwd, 'state') };

async function resolved(text: string, names: readonly string[] = []): Promise<ResolvedConfig> {
  const evaluated = await evaluateSources({
    sources: [{ filename: 'docker-bake.hcl', text }],
    env: () => undefined,
    localPlatform: 'linux/amd64',
    world: FIXED_WORLD,
    warn: () => {},
  });
  return resolveTargets(evaluated, { names, overrides: new Map(), sourceDateEpoch: undefined, warn: () => {} });
}

const NONE = { files: 0, bytes: 0, requests: 0 };
/** A fake image ID per target: its name's bytes in hex, padded to a digest. */
const idOf = (name: string): string => `sha256:${Buffer.from(name).toString('hex').padEnd(64, '0')}`;

/** A builder that records what the run asked of it and of its engine's image store; `behave` decides how each Solve ends. */
function fakeBuilder(
  behave: (request: SolveTarget, signal: AbortSignal) => Promise<BuildResult> = async (r) => ({
    exporterResponse: { 'containerimage.digest': idOf(r.spec.name) },
    sent: { context: NONE, dockerfile: NONE },
  }),
  imageStore = true,
) {
  const calls: string[] = [];
  const solves: SolveTarget[] = [];
  const tags = new Set<string>();
  /** The store's images: reference → image ID. */
  const stored = new Map<string, string>();
  let closed = false;
  const images: RunImages = {
    inspect: async (ref) => {
      const id = stored.get(ref);
      if (id === undefined) throw new EngineApiError(404, `No such image: ${ref}`, 'GET', `/images/${ref}/json`);
      return { Id: id } as ImageInspect;
    },
    pull: async (ref) => {
      calls.push(`pull ${ref}`);
      stored.set(ref, idOf(ref));
    },
    push: async function* (repo, tag) {
      calls.push(`push ${repo}:${tag}`);
      yield* [];
    },
    tag: async (id, repo, tag) => {
      calls.push(`tag ${id} ${repo}:${tag}`);
      tags.add(`${repo}:${tag}`);
    },
    remove: async (ref) => {
      calls.push(`untag ${ref}`);
      tags.delete(ref);
    },
  };
  const builder: RunBuilder = {
    address: 'fake://builder',
    images: imageStore ? images : undefined,
    namedContexts: async () => true,
    solve: async (request, signal) => {
      solves.push(request);
      calls.push(`solve ${request.spec.name} ${request.export.kind}`);
      const result = await behave(request, signal);
      const id = result.exporterResponse['containerimage.digest'];
      if (id && (request.export.kind === 'load' || request.export.kind === 'image')) for (const ref of [id, ...request.export.names]) stored.set(ref, id);
      return result;
    },
    close: async () => void (closed = true),
  };
  return { builder, calls, solves, tags, stored, closed: () => closed };
}

function recordingSink(): { sink: BuildRunSink; settled: Map<string, string> } {
  const settled = new Map<string, string>();
  return { settled, sink: { started: () => {}, event: () => {}, sent: () => {}, settled: (t, status) => void settled.set(t, status), warn: () => {} } };
}

const CHAIN = 'target "base" {}\ntarget "app" {\n  contexts = { base = "target:base" }\n  tags = ["app:dev"]\n}\n';

test('a linked dependency is loaded without its tags under an internal tag the dependant reads; the tag is gone when the run ends', async () => {
  const fake = fakeBuilder();
  const { sink, settled } = recordingSink();
  const result = await runBuild(
    { resolved: await resolved(CHAIN, ['app']), cwd, env, builder: undefined },
    async () => sink,
    new AbortController().signal,
    async () => fake.builder,
  );
  assert.deepEqual(
    [...settled],
    [
      ['base', 'cached'],
      ['app', 'cached'],
    ],
  );
  const [base, app] = fake.solves;
  assert.deepEqual(base?.spec.exports, [{ kind: 'load', names: [] }], 'a dependency only linked loads into the store, without its own tags');
  const tag = [...(app?.links.refs.values() ?? [])][0] ?? '';
  assert.match(tag, /^bake-internal\/base:/);
  assert.ok(fake.calls.includes(`tag ${idOf('base')} ${tag}`), fake.calls.join('\n'));
  assert.equal(fake.calls.at(-1), `untag ${tag}`);
  assert.equal(fake.tags.size, 0);
  assert.ok(fake.closed());
  const [baseId, appId] = [idOf('base'), idOf('app')];
  assert.deepEqual(buildMetadata(result), {
    base: { 'containerimage.digest': baseId, 'containerimage.config.digest': baseId },
    app: { 'containerimage.digest': appId, 'containerimage.config.digest': appId, 'image.name': 'app:dev' },
  });
});

test('a failure cancels the rest by default; with keepGoing, independent targets finish; tags go either way', async () => {
  const text = `${CHAIN}target "other" {}\ntarget "broken" {}\n`;
  const failing =
    (name: string) =>
    async (r: SolveTarget, signal: AbortSignal): Promise<BuildResult> => {
      if (r.spec.name === name) throw new BuildFailedError({ kind: 'error', target: name, message: 'exit code: 3' }, { context: NONE, dockerfile: NONE });
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
      return { exporterResponse: { 'containerimage.digest': idOf(r.spec.name) }, sent: { context: NONE, dockerfile: NONE } };
    };
  const names = ['app', 'other', 'broken'];
  const stop = fakeBuilder(failing('broken'));
  const stopped = await runBuild(
    { resolved: await resolved(text, names), cwd, env, builder: undefined },
    async () => recordingSink().sink,
    new AbortController().signal,
    async () => stop.builder,
  );
  assert.deepEqual([...stopped.failed.keys()], ['broken']);
  assert.ok(stopped.run.runs.get('other')?.status === 'cancelled', 'the first failure cancels the rest');
  assert.equal(stop.tags.size, 0);

  const going = fakeBuilder(failing('broken'));
  const kept = await runBuild(
    { resolved: await resolved(text, names), cwd, env, builder: undefined, keepGoing: true },
    async () => recordingSink().sink,
    new AbortController().signal,
    async () => going.builder,
  );
  assert.deepEqual([...kept.built.keys()].sort(), ['app', 'base', 'other']);
  assert.equal(going.tags.size, 0);
});

test('an aborted signal interrupts the run: nothing more starts, the run says so, tags and the builder are released', async () => {
  const abort = new AbortController();
  const fake = fakeBuilder(async (r, signal) => {
    if (r.spec.name === 'app') abort.abort(new Error('interrupted'));
    await new Promise((resolve, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      setTimeout(resolve, r.spec.name === 'base' ? 0 : 10_000);
    });
    return { exporterResponse: { 'containerimage.digest': idOf(r.spec.name) }, sent: { context: NONE, dockerfile: NONE } };
  });
  const result = await runBuild(
    { resolved: await resolved(CHAIN, ['app']), cwd, env, builder: undefined },
    async () => recordingSink().sink,
    abort.signal,
    async () => fake.builder,
  );
  assert.equal(result.interrupted, true);
  assert.deepEqual([...result.built.keys()], ['base']);
  assert.equal(fake.tags.size, 0);
  assert.ok(fake.closed());
});

test('target: links on a builder without an image store are refused before anything builds, at the contexts attribute', async () => {
  const fake = fakeBuilder(undefined, false);
  await assert.rejects(
    runBuild(
      { resolved: await resolved(CHAIN, ['app']), cwd, env, builder: undefined },
      async () => recordingSink().sink,
      new AbortController().signal,
      async () => fake.builder,
    ),
    (e: unknown) =>
      e instanceof BakeFileError &&
      /target app builds on target base through its contexts, but the builder at fake:\/\/builder has no image store/.test(e.message) &&
      e.diagnostics[0]?.range?.start.line === 3,
  );
  assert.deepEqual(fake.solves, []);
  assert.ok(fake.closed(), 'the builder is closed also when the run is refused');
});

test('a missing context is refused before any builder is opened', async () => {
  let opened = false;
  await assert.rejects(
    runBuild(
      { resolved: await resolved('target "app" {\n  context = "nope"\n}\n', ['app']), cwd, env, builder: undefined },
      async () => recordingSink().sink,
      new AbortController().signal,
      async () => {
        opened = true;
        return fakeBuilder().builder;
      },
    ),
    BakeFileError,
  );
  assert.equal(opened, false);
});

test('build avoidance: an unchanged target is not solved again while its image is still tagged; a changed input or a moved tag builds it', async () => {
  const dir = tempDir('bake-orchestrate-avoid-');
  writeFileSync(join(dir, 'Dockerfile'), 'FROM bake-test/base:1\nCOPY . /\n');
  writeFileSync(join(dir, 'file.txt'), 'one\n');
  const config = await resolved('target "app" {\n  tags = ["app:dev"]\n}\n', ['app']);
  const fake = fakeBuilder();
  fake.stored.set('bake-test/base:1', idOf('base-image'));
  const events: string[] = [];
  const sink: BuildRunSink = {
    ...recordingSink().sink,
    event: (e) => {
      if (e.kind === 'vertex') events.push(e.id);
    },
  };
  const run = async (): Promise<string | undefined> =>
    (
      await runBuild(
        { resolved: config, cwd: dir, env, builder: undefined },
        async () => sink,
        new AbortController().signal,
        async () => fake.builder,
      )
    ).run.runs.get('app')?.status;

  await run();
  assert.deepEqual(fake.calls, ['solve app load']);
  const second = await run();
  assert.deepEqual(fake.calls, ['solve app load'], 'nothing changed: no Solve');
  assert.equal(second, 'cached');
  assert.ok(events.includes('bake:up-to-date'), events.join(','));

  writeFileSync(join(dir, 'Dockerfile'), 'FROM bake-test/base:1\nCOPY . /app/\n');
  await run();
  assert.equal(fake.calls.length, 2, 'a changed Dockerfile builds again');
  fake.stored.set('app:dev', idOf('someone else'));
  await run();
  assert.equal(fake.calls.length, 3, 'a tag moved by another build builds again');
  fake.stored.delete('bake-test/base:1');
  await run();
  await run();
  assert.equal(fake.calls.length, 5, 'a base not in the store always builds (it could have moved in its registry)');
});

test('an unchanged run solves nothing and asks the frontend nothing, though the dependency only linked left the store with its internal tag', async () => {
  const dir = tempDir('bake-orchestrate-probe-');
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
  const config = await resolved(CHAIN, ['app']);
  const fake = fakeBuilder();
  let probes = 0;
  const builder: RunBuilder = { ...fake.builder, namedContexts: async () => (probes++, true) };
  const run = async (): Promise<void> => {
    await runBuild(
      { resolved: config, cwd: dir, env, builder: undefined },
      async () => recordingSink().sink,
      new AbortController().signal,
      async () => builder,
    );
  };
  await run();
  assert.deepEqual(
    fake.calls.filter((c) => c.startsWith('solve')),
    ['solve base load', 'solve app load'],
  );
  assert.equal(probes, 1, 'app, which links base, is solved: the frontend is asked once');
  // The engine deletes an image with its last tag: base, loaded without tags of its own, is gone once the run untagged it.
  fake.stored.delete(idOf('base'));
  const before = fake.calls.length;
  await run();
  assert.deepEqual(fake.calls.slice(before), [], 'nothing changed: no Solve, no tag');
  assert.equal(probes, 1, 'both up to date: the frontend is not asked again');
});

test('one engine client for the run: --pull with links pulls through it before the Solve, each load is pushed after its Solve, the internal tag follows', async () => {
  const dir = tempDir('bake-orchestrate-order-');
  writeFileSync(join(dir, 'Dockerfile'), 'FROM base\nFROM reg.example/tool:1\n');
  const text = [
    'target "base" {}',
    'target "app" {',
    '  contexts = { base = "target:base" }',
    '  pull = true',
    '  tags = ["reg.example/app:1"]',
    '  output = ["type=local,dest=out", "type=image,push=true"]',
    '}',
    'target "top" {',
    '  contexts = { app = "target:app" }',
    '}',
    '',
  ].join('\n');
  const fake = fakeBuilder();
  let opened = 0;
  const result = await runBuild(
    { resolved: await resolved(text, ['app', 'top']), cwd: dir, env, builder: undefined },
    async () => recordingSink().sink,
    new AbortController().signal,
    async () => {
      opened++;
      return fake.builder;
    },
  );
  assert.deepEqual([...result.failed], []);
  assert.equal(opened, 1);
  const internal = (name: string): string => [...fake.tags, ...fake.calls].find((c) => c.includes(`bake-internal/${name}:`))?.replace(/^.* /, '') ?? '';
  const [baseTag, appTag] = [internal('base'), internal('app')];
  assert.deepEqual(fake.calls, [
    'solve base load',
    `tag ${idOf('base')} ${baseTag}`,
    'pull reg.example/tool:1',
    'solve app local',
    'solve app image',
    'push reg.example/app:1',
    `tag ${idOf('app')} ${appTag}`,
    'solve top load',
    `untag ${baseTag}`,
    `untag ${appTag}`,
  ]);
});

test('an inline Dockerfile is never taken from a dir another user could have made: the kept dir must be ours, a real dir, closed to others (issue 14)', async () => {
  const inline = 'FROM scratch\nLABEL built=inline\n';
  const config = await resolved(`target "app" {\n  dockerfile-inline = ${JSON.stringify(inline)}\n}\n`, ['app']);
  /** The Dockerfile the Solve was given, read while it runs (a dir of the target's own goes when it ends). */
  const served = async (): Promise<{ path: string; text: string }> => {
    let seen: { path: string; text: string } | undefined;
    const fake = fakeBuilder(async (r) => {
      seen = { path: r.dockerfile.path, text: readFileSync(r.dockerfile.path, 'utf8') };
      return { exporterResponse: { 'containerimage.digest': idOf(r.spec.name) }, sent: { context: NONE, dockerfile: NONE } };
    });
    await runBuild(
      { resolved: config, cwd, env, builder: undefined },
      async () => recordingSink().sink,
      new AbortController().signal,
      async () => fake.builder,
    );
    return seen ?? assert.fail('no Solve');
  };
  const temp = process.env['TMPDIR'];
  try {
    const plant = (kept: string): void => {
      const planted = join(kept, createHash('sha256').update(`Dockerfile\0${inline}`).digest('hex').slice(0, 32));
      mkdirSync(planted, { recursive: true });
      writeFileSync(join(planted, 'Dockerfile'), 'FROM evil\n');
    };
    // Made first by someone else: open to all, a Dockerfile planted under the text's hash.
    process.env['TMPDIR'] = tempDir('bake-shared-tmp-');
    const kept = join(process.env['TMPDIR'], `bake-inline-${userInfo().uid}`);
    mkdirSync(kept);
    chmodSync(kept, 0o777);
    plant(kept);
    assert.equal((await served()).text, inline, 'a dir open to others is not used');
    // A link to a private dir of someone else's making.
    process.env['TMPDIR'] = tempDir('bake-shared-tmp-');
    const elsewhere = tempDir('bake-elsewhere-');
    plant(elsewhere);
    symlinkSync(elsewhere, join(process.env['TMPDIR'], `bake-inline-${userInfo().uid}`));
    assert.equal((await served()).text, inline, 'a link is not used');
    // Its own, the kept dir holds the text at a path that stays, so reruns send nothing.
    process.env['TMPDIR'] = tempDir('bake-shared-tmp-');
    const first = await served();
    assert.deepEqual(first, {
      path: join(process.env['TMPDIR'], `bake-inline-${userInfo().uid}`, first.path.split('/').at(-2) ?? '', 'Dockerfile'),
      text: inline,
    });
    assert.deepEqual(await served(), first);
  } finally {
    if (temp === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = temp;
  }
});
