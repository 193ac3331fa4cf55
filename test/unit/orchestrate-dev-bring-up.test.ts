/**
 * The dev bring-up's own logic (orchestrate/dev-bring-up.ts), with a fake
 * builder and a recording `up` in place of BuildKit and a session: what it
 * builds, the image each service is given, and that a failed build leaves
 * the session alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateSources } from '../../src/bakefile/pipeline.js';
import { BuildFailedError } from '../../src/buildkit/build-result.js';
import { EngineApiError } from '../../src/docker/errors.js';
import type { BuildRunSink } from '../../src/orchestrate/build-run.js';
import type { RunBuilder } from '../../src/orchestrate/builder.js';
import { bringUpDev, planDev, type DevBringUpHooks, type DevPlan, type DevServicePlan } from '../../src/orchestrate/dev-bring-up.js';
import { FIXED_WORLD } from '../support/fixed-world.js';
import { tempDir } from '../support/temp-dir.js';

const cwd = tempDir('bake-dev-bring-up-');
writeFileSync(join(cwd, 'Dockerfile'), 'FROM scratch\n');

const BAKE_FILE = `target "app" {
  tags = ["app:dev"]
}
target "worker" {}
service "app" {
  target = "app"
}
service "worker" {
  target = "worker"
}
service "db" {
  image = "busybox:latest"
}
`;

const NONE = { files: 0, bytes: 0, requests: 0 };
const idOf = (name: string): string => `sha256:${name}`;

async function plan(text = BAKE_FILE): Promise<DevPlan> {
  const evaluated = await evaluateSources({
    sources: [{ filename: join(cwd, 'docker-bake.hcl'), text }],
    env: () => undefined,
    localPlatform: 'linux/amd64',
    world: FIXED_WORLD,
    warn: () => {},
  });
  return planDev({ evaluated, paths: [join(cwd, 'docker-bake.hcl')] }, { services: [], sets: [], cwd, env: {}, warn: () => {}, checkInputs: true });
}

/** A builder whose builds answer with `idOf(target)`, or fail for the targets in `failing`; `built` lists what it was asked to build. */
function fakeBuilder(failing: readonly string[] = []): { open: () => Promise<RunBuilder>; built: string[]; opened: () => number } {
  const built: string[] = [];
  let opened = 0;
  const builder: RunBuilder = {
    address: 'fake://builder',
    // An empty image store: nothing is up to date, so every target builds.
    images: {
      inspect: async (ref) => {
        throw new EngineApiError(404, `No such image: ${ref}`, 'GET', `/images/${ref}/json`);
      },
      pull: async () => {},
      push: async function* () {
        yield* [];
      },
      tag: async () => {},
      remove: async () => {},
    },
    namedContexts: async () => true,
    solve: async ({ spec }) => {
      built.push(spec.name);
      if (failing.includes(spec.name)) throw new BuildFailedError({ kind: 'error', target: spec.name, message: 'boom' }, { context: NONE, dockerfile: NONE });
      return { exporterResponse: { 'containerimage.digest': idOf(spec.name) }, sent: { context: NONE, dockerfile: NONE } };
    },
    close: async () => {},
  };
  return {
    built,
    opened: () => opened,
    open: async () => {
      opened++;
      return builder;
    },
  };
}

/** Hooks that record the order of events and the plans `up` was given. */
function recordingHooks(): { hooks: DevBringUpHooks<string>; events: string[]; plans: () => Map<string, string> } {
  const events: string[] = [];
  let given: readonly DevServicePlan[] = [];
  const sink: BuildRunSink = { started: () => {}, event: () => {}, sent: () => {}, settled: () => {}, warn: () => {} };
  return {
    events,
    plans: () => new Map(given.map((p) => [p.service.name, p.image])),
    hooks: {
      openSink: async () => {
        events.push('sink');
        return sink;
      },
      built: async (result) => void events.push(`built ${result.failed.size ? 'failed' : 'ok'}`),
      up: async (plans) => {
        events.push('up');
        given = plans;
        return 'session';
      },
    },
  };
}

const signal = new AbortController().signal;

test('builds every target the services run, is told the build is over, then brings the session up with what was built', async () => {
  const fake = fakeBuilder();
  const rec = recordingHooks();
  const outcome = await bringUpDev(
    { plan: await plan(), cwd, env: {}, build: { builder: undefined }, only: [], running: new Map() },
    rec.hooks,
    signal,
    fake.open,
  );
  assert.deepEqual(outcome, { outcome: 'ok', session: 'session' });
  assert.deepEqual(fake.built.sort(), ['app', 'worker']);
  assert.deepEqual(rec.events, ['sink', 'built ok', 'up']);
  assert.deepEqual(Object.fromEntries(rec.plans()), { app: idOf('app'), worker: idOf('worker'), db: 'busybox:latest' });
});

test('only the named targets build; a service whose target did not keeps the image it runs', async () => {
  const fake = fakeBuilder();
  const rec = recordingHooks();
  const running = new Map([
    ['app', 'sha256:running-app'],
    ['worker', 'sha256:running-worker'],
  ]);
  await bringUpDev({ plan: await plan(), cwd, env: {}, build: { builder: undefined }, only: ['worker'], running }, rec.hooks, signal, fake.open);
  assert.deepEqual(fake.built, ['worker']);
  assert.equal(rec.plans().get('worker'), idOf('worker'));
  assert.equal(rec.plans().get('app'), 'sha256:running-app');
});

test('a failed build is reported and leaves the session alone: up is never called', async () => {
  const fake = fakeBuilder(['worker']);
  const rec = recordingHooks();
  const outcome = await bringUpDev(
    { plan: await plan(), cwd, env: {}, build: { builder: undefined }, only: [], running: new Map() },
    rec.hooks,
    signal,
    fake.open,
  );
  assert.equal(outcome.outcome, 'build');
  assert.ok(outcome.outcome === 'build' && outcome.failed.get('worker') instanceof BuildFailedError);
  assert.deepEqual(rec.events, ['sink', 'built failed']);
});

test("without a build (--no-build), no builder is opened: a service runs what it ran, else its target's tag, else it is an error that says how to get an image", async () => {
  const fake = fakeBuilder();
  const rec = recordingHooks();
  await bringUpDev(
    { plan: await plan(), cwd, env: {}, build: undefined, only: [], running: new Map([['worker', 'sha256:running-worker']]) },
    rec.hooks,
    signal,
    fake.open,
  );
  assert.equal(fake.opened(), 0);
  assert.deepEqual(rec.events, ['up']);
  assert.deepEqual(Object.fromEntries(rec.plans()), { app: 'app:dev', worker: 'sha256:running-worker', db: 'busybox:latest' });
  await assert.rejects(
    bringUpDev({ plan: await plan(), cwd, env: {}, build: undefined, only: [], running: new Map() }, recordingHooks().hooks, signal, fake.open),
    /service worker runs target worker, which has no image yet and no tag to find one by/,
  );
});
