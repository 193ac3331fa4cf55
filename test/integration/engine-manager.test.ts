/**
 * `bake engine start|status|stop` on a private state dir (a temp
 * XDG_STATE_HOME), beside whatever engine the other tests use: the engine
 * starts, answers, runs a container and a BuildKit RUN on its own bridge,
 * and stops cleanly.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { BUSYBOX_IMAGE, importBusyboxImage } from '../../src/docker/busybox-image.js';
import { DockerEngine } from '../../src/docker/engine-api.js';
import { engineStatus, startEngine, stopEngine } from '../../src/docker/engine-manager.js';
import { enginePaths } from '../../src/docker/engine-paths.js';
import { EngineError } from '../../src/docker/errors.js';
import { EngineHttp, readText } from '../../src/docker/http.js';
import { collectOutput } from '../../src/docker/stdcopy.js';
import { tarArchive } from '../../src/docker/tar.js';
import { join } from 'node:path';
import { repoRoot } from '../support/fixtures.js';

// Short: dockerd's unix sockets live under it.
const stateHome = mkdtempSync('/tmp/bake-engine-test-');
const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], XDG_STATE_HOME: stateHome };
const paths = enginePaths(env, '/nonexistent');
const signal = (): AbortSignal => AbortSignal.timeout(90_000);

before(() => {
  // Fails (never skips) where the embedded engine cannot run, with the manager's own message.
  if (process.getuid?.() !== 0) throw new Error('The engine manager tests need root (dockerd does): run them as root, as CI does.');
});

after(async () => {
  await stopEngine(env, signal());
  rmSync(stateHome, { recursive: true, force: true });
});

test('start, status, a container, a BuildKit RUN, stop', async () => {
  const started = await startEngine(env, { evenIfAnotherAnswers: true }, signal());
  assert.equal(started.started, true, started.message);
  assert.equal(started.endpoint.address, `unix://${paths.socket}`);

  const again = await startEngine(env, { evenIfAnotherAnswers: true }, signal());
  assert.equal(again.started, false, 'a second start finds the running engine');

  const status = await engineStatus(env, signal());
  assert.equal(status.source, 'embedded');
  assert.equal(status.answers, true);
  assert.equal(status.embedded.running, true);
  assert.match(status.version ?? '', /^\d+\.\d+/);

  const engine = new DockerEngine(started.endpoint);
  try {
    await importBusyboxImage(engine, signal());
    const id = await engine.containers.create(
      { Image: BUSYBOX_IMAGE, Cmd: ['sh', '-c', 'echo hello from the embedded engine; ip -4 addr show eth0 | grep -c inet'] },
      undefined,
      signal(),
    );
    const exited = engine.containers.wait(id, 'next-exit', signal());
    await engine.containers.start(id, signal());
    assert.equal((await exited).StatusCode, 0);
    assert.deepEqual(await collectOutput(engine.containers.logs(id, { tty: false }, signal())), { stdout: 'hello from the embedded engine\n1\n', stderr: '' });
    await engine.containers.remove(id, {}, signal());

    // BuildKit's RUN needs the default bridge network; with --bridge=none it fails with "network bridge not found".
    const context = tarArchive([{ type: 'file', path: 'Dockerfile', data: Buffer.from(`FROM ${BUSYBOX_IMAGE}\nRUN echo built > /built\n`) }]);
    const http = new EngineHttp(started.endpoint);
    const build = await readText(
      await http.stream(
        {
          method: 'POST',
          path: '/build',
          query: { version: '2', t: 'bake-test/engine-run:latest' },
          body: Readable.from([context]),
          contentType: 'application/x-tar',
        },
        signal(),
      ),
    );
    http.close();
    assert.doesNotMatch(build, /"error"/, build.slice(-500));
    const check = await engine.containers.create({ Image: 'bake-test/engine-run:latest', Cmd: ['cat', '/built'] }, undefined, signal());
    const done = engine.containers.wait(check, 'next-exit', signal());
    await engine.containers.start(check, signal());
    await done;
    assert.equal((await collectOutput(engine.containers.logs(check, { tty: false }, signal()))).stdout, 'built\n');
  } finally {
    engine.close();
  }

  assert.equal(await stopEngine(env, signal()), true);
  assert.equal(existsSync(paths.pidFile), false, 'dockerd removed its pidfile');
  assert.equal(spawnSync('ip', ['link', 'show', paths.bridge], { stdio: 'ignore' }).status !== 0, true, 'the bridge is gone');
  const stopped = await engineStatus(env, signal());
  assert.equal(stopped.embedded.running, false);
  assert.equal(await stopEngine(env, signal()), false, 'stopping twice is fine');
});

test('a stale pidfile naming another process: not the engine, never signalled; dockerd refuses it and the log tail says so', async () => {
  mkdirSync(paths.stateDir, { recursive: true });
  writeFileSync(paths.pidFile, String(process.pid));
  try {
    assert.equal((await engineStatus(env, signal())).embedded.running, false);
    assert.equal(await stopEngine(env, signal()), false, 'stop sends nothing to a process that is not our dockerd');
    // dockerd itself refuses a pidfile whose process lives.

    await assert.rejects(startEngine(env, { evenIfAnotherAnswers: true, timeoutMs: 20_000 }, signal()), (e: unknown) => {
      assert.ok(e instanceof EngineError);
      assert.match(e.message, /dockerd stopped .* before it answered/);
      assert.match(e.message, /pid file found/);
      return true;
    });
  } finally {
    rmSync(paths.pidFile, { force: true });
  }
});

test('no dockerd to run: a clear error with the install command, through the CLI too (exit 1)', async () => {
  const missing = { ...env, BAKE_DOCKERD: '/nonexistent/dockerd', DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
  await assert.rejects(startEngine(missing, { evenIfAnotherAnswers: true }, signal()), (e: unknown) => {
    assert.ok(e instanceof EngineError, String(e));
    assert.equal(e.message, 'dockerd is not installed, so the embedded engine cannot start');
    assert.equal(e.fix, 'Install it with `apt-get install docker.io` (as root), then run `bake engine start` again.');
    return true;
  });
  const cli = spawnSync(join(repoRoot(), 'bin', 'bake'), ['engine', 'start'], { env: missing, encoding: 'utf8' });
  assert.equal(cli.status, 1, cli.stderr);
  assert.match(cli.stderr, /dockerd is not installed, so the embedded engine cannot start[\s\S]*apt-get install docker\.io/);
});
