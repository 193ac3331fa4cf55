/**
 * Faults under `bake dev` (issue 14, "Faults and load"), through bin/bake
 * and a private server: a full runtime dir, kill -9 of the server in the
 * middle of bringing sessions up, and an engine restarted under a session.
 * Each checks that nothing is lost (every service runs once after), nothing
 * duplicated (one container per service) and nothing left (containers and
 * networks by the server's owner label, server processes, socket and lock).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LABEL } from '../../src/dev/labels.js';
import { parseEngineAddress } from '../../src/docker/endpoint.js';
import { DockerEngine } from '../../src/docker/engine-api.js';
import { runBake, type Run } from '../support/bake-cli.js';
import { ensureBusyboxImage } from '../support/busybox-image.js';
import { privateServerEnv } from '../support/dev-server.js';
import { requireBuildEngine } from '../support/engine.js';

const IMAGE = 'busybox:latest';
const ROUNDS = 3;
let scratch = '';
let engineAddress = '';
/** Every server environment a test used: `after` stops them and removes what they left. */
const servers: Record<string, string>[] = [];
const mounts: string[] = [];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const bake = (args: string[], env: Record<string, string>, cwd = scratch): Promise<Run> => runBake(args, { cwd, env, timeoutMs: 120_000 });

function serverEnv(name: string, engine = engineAddress): Record<string, string> {
  const env = privateServerEnv(engine, join(scratch, name));
  mkdirSync(env['XDG_RUNTIME_DIR'] ?? '', { recursive: true, mode: 0o700 });
  servers.push(env);
  return env;
}

function project(name: string, hcl: string): string {
  const dir = join(scratch, 'projects', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'docker-bake.hcl'), hcl);
  return dir;
}

const sleeper = (name: string, extra = ''): string => `service "${name}" {\n  image   = "${IMAGE}"\n  command = ["sleep", "3600"]\n${extra}}\n`;

const serverDir = (env: Record<string, string>): string => join(env['XDG_RUNTIME_DIR'] ?? '', 'bake');
/** What a server of `env` created carries its socket path as owner. */
const owned = (env: Record<string, string>): { label: string[] } => ({ label: [`${LABEL.owner}=${join(serverDir(env), 'server.sock')}`] });

/** Processes started with this server environment (a server, or anything it ran on the host). */
function processesOf(env: Record<string, string>): number[] {
  const marker = `XDG_RUNTIME_DIR=${env['XDG_RUNTIME_DIR']}\0`;
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (`${readFileSync(`/proc/${pid}/environ`, 'latin1')}\0`.includes(marker) && Number(pid) !== process.pid) found.push(Number(pid));
    } catch {
      // Gone, or a zombie.
    }
  }
  return found;
}

function serverPid(env: Record<string, string>): number | undefined {
  try {
    return Number(readFileSync(join(serverDir(env), 'server.lock'), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

/** Containers and networks of `env`'s server, by service (containers) or name (networks). */
async function leftIn(engine: DockerEngine, env: Record<string, string>): Promise<string[]> {
  const signal = AbortSignal.timeout(10_000);
  const [containers, networks] = await Promise.all([engine.containers.list(owned(env), signal), engine.networks.list(owned(env), signal)]);
  return [...containers.map((c) => `container ${c.Names[0] ?? c.Id}`), ...networks.map((n) => `network ${n.Name}`)];
}

/** Stops the server of `env` and checks nothing of it is left: containers, networks, processes, socket, lock. */
async function stopAndCheckNothingLeft(engine: DockerEngine, env: Record<string, string>): Promise<void> {
  const stop = await bake(['server', 'stop'], env);
  assert.equal(stop.status, 0, stop.stderr);
  let left = await leftIn(engine, env);
  for (let i = 0; i < 100 && (left.length || processesOf(env).length); i++) left = (await sleep(200), await leftIn(engine, env));
  assert.deepEqual(left, [], 'no container or network of the server is left');
  assert.deepEqual(processesOf(env), [], 'no process of the server is left');
  assert.deepEqual(
    readdirSync(serverDir(env)).filter((f) => f !== 'server.log' && f !== 'server-engines.json'),
    [],
    'no socket, lock or other state but the log and the engines list',
  );
}

before(async () => {
  const socketPath = await requireBuildEngine();
  engineAddress = `unix://${socketPath}`;
  scratch = mkdtempSync(join(tmpdir(), 'bake-dev-faults-'));
});

after(async () => {
  for (const env of servers) {
    await bake(['server', 'stop'], env).catch(() => undefined);
    for (const pid of processesOf(env)) process.kill(pid, 'SIGKILL');
    const engine = new DockerEngine(parseEngineAddress(env['DOCKER_HOST'] ?? ''));
    const signal = AbortSignal.timeout(30_000);
    for (const c of await engine.containers.list(owned(env), signal).catch(() => []))
      await engine.containers.remove(c.Id, { force: true }, signal).catch(() => undefined);
    for (const n of await engine.networks.list(owned(env), signal).catch(() => [])) await engine.networks.remove(n.Id, signal).catch(() => undefined);
    engine.close();
  }
  for (const m of mounts) execFileSync('umount', [m]);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('a full runtime dir: the server cannot start and says so at once; nothing half-written is left; with room again every session comes back', async () => {
  const env = serverEnv('full');
  const run = env['XDG_RUNTIME_DIR'] ?? '';
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=700', 'tmpfs', run]);
  mounts.push(run);
  // Every free block: the server's own files take some once it ran.
  const fill = (): void => {
    const { bavail, bsize } = statfsSync(run);
    writeFileSync(join(run, 'filler'), Buffer.alloc(bavail * bsize));
  };
  const engine = new DockerEngine(parseEngineAddress(engineAddress));
  try {
    fill();
    const a = project('full-a', sleeper('a'));
    const refused = await bake(['dev', '--detach'], env, a);
    assert.equal(refused.status, 1, refused.stderr);
    assert.ok(refused.ms < 10_000, `at once, not after a 15 s wait (${Math.round(refused.ms)} ms)`);
    assert.match(
      refused.stderr,
      new RegExp(
        `^error: the bake server cannot start: ${run}/bake is full \\(\\d+ bytes free\\), with no room for its lock and log\\n {2}= fix: Free space there, or set XDG_RUNTIME_DIR to a directory with room\\.$`,
        'm',
      ),
    );
    assert.deepEqual(readdirSync(serverDir(env)), ['server.log'], 'no lock, socket or half-written file');
    assert.deepEqual(processesOf(env), []);
    assert.deepEqual(await leftIn(engine, env), []);

    // Room again: the server starts; then the disk fills under it, and it goes on serving.
    rmSync(join(run, 'filler'));
    const up = await bake(['dev', '--detach'], env, a);
    assert.equal(up.status, 0, up.stderr);
    fill();
    const b = project('full-b', sleeper('b'));
    const upFull = await bake(['dev', '--detach'], env, b);
    assert.equal(upFull.status, 0, upFull.stderr);
    // A server killed now cannot be replaced while the disk is full: a clear error, and its sessions are not lost.
    process.kill(serverPid(env) ?? 0, 'SIGKILL');
    await sleep(300);
    const attach = await bake(['dev', 'attach'], env, b);
    assert.equal(attach.status, 1, attach.stderr);
    assert.match(attach.stderr, /^error: the bake server cannot start: .* is full/m);
    rmSync(join(run, 'filler'));
    const ls = await bake(['dev', 'ls', '--format', 'json'], env);
    assert.equal(ls.status, 0, ls.stderr);
    const sessions = JSON.parse(ls.stdout) as { files: string[]; services: { name: string; state: string }[] }[];
    assert.deepEqual(sessions.flatMap((s) => s.services.map((v) => `${v.name} ${v.state}`)).sort(), ['a running', 'b running'], 'both sessions recovered');
    JSON.parse(readFileSync(join(serverDir(env), 'server-engines.json'), 'utf8'));
    await stopAndCheckNothingLeft(engine, env);
  } finally {
    engine.close();
  }
});

test(`kill -9 of the server while ${ROUNDS} sessions come up: each comes up once on the next try, nothing is duplicated, and server stop leaves nothing`, async () => {
  const env = serverEnv('killed');
  const engine = new DockerEngine(parseEngineAddress(engineAddress));
  const figures = { tried: 0, clientFailed: 0, lost: 0, duplicated: 0 };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = project(
        `killed-${round}`,
        // db becomes healthy after a moment, api waits for it: the server is killed somewhere in between.
        sleeper(
          'db',
          '  healthcheck {\n    test     = ["CMD", "sh", "-c", "test -e /tmp/up || { sleep 0.5; touch /tmp/up; exit 1; }"]\n    interval = "200ms"\n  }\n',
        ) + sleeper('api', '  depends_on = ["db"]\n'),
      );
      figures.tried++;
      const up = bake(['dev', '--detach'], env, dir);
      let pid: number | undefined;
      for (let i = 0; i < 200 && !(pid = serverPid(env)); i++) await sleep(25);
      await sleep(100 + round * 250);
      process.kill(pid ?? 0, 'SIGKILL');
      const first = await up;
      if (first.status !== 0) {
        figures.clientFailed++;
        assert.equal(first.status, 1, first.stderr);
        // Killed once it served, or still starting (a loaded machine can take longer than the wait above to listen): either is said.
        assert.match(
          first.stderr,
          /^error: the bake server (went away|exited as it started \(exit code \d+\))\n {2}= fix: /m,
          'a sentence and the fix, not a crash',
        );
      }
      const again = await bake(['dev', '--detach'], env, dir);
      assert.equal(again.status, 0, again.stderr);
      const id = /session (\S+) is up/.exec(again.stdout + again.stderr)?.[1] ?? '';
      const containers = await engine.containers.list({ label: [`${LABEL.session}=${id}`] }, AbortSignal.timeout(10_000));
      const services = containers.map((c) => `${c.Labels[LABEL.service]} ${c.State}`).sort();
      if (!services.includes('api running') || !services.includes('db running')) figures.lost++;
      if (services.length > 2) figures.duplicated++;
      assert.deepEqual(services, ['api running', 'db running'], `round ${round}: each service once, running`);
      assert.equal((await engine.networks.list({ label: [`${LABEL.session}=${id}`] }, AbortSignal.timeout(10_000))).length, 1, 'one network');
    }
    await stopAndCheckNothingLeft(engine, env);
    console.log(
      `# server kill -9 mid-up: ${figures.tried} tried, ${figures.clientFailed} clients told the server went away, ${figures.lost} lost, ${figures.duplicated} duplicated, 0 left`,
    );
  } finally {
    engine.close();
  }
});

test('an engine restarted under a session: bake dev ls still lists it, bake dev brings it back with one container per service, and stop leaves nothing', async () => {
  // An engine of this test's own, in a short state dir (dockerd's unix sockets live under it).
  const stateHome = mkdtempSync('/tmp/bake-fe-');
  const engineEnv: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/root',
    XDG_STATE_HOME: stateHome,
    ...(process.env['BAKE_DOCKERD'] ? { BAKE_DOCKERD: process.env['BAKE_DOCKERD'] } : {}),
  };
  const socket = join(stateHome, 'bake', 'engine', 'docker.sock');
  const startEngine = await runBake(['engine', 'start'], { cwd: scratch, env: engineEnv, timeoutMs: 120_000 });
  assert.equal(startEngine.status, 0, startEngine.stderr);
  const engine = new DockerEngine(parseEngineAddress(`unix://${socket}`));
  try {
    await ensureBusyboxImage(socket);
    const env = serverEnv('restart', `unix://${socket}`);
    const dir = project('restart', sleeper('web') + sleeper('worker'));
    const up = await bake(['dev', '--detach'], env, dir);
    assert.equal(up.status, 0, up.stderr);
    const id = /session (\S+) is up/.exec(up.stdout + up.stderr)?.[1] ?? '';

    const stopped = await runBake(['engine', 'stop'], { cwd: scratch, env: engineEnv, timeoutMs: 120_000 });
    assert.equal(stopped.status, 0, stopped.stderr);
    const restarted = await runBake(['engine', 'start'], { cwd: scratch, env: engineEnv, timeoutMs: 120_000 });
    assert.equal(restarted.status, 0, restarted.stderr);

    const ls = await bake(['dev', 'ls', '--format', 'json'], env);
    assert.equal(ls.status, 0, ls.stderr);
    const listed = (JSON.parse(ls.stdout) as { id: string; services: { name: string; state: string }[] }[]).find((s) => s.id === id);
    assert.deepEqual(listed?.services.map((s) => s.name).sort(), ['web', 'worker'], `the session is still listed: ${ls.stdout}`);

    const back = await bake(['dev', '--detach'], env, dir);
    assert.equal(back.status, 0, back.stderr);
    const containers = await engine.containers.list({ label: [`${LABEL.session}=${id}`] }, AbortSignal.timeout(10_000));
    assert.deepEqual(containers.map((c) => `${c.Labels[LABEL.service]} ${c.State}`).sort(), ['web running', 'worker running'], 'one container per service');
    await stopAndCheckNothingLeft(engine, env);
  } finally {
    engine.close();
    await runBake(['engine', 'stop'], { cwd: scratch, env: engineEnv, timeoutMs: 120_000 });
    rmSync(stateHome, { recursive: true, force: true });
  }
});
