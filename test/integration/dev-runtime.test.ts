/**
 * A dev session's services in the real engine (requireEngine fails the run
 * when none answers): depends_on waits for health, DNS aliases, ports and
 * volumes, unchanged services kept, a changed one recreated, failures named,
 * sessions found again from labels, and `down` cleaning up.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importBusyboxImage } from '../../src/docker/busybox-image.js';
import { resolveEngineEndpoint } from '../../src/docker/endpoint.js';
import { DockerEngine } from '../../src/docker/engine-api.js';
import { isNotFound } from '../../src/docker/errors.js';
import { labelFilters } from '../../src/docker/filters.js';
import { collectOutput } from '../../src/docker/stdcopy.js';
import { DEV_LABELS_VERSION, LABEL } from '../../src/dev/labels.js';
import { discoverSessions } from '../../src/dev/runtime/discover.js';
import { containerName } from '../../src/dev/runtime/session-objects.js';
import { DevRuntimeError } from '../../src/dev/runtime/errors.js';
import { ServiceRuntime, type ServicePlan, type SessionIdentity, type StartHooks } from '../../src/dev/runtime/service-runtime.js';
import { requireEngine } from '../support/engine.js';

const IMAGE = 'busybox:latest';
const projectDir = mkdtempSync(join(tmpdir(), 'bake-dev-runtime-'));
const sessions: SessionIdentity[] = [];
/** The client's engine address, as the session's labels record it. */
const address = resolveEngineEndpoint(process.env).endpoint.address;
let engine: DockerEngine;
const signal = (): AbortSignal => AbortSignal.timeout(30_000);

before(async () => {
  engine = new DockerEngine(await requireEngine());
  await importBusyboxImage(engine, signal());
  mkdirSync(join(projectDir, 'data'));
  writeFileSync(join(projectDir, 'data', 'hello.txt'), 'hello from the host\n');
});

after(async () => {
  if (engine) {
    for (const s of sessions) await runtimeOf(s).down({ volumes: true }, signal());
    engine.close();
  }
  rmSync(projectDir, { recursive: true, force: true });
});

/** A session of its own per use, so runs never meet: `rt<hex>`. */
function newSession(): SessionIdentity {
  const key = randomBytes(6).toString('hex');
  const session = { id: `rt-${key.slice(0, 6)}`, projectKey: key, files: [join(projectDir, 'docker-bake.hcl')], engine: address, owner: `test-${key}` };
  sessions.push(session);
  return session;
}

function runtimeOf(session: SessionIdentity): ServiceRuntime {
  return new ServiceRuntime(engine, session, { env: (name) => (name === 'FROM_CLIENT' ? 'yes' : undefined), home: '/nonexistent' });
}

/** Hooks that write down what happened, in order. */
function recorder(): { events: string[]; hooks: StartHooks } {
  const events: string[] = [];
  return {
    events,
    hooks: {
      replacing: async () => undefined,
      created: async (service) => void events.push(`created ${service}`),
      startHost: async (plan) => void events.push(`host ${plan.service.name}`),
      status: (service, message) => void events.push(`${service}: ${message}`),
    },
  };
}

async function execIn(containerId: string, cmd: string[]): Promise<{ code: number | null; out: string }> {
  const id = await engine.execs.create(containerId, { Cmd: cmd, AttachStdout: true, AttachStderr: true }, signal());
  const stream = await engine.execs.start(id, false, signal());
  const { stdout, stderr } = await collectOutput(stream.frames());
  return { code: (await engine.execs.inspect(id, signal())).ExitCode, out: stdout + stderr };
}

function sessionFilter(session: SessionIdentity): { label: string[] } {
  return { label: labelFilters({ [LABEL.session]: session.id }) };
}

const main = newSession();
const db: ServicePlan = {
  // Ends on SIGTERM (a shell as PID 1 would ignore it), so stop does not wait out the grace period.
  service: {
    name: 'db',
    command: ['sh', '-c', 'trap "exit 0" TERM; sleep 1; touch /tmp/ready; sleep 3600 & wait'],
    healthcheck: { test: ['CMD', 'test', '-f', '/tmp/ready'], interval: '200ms', retries: 50 },
  },
  image: IMAGE,
  projectDir,
};
const api = (mode: string): ServicePlan => ({
  service: {
    name: 'api',
    command: ['sh', '-c', 'exec sleep 3600'],
    environment: { MODE: mode, FROM_CLIENT: null },
    ports: ['127.0.0.1::8080', '127.0.0.1::9001-9002'],
    volumes: ['./data:/data', 'cache:/cache', './data:/ro:ro'],
    depends_on: ['db'],
  },
  image: IMAGE,
  projectDir,
});
const web: ServicePlan = { service: { name: 'web', runs_on: 'host', depends_on: ['db'] }, projectDir };
const ids = new Map<string, string>();

test('up starts db, then api and the host service once db is healthy', async () => {
  const { events, hooks } = recorder();
  const t0 = Date.now();
  const result = await runtimeOf(main).up([api('one'), db, web], hooks, { healthTimeoutMs: 10_000 }, signal());
  const took = Date.now() - t0;
  assert.deepEqual([...result.recreated].sort(), ['api', 'db']);
  assert.deepEqual([...result.containers.keys()].sort(), ['api', 'db']);
  for (const [k, v] of result.containers) ids.set(k, v);

  const healthy = events.indexOf('db: healthy');
  assert.ok(healthy >= 0, events.join('\n'));
  assert.ok(events.indexOf('created db') < healthy);
  assert.ok(events.indexOf('created api') > healthy, `api is created after db is healthy:\n${events.join('\n')}`);
  assert.ok(events.indexOf('host web') > healthy, `web starts after db is healthy:\n${events.join('\n')}`);

  const dbInfo = await engine.containers.inspect(ids.get('db') ?? '', signal());
  const apiInfo = await engine.containers.inspect(ids.get('api') ?? '', signal());
  assert.equal(dbInfo.State.Health?.Status, 'healthy');
  const firstPass = dbInfo.State.Health?.Log?.find((l) => l.ExitCode === 0);
  assert.ok(firstPass, 'db has passed its check');
  const apiStarted = Date.parse(apiInfo.State.StartedAt);
  assert.ok(
    apiStarted - Date.parse(dbInfo.State.StartedAt) >= 1000,
    `api started ${apiStarted - Date.parse(dbInfo.State.StartedAt)} ms after db, which is ready after 1 s`,
  );
  assert.ok(
    apiStarted >= Date.parse(firstPass.End) || (dbInfo.State.Health?.Log?.length ?? 0) >= 5,
    'api starts after a passing check (unless the log has moved on)',
  );
  assert.deepEqual(
    apiInfo.Config.Env?.filter((e) => /^(MODE|FROM_CLIENT)=/.test(e)),
    ['MODE=one', 'FROM_CLIENT=yes'],
  );
  assert.ok(took < 30_000, `up took ${took} ms`);
});

test('services reach each other by name on the session network', async () => {
  const apiId = ids.get('api') ?? '';
  const lookup = await execIn(apiId, ['nslookup', 'db']);
  assert.equal(lookup.code, 0, lookup.out);
  const ping = await execIn(apiId, ['ping', '-c1', '-W2', 'db']);
  assert.equal(ping.code, 0, ping.out);
  const network = await engine.networks.inspect(`bake-${main.id}`, signal());
  assert.equal(network.Labels?.[LABEL.session], main.id);
  assert.equal(network.Labels?.[LABEL.project], main.projectKey);
  const apiInfo = await engine.containers.inspect(apiId, signal());
  assert.ok(apiInfo.NetworkSettings.Networks[`bake-${main.id}`]?.Aliases?.includes('api'));
  assert.equal(apiInfo.Name, `/bake-${main.id}-api`);
});

test('ports are published and volumes mounted', async () => {
  const apiId = ids.get('api') ?? '';
  const info = await engine.containers.inspect(apiId, signal());
  for (const port of ['8080/tcp', '9001/tcp', '9002/tcp']) {
    const bound = info.NetworkSettings.Ports?.[port]?.[0];
    assert.equal(bound?.HostIp, '127.0.0.1', port);
    assert.match(bound?.HostPort ?? '', /^\d+$/, port);
  }
  const volume = `bake-${main.projectKey}-cache`;
  assert.deepEqual(info.Mounts.map((m) => `${m.Type} ${m.Type === 'volume' ? m.Name : m.Source} ${m.Destination} ${m.RW}`).sort(), [
    `bind ${projectDir}/data /data true`,
    `bind ${projectDir}/data /ro false`,
    `volume ${volume} /cache true`,
  ]);
  const labels = (await engine.volumes.inspect(volume, signal())).Labels ?? {};
  assert.equal(labels[LABEL.project], main.projectKey);
  assert.equal(labels[LABEL.session], main.id);

  assert.equal((await execIn(apiId, ['cat', '/data/hello.txt'])).out, 'hello from the host\n');
  assert.equal((await execIn(apiId, ['sh', '-c', 'echo kept > /cache/note'])).code, 0);
  assert.notEqual((await execIn(apiId, ['touch', '/ro/nope'])).code, 0, 'a :ro bind is read-only');
});

test('up with the same plans keeps every container', async () => {
  const { events, hooks } = recorder();
  const result = await runtimeOf(main).up([api('one'), db, web], hooks, { healthTimeoutMs: 10_000 }, signal());
  assert.deepEqual(result.recreated, []);
  assert.deepEqual(new Map([...result.containers].sort()), new Map([...ids].sort()));
  assert.ok(!events.some((e) => e.startsWith('created')), events.join('\n'));
});

test('a changed environment recreates only that service', async () => {
  const { hooks } = recorder();
  const result = await runtimeOf(main).up([api('two'), db], hooks, { healthTimeoutMs: 10_000 }, signal());
  assert.deepEqual(result.recreated, ['api']);
  assert.equal(result.containers.get('db'), ids.get('db'));
  assert.notEqual(result.containers.get('api'), ids.get('api'));
  await assert.rejects(engine.containers.inspect(ids.get('api') ?? '', signal()), isNotFound, 'the old container is gone');
  ids.set('api', result.containers.get('api') ?? '');
  assert.equal((await execIn(ids.get('api') ?? '', ['cat', '/cache/note'])).out, 'kept\n', 'the named volume outlives the container');
});

test('stop, start, restart and recreate one service', async () => {
  const runtime = runtimeOf(main);
  await runtime.stop('db', signal());
  assert.equal((await runtime.containerOf('db', signal()))?.State, 'exited');
  await runtime.stop('db', signal());
  await runtime.start('db', signal());
  assert.equal((await runtime.containerOf('db', signal()))?.State, 'running');
  await runtime.stop('db', signal());
  await runtime.start('db', signal());
  assert.equal((await runtime.containerOf('db', signal()))?.Id, ids.get('db'));
  const { events, hooks } = recorder();
  const id = await runtime.recreate(db, hooks, signal());
  assert.notEqual(id, ids.get('db'));
  assert.ok(events.includes('created db'));
  assert.equal((await runtime.containerOf('db', signal()))?.Id, id);
  ids.set('db', id);
  await assert.rejects(
    runtime.start('nothing', signal()),
    (e: unknown) => e instanceof DevRuntimeError && /service "nothing" has no container/.test(e.message),
  );
});

test("a service with no running container is made under its own name at once; a stopped one of that name, and an interrupted replace's leftover, are replaced", async () => {
  const session = newSession();
  const runtime = runtimeOf(session);
  const solo: ServicePlan = { service: { name: 'solo', command: ['sleep', '3600'] }, image: IMAGE, projectDir };
  const final = containerName(session, 'solo');
  await engine.containers.create({ Image: IMAGE, Cmd: ['sleep', '3600'], Labels: { [LABEL.session]: session.id } }, `${final}-next`, signal());
  const { hooks } = recorder();
  const first = (await runtime.up([solo], hooks, { healthTimeoutMs: 10_000 }, signal())).containers.get('solo') ?? '';
  assert.equal((await engine.containers.inspect(first, signal())).Name, `/${final}`);
  await assert.rejects(engine.containers.inspect(`${final}-next`, signal()), isNotFound, 'the leftover is gone');
  await runtime.stop('solo', signal());
  const second = (await runtime.up([solo], hooks, { healthTimeoutMs: 10_000 }, signal())).containers.get('solo') ?? '';
  assert.notEqual(second, first);
  const made = await engine.containers.inspect(second, signal());
  assert.equal(made.Name, `/${final}`);
  assert.equal(made.State.Running, true);
  await assert.rejects(engine.containers.inspect(first, signal()), isNotFound, 'the stopped container of that name is gone');
});

test('a shell as PID 1 stops in well under the 10 s grace: the interactive shell is hung up under init; init, stop_grace_period', async () => {
  const session = newSession();
  const plan = (name: string, service: Omit<ServicePlan['service'], 'name'>): ServicePlan => ({ service: { name, ...service }, image: IMAGE, projectDir });
  const plans = [
    // bake's default shell on a TTY: an interactive ash, which ignores SIGTERM even when it is not PID 1.
    plan('dev', { interactive: true }),
    // A non-interactive shell as PID 1 has no SIGTERM handler, so the kernel drops it: init = true makes it PID 2.
    plan('worker', { init: true, command: ['sh', '-c', 'sleep 3600 & wait'] }),
    // No init: compose's default, bounded by its grace period.
    plan('graced', { stop_grace_period: '1s', command: ['sh', '-c', 'sleep 3600 & wait'] }),
  ];
  const runtime = runtimeOf(session);
  await runtime.up(plans, recorder().hooks, { healthTimeoutMs: 10_000 }, signal());
  for (const [service, bound] of [
    ['dev', 5_000],
    ['worker', 5_000],
    ['graced', 6_000],
  ] as const) {
    const t0 = performance.now();
    await runtime.stop(service, signal());
    const took = performance.now() - t0;
    assert.equal((await runtime.containerOf(service, signal()))?.State, 'exited');
    // The engine's default grace is 10 s: a stop that waited it out took over 10 s, however loaded the machine.
    assert.ok(took < bound, `stopping ${service} took ${took.toFixed(0)} ms`);
  }
  const inspect = await engine.containers.inspect((await runtime.containerOf('dev', signal()))?.Id ?? '', signal());
  assert.equal(inspect.HostConfig.Init, true, 'the interactive service runs under init');
  assert.equal(inspect.Config.StopSignal, 'SIGHUP');
});

test('discoverSessions finds the session from its labels', async () => {
  const found = (await discoverSessions(engine, signal())).find((s) => s.id === main.id);
  assert.ok(found);
  assert.equal(found.projectKey, main.projectKey);
  assert.deepEqual(found.files, main.files);
  assert.equal(found.engine, address);
  assert.equal(found.protocol, DEV_LABELS_VERSION);
  assert.deepEqual(
    found.containers.map((c) => [c.service, c.id, c.state, c.image]),
    [
      ['api', ids.get('api'), 'running', IMAGE],
      ['db', ids.get('db'), 'running', IMAGE],
    ],
  );
  const labelled = (JSON.parse(found.containers[0]?.labels[LABEL.plan] ?? '{}') as ServicePlan).service;
  assert.equal(labelled.name, 'api');
  // Labels are readable by whoever can list containers: the environment's names only, never its values.
  assert.deepEqual(labelled.environment, { MODE: null, FROM_CLIENT: null });
});

test('down removes containers and network, keeps named volumes; down with volumes removes them', async () => {
  const runtime = runtimeOf(main);
  const volume = `bake-${main.projectKey}-cache`;
  await runtime.down({ volumes: false }, signal());
  assert.deepEqual(await engine.containers.list(sessionFilter(main), signal()), []);
  assert.deepEqual(await engine.networks.list(sessionFilter(main), signal()), []);
  assert.equal((await engine.volumes.inspect(volume, signal())).Name, volume);
  await runtime.down({ volumes: true }, signal());
  await assert.rejects(engine.volumes.inspect(volume, signal()), isNotFound);
  await runtime.down({ volumes: true }, signal());
  assert.equal(
    (await discoverSessions(engine, signal())).find((s) => s.id === main.id),
    undefined,
  );
});

test('each service starts as soon as its own dependencies are up, not level by level', async () => {
  const session = newSession();
  const plan = (name: string, service: Omit<ServicePlan['service'], 'name'>): ServicePlan => ({
    service: { name, command: ['sleep', '3600'], ...service },
    image: IMAGE,
    projectDir,
  });
  const plans = [
    plan('slow', {
      command: ['sh', '-c', 'sleep 1; touch /tmp/ready; exec sleep 3600'],
      healthcheck: { test: ['CMD', 'test', '-f', '/tmp/ready'], interval: '200ms', retries: 50 },
    }),
    plan('app', { depends_on: ['slow', 'worker'] }),
    plan('cache', {}),
    plan('worker', { depends_on: ['cache'] }),
  ];
  const { events, hooks } = recorder();
  const result = await runtimeOf(session).up(plans, hooks, { healthTimeoutMs: 10_000 }, signal());
  assert.deepEqual([...result.recreated].sort(), ['app', 'cache', 'slow', 'worker']);
  const at = (event: string): number => events.indexOf(event);
  assert.ok(at('created worker') >= 0 && at('created worker') < at('slow: healthy'), `worker does not wait for slow:\n${events.join('\n')}`);
  assert.ok(at('created app') > at('slow: healthy') && at('created app') > at('created worker'), events.join('\n'));
});

test('plans with a depends_on cycle or a missing dependency are refused before anything is made', async () => {
  const session = newSession();
  const plan = (name: string, deps: string[]): ServicePlan => ({ service: { name, depends_on: deps }, image: IMAGE, projectDir });
  await assert.rejects(runtimeOf(session).up([plan('a', ['b']), plan('b', ['a'])], recorder().hooks, { healthTimeoutMs: 1000 }, signal()), /depends_on cycle/);
  await assert.rejects(
    runtimeOf(session).up([plan('a', ['ghost'])], recorder().hooks, { healthTimeoutMs: 1000 }, signal()),
    /"ghost", which is not in the plans/,
  );
  assert.deepEqual(await engine.networks.list(sessionFilter(session), signal()), []);
});

test('a dependency whose health check never passes fails up, naming it and what the check said', async () => {
  const session = newSession();
  const bad: ServicePlan = {
    service: { name: 'bad', command: ['sleep', '3600'], healthcheck: { test: ['CMD-SHELL', 'echo not ready yet; exit 1'], interval: '200ms', retries: 1 } },
    image: IMAGE,
    projectDir,
  };
  const waiter: ServicePlan = { service: { name: 'waiter', command: ['sleep', '3600'], depends_on: ['bad'] }, image: IMAGE, projectDir };
  const { events, hooks } = recorder();
  const t0 = Date.now();
  await assert.rejects(runtimeOf(session).up([waiter, bad], hooks, { healthTimeoutMs: 1500 }, signal()), (e: unknown) => {
    assert.ok(e instanceof DevRuntimeError, String(e));
    assert.equal(e.message, 'service "bad" did not become healthy within 1.5s; its health check last said: "not ready yet"');
    assert.equal(e.fix, "Check the service's healthcheck, or raise --wait-timeout (now 1.5s).");
    assert.equal(e.kind, 'run');
    return true;
  });
  const took = Date.now() - t0;
  // Within seconds of its 1.5 s timeout, not the default 60 s: generous, as the machine may be loaded.
  assert.ok(took >= 1500 && took < 20_000, `failed after ${took} ms`);
  assert.ok(!events.includes('created waiter'), events.join('\n'));
  assert.deepEqual(
    (await engine.containers.list(sessionFilter(session), signal())).map((c) => c.Labels[LABEL.service]),
    ['bad'],
  );
});

test('a dependency that exits fails up with its exit code and last output', async () => {
  const session = newSession();
  const quitter: ServicePlan = {
    service: {
      name: 'quitter',
      command: ['sh', '-c', 'echo starting; sleep 0.3; echo boom; exit 3'],
      healthcheck: { test: ['CMD', 'false'], interval: '200ms' },
    },
    image: IMAGE,
    projectDir,
  };
  const waiter: ServicePlan = { service: { name: 'waiter', command: ['sleep', '3600'], depends_on: ['quitter'] }, image: IMAGE, projectDir };
  await assert.rejects(runtimeOf(session).up([quitter, waiter], recorder().hooks, { healthTimeoutMs: 10_000 }, signal()), (e: unknown) => {
    assert.ok(e instanceof DevRuntimeError, String(e));
    assert.equal(e.message, 'service "quitter" exited with code 3 before it was up; its last output: "starting | boom"');
    return true;
  });
});
