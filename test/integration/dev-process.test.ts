/**
 * The processes of a dev session against the real engine (requireEngine
 * fails the run when none answers): a service container's main process, an
 * exec'd shell, orphaned execs of a previous server, re-attaching after a
 * server restart, a lost engine, and a host process in a PTY. Containers
 * carry the label bake.test=<run id> and are removed at the end.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importBusyboxImage } from '../../src/docker/busybox-image.js';
import { DockerEngine } from '../../src/docker/engine-api.js';
import { labelFilters } from '../../src/docker/filters.js';
import type { EngineEndpoint } from '../../src/docker/endpoint.js';
import { attachContainerProcess } from '../../src/dev/process/container-process.js';
import { endOrphanExecs, startExecProcess } from '../../src/dev/process/exec-process.js';
import { startHostProcess } from '../../src/dev/process/host-process.js';
import type { DevProcess } from '../../src/dev/process/process.js';
import { requireEngine } from '../support/engine.js';

const run = randomBytes(4).toString('hex');
const labels = { 'bake.test': run };
const SIZE = { rows: 24, columns: 80 };
let endpoint: EngineEndpoint;
let engine: DockerEngine;
let scratch = '';
const signal = (): AbortSignal => AbortSignal.timeout(20_000);

before(async () => {
  endpoint = await requireEngine();
  engine = new DockerEngine(endpoint);
  await importBusyboxImage(engine, signal());
  scratch = mkdtempSync(join(tmpdir(), 'bake-dev-process-'));
});

after(async () => {
  if (engine) {
    for (const c of await engine.containers.list({ label: labelFilters(labels) }, signal())) await engine.containers.remove(c.Id, { force: true }, signal());
    engine.close();
  }
  // What a failed test left running (host processes; the containers' ones ended with their containers).
  await Promise.all(processes.map((p) => p.kill().catch(() => undefined)));
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Every process a test starts, so `after` can end what a failure left behind. */
const processes: DevProcess[] = [];
function tracked(p: DevProcess): DevProcess {
  processes.push(p);
  return p;
}

/** A created (not started) service container running an interactive shell, as `bake dev` creates them. */
function createShell(): Promise<string> {
  return engine.containers.create({ Image: 'busybox:latest', Cmd: ['/bin/sh'], Tty: true, OpenStdin: true, Labels: labels }, undefined, signal());
}

async function startedShell(): Promise<string> {
  const id = await createShell();
  await engine.containers.start(id, signal());
  return id;
}

/** Waits until the process's output matches `pattern`; returns the output. */
async function until(p: DevProcess, pattern: RegExp, ms = 5_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const text = p.output.history().toString();
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) assert.fail(`no ${pattern} in the output of ${p.id}: ${JSON.stringify(text)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const type = (p: DevProcess, keys: string): void => p.write(Buffer.from(keys));

/** The shared checks of an interactive shell: it echoes, sees its size and a resize, and exits with its code. */
async function exerciseShell(p: DevProcess, code: number): Promise<void> {
  type(p, 'echo hi-$((1+1))\r');
  await until(p, /hi-2\r\n/);
  assert.match(await p.output.screen(), /hi-2/);
  type(p, 'stty size\r');
  await until(p, /24 80\r\n/);
  p.resize({ rows: 30, columns: 100 });
  type(p, 'sleep 0.2; stty size\r');
  await until(p, /30 100\r\n/);
  type(p, `exit ${code}\r`);
  assert.equal(await p.exited, code);
  assert.equal(p.state, 'exited');
  assert.equal(p.exitCode, code);
}

test('a service container attached between create and start: output, screen, resize, exit code', async () => {
  const id = await createShell();
  const p = tracked(await attachContainerProcess(engine, id, { service: 'dev', command: ['/bin/sh'], startedAt: Date.now(), size: SIZE, recovering: false }));
  assert.equal(p.kind, 'service');
  assert.equal(p.id, 'dev');
  await engine.containers.start(id, signal());
  await exerciseShell(p, 3);
  assert.equal((await engine.containers.inspect(id, signal())).State.ExitCode, 3);
});

test("an exec'd shell: output, resize, exit code from exec inspect; kill ends another one", async () => {
  const id = await startedShell();
  const p = tracked(
    await startExecProcess(engine, id, { id: '1', service: 'dev', command: ['/bin/sh'], size: SIZE, env: { GREETING: 'hello' }, workdir: '/tmp' }),
  );
  assert.equal(p.kind, 'exec');
  type(p, 'echo "$GREETING from $(pwd)"\r');
  await until(p, /hello from \/tmp\r\n/);
  await exerciseShell(p, 4);

  const other = tracked(await startExecProcess(engine, id, { id: '2', service: 'dev', command: ['/bin/sh'], size: SIZE }));
  type(other, 'echo ready-$((2*3))\r');
  await until(other, /ready-6/);
  await other.kill();
  assert.equal(other.state, 'exited');
  assert.equal(other.exitCode, 137, 'killed with SIGKILL');
});

test('endOrphanExecs ends the interactive execs a previous server left behind, and only those', async () => {
  const id = await startedShell();
  // A previous server's exec: started through a hijack that nobody reads any more.
  const orphan = await engine.execs.create(id, { Cmd: ['/bin/sh'], Tty: true, AttachStdin: true, AttachStdout: true, AttachStderr: true }, signal());
  const abandoned = await engine.execs.start(orphan, true, signal());
  abandoned.close();
  // Not bake's: a non-interactive exec (as a health probe is).
  const probe = await engine.execs.create(id, { Cmd: ['sleep', '30'], AttachStdout: true, AttachStderr: true }, signal());
  const probeStream = await engine.execs.start(probe, false, signal());
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal((await engine.execs.inspect(orphan, signal())).Running, true, 'closing the hijack leaves the exec running');

  const { ended, failed } = await endOrphanExecs(engine, id, signal());
  assert.deepEqual(ended, [orphan]);
  assert.deepEqual(failed, []);
  assert.equal((await engine.execs.inspect(orphan, signal())).Running, false);
  assert.equal((await engine.execs.inspect(probe, signal())).Running, true, 'the probe is left alone');
  probeStream.close();
});

test('recovering: a running container re-attached after a server restart shows what it printed before; a stopped one is exited', async () => {
  const id = await createShell();
  // The previous server's attach: it typed, then went away.
  const first = await engine.containers.attach(id, { tty: true, stdin: true }, signal());
  await engine.containers.start(id, signal());
  first.write('echo before-$((40+2))\r');
  let seen = '';
  for await (const f of first.frames()) if (/before-42\r\n/.test((seen += f.data.toString()))) break;
  first.close();

  const p = tracked(await attachContainerProcess(engine, id, { service: 'dev', command: ['/bin/sh'], startedAt: Date.now(), size: SIZE, recovering: true }));
  assert.equal(p.state, 'running');
  assert.match(p.output.history().toString(), /\r\nbefore-42\r\n/);
  assert.match(await p.output.screen(), /before-42/);
  type(p, 'echo after-$((1+1))\r');
  await until(p, /after-2\r\n/);
  type(p, 'exit 7\r');
  assert.equal(await p.exited, 7);

  const stopped = tracked(
    await attachContainerProcess(engine, id, { service: 'dev', command: ['/bin/sh'], startedAt: Date.now(), size: SIZE, recovering: true }),
  );
  assert.equal(await stopped.exited, 7);
  assert.equal(stopped.state, 'exited');
  assert.match(stopped.output.history().toString(), /after-2/);
});

test('kill stops a service container (SIGTERM first) and resolves once it has exited', async () => {
  const id = await engine.containers.create(
    { Image: 'busybox:latest', Cmd: ['/bin/sh', '-c', "trap 'exit 9' TERM; echo up; while :; do sleep 0.1; done"], Tty: true, OpenStdin: true, Labels: labels },
    undefined,
    signal(),
  );
  const p = tracked(
    await attachContainerProcess(engine, id, { service: 'worker', command: ['/bin/sh'], startedAt: Date.now(), size: SIZE, recovering: false }),
  );
  await engine.containers.start(id, signal());
  await until(p, /up\r\n/);
  await p.kill();
  assert.equal(p.state, 'exited');
  assert.equal(p.exitCode, 9);
  assert.equal((await engine.containers.inspect(id, signal())).State.Running, false);
});

test('a process whose engine goes away is lost, with -1', async () => {
  const proxy = await engineProxy();
  const viaProxy = new DockerEngine({ kind: 'unix', socketPath: proxy.path, address: `unix://${proxy.path}` });
  try {
    const id = await startedShell();
    const p = tracked(
      await attachContainerProcess(viaProxy, id, { service: 'dev', command: ['/bin/sh'], startedAt: Date.now(), size: SIZE, recovering: true }),
    );
    type(p, 'echo via-proxy\r');
    await until(p, /\r\nvia-proxy\r\n/);
    proxy.cut();
    assert.equal(await p.exited, -1);
    assert.equal(p.state, 'lost');
    assert.equal(p.exitCode, undefined);
    assert.equal((await engine.containers.inspect(id, signal())).State.Running, true, 'the container itself runs on');
  } finally {
    viaProxy.close();
    await proxy.close();
  }
});

test('a host process in a PTY: output, resize, exit code; kill ends its process group', async () => {
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: scratch, TERM: 'xterm-256color', PS1: '$ ' };
  const p = tracked(await startHostProcess({ id: 'api', service: 'api', command: ['/bin/sh'], cwd: scratch, env, size: SIZE }));
  assert.equal(p.kind, 'host');
  type(p, 'pwd\r');
  await until(p, new RegExp(`${scratch}\\r\\n`));
  await exerciseShell(p, 5);

  const sleeper = tracked(
    await startHostProcess({ id: 'worker', service: 'worker', command: ['/bin/sh', '-c', 'sleep 30 & sleep 30; echo never'], cwd: scratch, env, size: SIZE }),
  );
  const started = Date.now();
  await sleeper.kill();
  assert.equal(sleeper.exitCode, 128 + 15, 'ended by SIGTERM');
  assert.ok(Date.now() - started < 4_000, 'no SIGKILL needed');
});

/** A unix socket that forwards to the engine, and can cut every connection at once (the engine "going away"). */
async function engineProxy(): Promise<{ path: string; cut: () => void; close: () => Promise<void> }> {
  assert.equal(endpoint.kind, 'unix', 'the proxy forwards to a unix socket');
  const target = endpoint.kind === 'unix' ? endpoint.socketPath : '';
  const path = join(scratch, 'engine.sock');
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection(target);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('error', () => undefined).on('close', () => open.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const cut = (): void => {
    for (const s of open) s.destroy();
  };
  return { path, cut, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
