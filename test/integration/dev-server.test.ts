/**
 * The per-user bake server (issue 5, "Server", and the "Bad input" test):
 * started as users get it, by bin/bake, on the real engine. Where it puts
 * its socket and with which permissions; the version exchange; how long it
 * lives (grace period, sessions, `bake server stop`); bad requests on its
 * socket (garbage bytes, malformed Up and Attach, unknown ids, a client
 * killed mid-stream) each get one clear error while a healthy session keeps
 * being served; a session keeps the engine it was created on; and a health
 * check that never passes fails `bake dev --detach` naming the service.
 *
 * Each server runs in a temp dir of its own (XDG_RUNTIME_DIR /
 * XDG_STATE_HOME), so parallel test files never meet; what a server creates
 * in the engine carries its socket path as owner label, which `after` uses
 * to leave nothing behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { credentials, Metadata, status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { VERSION } from '../../src/cli/version.js';
import { openAttachChannel } from '../../src/dev/client/attach-channel.js';
import { connectServer } from '../../src/dev/client/connection.js';
import { askServer, StoppingServer } from '../../src/dev/client/server-calls.js';
import type { ServerError } from '../../src/dev/client/server-error.js';
import type { Service } from '../../src/bakefile/model.js';
import { DEV_PROTOCOL_VERSION, LABEL } from '../../src/dev/labels.js';
import { serviceMessage } from '../../src/dev/protocol/service-message.js';
import { type AttachIn, type AttachOut, type HelloReply, type ListReply, type UpEvent, type UpRequest } from '../../src/dev/protocol/generated/messages.js';
import { DevClient as DevStub } from '../../src/dev/protocol/generated/dev.js';
import { parseEngineAddress } from '../../src/docker/endpoint.js';
import { DockerEngine } from '../../src/docker/engine-api.js';
import { PRIMED_VARIABLE } from '../../src/dev/server/paths.js';
import { runBake, type Run } from '../support/bake-cli.js';
import { requireBuildEngine } from '../support/engine.js';
import { repoRoot } from '../support/fixtures.js';

const IMAGE = 'busybox:latest';

let scratch = '';
let engineSocket = '';
let engineAddress = '';
let engine: DockerEngine;
/** Every server environment a test used, with the projects it ran: `after` stops them all. */
const used = new Map<string, { env: Record<string, string>; projects: Set<string> }>();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The environment of a private server: its own runtime dir, the test engine, `grace` seconds of idling. */
function serverEnv(name: string, grace: number, placement: 'runtime' | 'state' = 'runtime'): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/root',
    DOCKER_HOST: engineAddress,
    XDG_STATE_HOME: join(scratch, `${name}-state`),
    BAKE_SERVER_GRACE_SECONDS: String(grace),
  };
  if (placement === 'runtime') env['XDG_RUNTIME_DIR'] = join(scratch, `${name}-run`);
  used.set(name, { env, projects: new Set() });
  return env;
}

/** Where the server of `env` listens. */
function socketOf(env: Record<string, string>): string {
  return join(env['XDG_RUNTIME_DIR'] ?? env['XDG_STATE_HOME'] ?? '', 'bake', 'server.sock');
}

/** A project dir with one bake file, remembered so `after` stops its session. */
function project(server: string, name: string, hcl: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'docker-bake.hcl'), hcl);
  used.get(server)?.projects.add(dir);
  return dir;
}

const bake = (args: string[], env: Record<string, string>, cwd = scratch): Promise<Run> => runBake(args, { cwd, socketPath: '', env });

interface ServerStatus {
  running: boolean;
  version?: string;
  protocol?: string;
  pid?: number;
  sessions?: number;
  socket?: string;
  logFile?: string;
}

async function serverStatus(env: Record<string, string>): Promise<ServerStatus> {
  const r = await bake(['server', 'status', '--format', 'json'], env);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as ServerStatus;
}

interface SessionRow {
  id: string;
  files: string[];
  engine: string;
  services: { name: string; state: string }[];
  processes: { id: string; service: string; state: string }[];
  clients: number;
}

async function sessions(env: Record<string, string>, cwd = scratch): Promise<SessionRow[]> {
  const r = await bake(['dev', 'ls', '--format', 'json'], env, cwd);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as SessionRow[];
}

/** Starts the server of `env` as bake dev does (ls and status only look). */
async function startServer(env: Record<string, string>): Promise<void> {
  const client = await connectServer({
    env,
    version: VERSION,
    start: [process.execPath, join(repoRoot(), 'bin', 'bake'), 'server', 'run'],
    warn: () => undefined,
  });
  client?.close();
}

/** `bake dev --detach` in `dir`: the session id it reports. */
async function detach(env: Record<string, string>, dir: string): Promise<string> {
  const r = await bake(['dev', '--detach'], env, dir);
  assert.equal(r.status, 0, `bake dev --detach in ${dir}: ${r.stderr}`);
  const id = /session (\S+) is up/.exec(r.stdout)?.[1];
  assert.ok(id, r.stdout);
  return id;
}

/** The containers of session `id`, from the engine. */
async function containersOf(id: string): Promise<{ id: string; service: string; state: string; engine: string }[]> {
  const list = await engine.containers.list({ label: [`${LABEL.session}=${id}`] }, AbortSignal.timeout(10_000));
  return list.map((c) => ({ id: c.Id, service: c.Labels[LABEL.service] ?? '', state: c.State, engine: c.Labels[LABEL.engine] ?? '' }));
}

/** Polls `check` until it holds; fails with `what` (worded when it fails) after `ms`. */
async function eventually(what: string | (() => string), check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${typeof what === 'string' ? what : what()}: not within ${ms} ms`);
    await sleep(100);
  }
}

/** Whether `pid` runs: an exited server nobody reaped yet (a zombie: its parent, the client, exited) does not. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The pid in the lock file of the server of `env`, if one holds it. */
function lockedPid(env: Record<string, string>): number | undefined {
  try {
    return Number(readFileSync(join(socketOf(env), '..', 'server.lock'), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

// ---- a raw gRPC client of the Dev service, as any local program could be ----

function devClient(socket: string): DevStub {
  return new DevStub(`unix:${socket}`, credentials.createInsecure());
}

/** A unary call's reply, within 10 s. */
function unary<Res>(start: (metadata: Metadata, options: { deadline: number }, done: (err: ServiceError | null, res: Res) => void) => void): Promise<Res> {
  return new Promise((resolve, reject) => start(new Metadata(), { deadline: Date.now() + 10_000 }, (err, res) => (err ? reject(err) : resolve(res))));
}

const list = (client: DevStub): Promise<ListReply> => unary((...call) => client.list({ engine: '' }, ...call));

/** An Up call's outcome: its events, then its error (undefined when it ended well). */
function up(client: DevStub, req: UpRequest): Promise<{ events: UpEvent[]; error: ServiceError | undefined }> {
  return new Promise((resolve) => {
    const events: UpEvent[] = [];
    const call = client.up(req);
    call.on('data', (e: UpEvent) => events.push(e));
    call.on('error', (error: ServiceError) => resolve({ events, error }));
    call.on('end', () => resolve({ events, error: undefined }));
  });
}

/** The terminals' socket beside the server socket `socket`. */
const attachSocketOf = (socket: string): string => join(dirname(socket), 'attach.sock');

/** Sends `first` on a new attach and waits for its error; fails when it has none within 10 s. */
function attachError(socket: string, first: AttachIn): Promise<ServerError> {
  return new Promise((resolve, reject) => {
    const call = openAttachChannel(attachSocketOf(socket));
    const timer = setTimeout(() => {
      call.end();
      reject(new Error(`no error for the attach ${JSON.stringify(first)}`));
    }, 10_000);
    call.on('data', (m: AttachOut) => {
      clearTimeout(timer);
      call.end();
      reject(new Error(`the attach ${JSON.stringify(first)} got ${m.msg?.$case} instead of an error`));
    });
    call.on('error', (e: ServerError) => {
      clearTimeout(timer);
      resolve(e);
    });
    call.write(first);
  });
}

/** A message for a person: one line of sensible length, no stack trace. */
function assertOneSentence(message: string, what: string): void {
  assert.ok(message.length > 10 && message.length < 300, `${what}: ${JSON.stringify(message)}`);
  assert.doesNotMatch(message, /\n/, `${what}: one line`);
  assert.doesNotMatch(message, /\bat .+:\d+:\d+/, `${what}: no stack trace`);
}

const HEALTHY = `service "dev" {
  image       = "${IMAGE}"
  interactive = true
  shell       = ["/bin/sh"]
}

service "worker" {
  image   = "${IMAGE}"
  command = ["sleep", "3600"]
}
`;

/** The server most tests share (grace long enough never to matter) and its healthy session. */
let mainEnv: Record<string, string> = {};
let healthy = '';
let healthyDir = '';

before(async () => {
  engineSocket = await requireBuildEngine();
  engineAddress = `unix://${engineSocket}`;
  engine = new DockerEngine(parseEngineAddress(engineAddress));
  scratch = mkdtempSync(join(tmpdir(), 'bake-dev-server-'));
  mainEnv = serverEnv('main', 600);
  healthyDir = project('main', 'healthy', HEALTHY);
  healthy = await detach(mainEnv, healthyDir);
});

after(async () => {
  if (!scratch) return;
  for (const { env, projects } of used.values()) {
    if (!existsSync(socketOf(env))) continue;
    const pid = lockedPid(env);
    for (const dir of projects) await bake(['dev', 'stop', '--volumes'], env, dir);
    await bake(['server', 'stop'], env);
    // When bake itself failed (a broken build), the server this file started still gets its SIGTERM.
    if (pid) await eventually('the server exits', () => !alive(pid), 5_000).catch(() => process.kill(pid, 'SIGTERM'));
  }
  try {
    // A failed run must not leak into an engine others use: whatever a server of this file created goes.
    const signal = AbortSignal.timeout(30_000);
    for (const { env } of used.values()) {
      const owner = { label: [`${LABEL.owner}=${socketOf(env)}`] };
      for (const c of await engine.containers.list(owner, signal)) await engine.containers.remove(c.Id, { force: true }, signal).catch(() => undefined);
      for (const n of await engine.networks.list(owner, signal)) await engine.networks.remove(n.Id, signal).catch(() => undefined);
    }
  } finally {
    engine?.close();
    rmSync(scratch, { recursive: true, force: true });
  }
});

test('the server listens at $XDG_RUNTIME_DIR/bake/server.sock (dir 0700, socket 0600), else at $XDG_STATE_HOME/bake; server status reports pid, version and socket', async () => {
  for (const placement of ['runtime', 'state'] as const) {
    const env = serverEnv(`place-${placement}`, 600, placement);
    const dir = placement === 'runtime' ? join(scratch, 'place-runtime-run', 'bake') : join(scratch, 'place-state-state', 'bake');
    if (placement === 'state') {
      assert.equal(env['XDG_RUNTIME_DIR'], undefined);
      // A dir that exists with looser permissions is made private.
      mkdirSync(dir, { recursive: true, mode: 0o755 });
    }
    assert.deepEqual(await serverStatus(env), { running: false }, 'no server before the first client');
    await startServer(env);
    assert.deepEqual(await sessions(env), []);
    const socket = join(dir, 'server.sock');
    assert.equal(statSync(dir).mode & 0o777, 0o700, `${dir} is 0700`);
    for (const path of [socket, join(dir, 'attach.sock')]) {
      assert.ok(lstatSync(path).isSocket(), `${path} is a socket`);
      assert.equal(lstatSync(path).mode & 0o777, 0o600, `${path} is 0600`);
    }
    const status = await serverStatus(env);
    assert.equal(status.running, true);
    assert.equal(status.socket, socket);
    assert.equal(status.version, VERSION);
    assert.equal(status.protocol, DEV_PROTOCOL_VERSION);
    assert.equal(status.logFile, join(dir, 'server.log'));
    assert.ok(typeof status.pid === 'number' && status.pid > 0 && status.pid !== process.pid && alive(status.pid), `pid ${status.pid} runs`);
    const stop = await bake(['server', 'stop'], env);
    assert.equal(stop.status, 0, stop.stderr);
    await eventually(`the ${placement} server exits`, () => !existsSync(socket) && !existsSync(join(dir, 'attach.sock')) && !alive(status.pid ?? 0));
  }
});

test("the server keeps only what it needs of the first client's environment, not its tokens", async () => {
  const env = { ...serverEnv('environment', 600), API_TOKEN: 'not-for-the-server', LANG: 'C.UTF-8' };
  await startServer(env);
  const { pid } = await serverStatus(env);
  try {
    const environ = readFileSync(`/proc/${pid ?? 0}/environ`, 'utf8').split('\0');
    assert.ok(!environ.some((e) => e.startsWith('API_TOKEN=')), environ.join(' '));
    for (const name of ['PATH', 'HOME', 'XDG_RUNTIME_DIR', 'XDG_STATE_HOME', 'DOCKER_HOST', 'BAKE_SERVER_GRACE_SECONDS', 'LANG'])
      assert.ok(
        environ.some((e) => e.startsWith(`${name}=`)),
        `${name} is kept`,
      );
  } finally {
    const stop = await bake(['server', 'stop'], env);
    assert.equal(stop.status, 0, stop.stderr);
  }
});

test('a client of another version gets one warning naming both versions and the fix; the same version gets none', async () => {
  // Both ways in: the gRPC client (bake dev, attach) and the calls socket (ls, stop, server status).
  for (const connect of [connectServer, askServer]) {
    const warnings: string[] = [];
    const client = await connect({ env: mainEnv, version: '0.0.1-test', start: undefined, warn: (line) => warnings.push(line) });
    assert.ok(client && !(client instanceof StoppingServer), 'the main server answers');
    client.close();
    assert.equal(warnings.length, 1, warnings.join('\n'));
    const [warning = ''] = warnings;
    assert.match(warning, new RegExp(`version ${VERSION.replace(/\./g, '\\.')}\\b`), 'names the server version');
    assert.match(warning, /0\.0\.1-test/, 'names the client version');
    assert.match(warning, /bake server stop, then retry/, 'says the fix');
    assert.doesNotMatch(warning, /\n/, 'one line');

    const same: string[] = [];
    const again = await connect({ env: mainEnv, version: VERSION, start: undefined, warn: (line) => same.push(line) });
    if (again && !(again instanceof StoppingServer)) again.close();
    assert.deepEqual(same, []);
  }
});

test('bake dev ls, dev stop and server status ask through the calls socket, loading no HTTP/2 stack; a server without that socket (an older bake) is asked through gRPC; with no server, none is asked', async () => {
  const env = serverEnv('calls', 60);
  const first = await detach(env, project('calls', 'calls-a', `service "a" {\n  image   = "${IMAGE}"\n  command = ["sleep", "3600"]\n}\n`));
  // What each command loaded, written as it exits (Node's list of its own modules: grpc-js needs http2).
  const preload = join(scratch, 'modules-preload.mjs');
  writeFileSync(
    preload,
    "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(process.env.BAKE_TEST_MODULES, process.moduleLoadList.join('\\n')));\n",
  );
  const modules = join(scratch, 'calls-modules.txt');
  const watched = { ...env, NODE_OPTIONS: `--import=${preload}`, BAKE_TEST_MODULES: modules };
  const loadedHttp2 = (): boolean => readFileSync(modules, 'utf8').split('\n').includes('NativeModule http2');

  assert.deepEqual(
    (await sessions(watched)).map((row) => row.id),
    [first],
  );
  assert.equal(loadedHttp2(), false, 'bake dev ls loaded no HTTP/2 stack');
  const status = await bake(['server', 'status', '--format', 'json'], watched);
  assert.equal(status.status, 0, status.stderr);
  assert.equal((JSON.parse(status.stdout) as ServerStatus).sessions, 1);
  assert.equal(loadedHttp2(), false, 'bake server status loaded no HTTP/2 stack');
  const stop = await bake(['dev', 'stop', first], watched);
  assert.equal(stop.status, 0, stop.stderr);
  assert.match(stop.stdout, new RegExp(`session ${first} stopped`));
  assert.equal(loadedHttp2(), false, 'bake dev stop loaded no HTTP/2 stack');
  assert.deepEqual(await containersOf(first), []);
  // A refusal comes back with the status and sentence a gRPC call would have.
  const asked = await askServer({ env, version: VERSION, start: undefined, warn: () => undefined });
  assert.ok(asked && !(asked instanceof StoppingServer), 'the server answers on its calls socket');
  await assert.rejects(asked.stop('nosuch-000000', false), (e: ServerError) => {
    assert.equal(e.code, grpcStatus.NOT_FOUND);
    assertOneSentence(e.message, 'the refusal');
    assert.match(e.message, /nosuch-000000/);
    return true;
  });

  const second = await detach(env, project('calls', 'calls-b', `service "b" {\n  image   = "${IMAGE}"\n  command = ["sleep", "3600"]\n}\n`));
  rmSync(join(dirname(socketOf(env)), 'calls.sock'));
  assert.deepEqual(
    (await sessions(watched)).map((row) => row.id),
    [second],
  );
  assert.equal(loadedHttp2(), true, 'without the calls socket, bake dev ls asked through gRPC');
  const stopped = await bake(['server', 'stop'], env);
  assert.equal(stopped.status, 0, stopped.stderr);
  // No server at all: neither socket is there, and the answer needs no gRPC either.
  assert.deepEqual(await sessions(watched), []);
  assert.equal(loadedHttp2(), false, 'with no server, bake dev ls loaded no HTTP/2 stack');
  assert.deepEqual(await serverStatus(watched), { running: false });
  assert.equal(loadedHttp2(), false, 'with no server, bake server status loaded no HTTP/2 stack');
});

test('lifetimes: without a session the server exits after its grace period; with sessions it stays; bake server stop ends them all and itself', async (t) => {
  // A grace period longer than a bin/bake process takes to start on a loaded machine, so each call finds the server.
  const env = serverEnv('life', 5);
  const socket = socketOf(env);

  // Idle: started, gone on its own about five seconds after the last call.
  await startServer(env);
  assert.deepEqual(await sessions(env), []);
  const idle = await serverStatus(env);
  assert.equal(idle.running, true);
  const started = Date.now();
  await eventually('the idle server exits by itself', () => !existsSync(socket) && !alive(idle.pid ?? 0), 30_000);
  assert.ok(Date.now() - started >= 2_500, 'not before its grace period');
  t.diagnostic(`the idle server (grace 5 s) exited ${Date.now() - started} ms after its last status`);
  assert.deepEqual(await serverStatus(env), { running: false });
  const none = await bake(['server', 'status'], env);
  assert.match(none.stdout, /^no bake server is running/);

  // Two sessions keep it past the grace period.
  const a = await detach(env, project('life', 'life-a', `service "a" {\n  image   = "${IMAGE}"\n  command = ["sleep", "3600"]\n}\n`));
  const b = await detach(env, project('life', 'life-b', `service "b" {\n  image   = "${IMAGE}"\n  command = ["sleep", "3600"]\n}\n`));
  const busy = await serverStatus(env);
  await sleep(6_000);
  const later = await serverStatus(env);
  assert.equal(later.running, true, 'still running past the grace period');
  assert.equal(later.pid, busy.pid, 'the same server');
  assert.equal(later.sessions, 2);
  for (const id of [a, b])
    assert.deepEqual(
      (await containersOf(id)).map((c) => c.state),
      ['running'],
      `session ${id} runs its container`,
    );

  // `bake server stop` ends both sessions, then the server, and returns once it has: nothing of it is left to wait for.
  const stopping = Date.now();
  const stop = await bake(['server', 'stop'], env);
  assert.equal(stop.status, 0, stop.stderr);
  assert.match(stop.stdout, new RegExp(`^bake server \\(pid ${busy.pid}\\) stopped; it ended its 2 session\\(s\\)\\.$`, 'm'));
  assert.deepEqual([...(await containersOf(a)), ...(await containersOf(b))], [], 'no container of either session remains');
  assert.equal(existsSync(socket), false, 'its socket is gone');
  assert.equal(lockedPid(env), undefined, 'its lock is gone');
  await eventually('the server process exits', () => !alive(busy.pid ?? 0), 5_000);
  assert.deepEqual(await serverStatus(env), { running: false });
  t.diagnostic(`bake server stop with 2 sessions: containers and server gone in ${Date.now() - stopping} ms`);
});

/** Whether the server process `pid` was primed: its environment as it started (PRIMED_VARIABLE), which the server drops from process.env but not from /proc. */
function primed(pid: number): boolean {
  return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${PRIMED_VARIABLE}=1`);
}

test('a cold bake dev primes its server where one ran before: it loads while the bake files are read, serves once they are good, and goes unseen when they are not', async () => {
  const env = serverEnv('primed', 60);
  const dir = project('primed', 'primed-project', `service "app" {\n  image   = "${IMAGE}"\n  command = ["sleep", "3600"]\n}\n`);
  // The first start ever makes the server's dir and log: it is not primed.
  const first = await detach(env, dir);
  const { pid: firstPid = 0, logFile = '' } = await serverStatus(env);
  assert.equal(primed(firstPid), false, 'a first start makes its dir only once the bake files are good: not primed');
  assert.equal((await bake(['server', 'stop'], env)).status, 0);
  await eventually('the first server exits', () => !alive(firstPid));

  // A mistyped service: the primed server goes with the client, touching nothing (no lock, socket or log line).
  const logBefore = readFileSync(logFile, 'utf8');
  const serverDir = join(env['XDG_RUNTIME_DIR'] ?? '', 'bake');
  const filesBefore = readdirSync(serverDir).sort();
  assert.ok(!filesBefore.some((f) => /lock|\.sock$/.test(f)), filesBefore.join(' '));
  const typo = await bake(['dev', '--detach', 'ap'], env, dir);
  assert.equal(typo.status, 2, typo.stderr);
  assert.match(typo.stderr, /failed to find service ap/);
  const leftover = (): number[] =>
    readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .map(Number)
      .filter((p) => {
        try {
          const environ = readFileSync(`/proc/${p}/environ`, 'utf8').split('\0');
          return alive(p) && environ.includes(`${PRIMED_VARIABLE}=1`) && environ.includes(`XDG_RUNTIME_DIR=${env['XDG_RUNTIME_DIR']}`);
        } catch {
          return false;
        }
      });
  await eventually(
    () => `the primed server exits with its client (left: ${leftover().join(', ')})`,
    () => leftover().length === 0,
  );
  assert.deepEqual(await serverStatus(env), { running: false });
  assert.deepEqual(readdirSync(serverDir).sort(), filesBefore, 'no lock, no sockets');
  assert.equal(readFileSync(logFile, 'utf8'), logBefore, 'nothing logged');

  // Good bake files: the primed server serves the session (its id is the bake files').
  assert.equal(await detach(env, dir), first);
  const { pid = 0 } = await serverStatus(env);
  assert.equal(primed(pid), true, `server ${pid} was primed`);
  assert.deepEqual(
    (await containersOf(first)).map((c) => c.state),
    ['running'],
  );
  assert.doesNotMatch(readFileSync(logFile, 'utf8'), /another bake server holds the lock/, 'one server started');
});

test('a stopping server takes no new work and says so: server status answers at once, dev ls waits and says why, bake dev waits for it to go and starts the next server, which keeps its session', async (t) => {
  const env = serverEnv('stopping', 60);
  // A host process that ignores SIGTERM holds the stop for its 5 s grace: the window in which a stopping server used to take new sessions and drop them.
  const slow = await detach(
    env,
    project(
      'stopping',
      'stopping-slow',
      `service "stubborn" {\n  runs_on = "host"\n  command = ["sh", "-c", "trap '' TERM; while :; do sleep 0.2; done"]\n}\n`,
    ),
  );
  const first = await serverStatus(env);
  const log = first.logFile ?? '';
  const stop = bake(['server', 'stop'], env);
  await eventually('the server says it is stopping', () => readFileSync(log, 'utf8').includes('stopping (bake server stop)'));
  // The commands that only ask say at once that it is stopping (its stubborn process holds the stop for seconds yet).
  const status = await bake(['server', 'status'], env);
  assert.equal(status.status, 0, status.stderr);
  assert.equal(
    status.stdout,
    `the bake server (pid ${first.pid}) is stopping: it is ending its sessions; the next bake dev starts a new one once it has gone.\n`,
  );
  assert.deepEqual(JSON.parse((await bake(['server', 'status', '--format', 'json'], env)).stdout), { running: false, stopping: true, pid: first.pid });
  // bake dev ls is about the sessions the server is ending: it waits for the server to go, and says why it waits.
  const listing = bake(['dev', 'ls'], env);
  const asked = Date.now();
  const next = await detach(env, project('stopping', 'stopping-next', `service "next" {\n  image   = "${IMAGE}"\n  command = ["sleep", "3600"]\n}\n`));
  t.diagnostic(`bake dev --detach during the stop returned after ${Date.now() - asked} ms`);
  const stopped = await stop;
  assert.equal(stopped.status, 0, stopped.stderr);
  const listedDuringStop = await listing;
  assert.equal(listedDuringStop.status, 0, listedDuringStop.stderr);
  assert.match(
    listedDuringStop.stderr,
    new RegExp(`^bake: the bake server \\(pid ${first.pid}\\) is stopping: it is ending its sessions; waiting for it to go…$`, 'm'),
  );
  assert.match(stopped.stdout, new RegExp(`^bake server \\(pid ${first.pid}\\) stopped; it ended its 1 session\\(s\\)\\.$`, 'm'));
  const second = await serverStatus(env);
  assert.equal(second.running, true);
  assert.notEqual(second.pid, first.pid, 'a new server serves the session started during the stop');
  assert.deepEqual(
    (await sessions(env)).map((s) => s.id),
    [next],
    `the new session is kept (and ${slow}, stopped with the first server, is gone)`,
  );
  assert.deepEqual(
    (await containersOf(next)).map((c) => c.state),
    ['running'],
  );
});

test('bad input on the server socket: one clear error each, and the healthy session keeps being served', async (t) => {
  const socket = socketOf(mainEnv);
  const before = await serverStatus(mainEnv);
  const client = devClient(socket);
  t.after(() => client.close());

  /** The server still answers, is the same process, and the healthy session runs both its processes. */
  const stillServing = async (after: string): Promise<void> => {
    const hello = await unary<HelloReply>((...call) => client.hello({ client_version: VERSION, protocol: DEV_PROTOCOL_VERSION }, ...call));
    assert.equal(hello.pid, before.pid, `after ${after}: the same server`);
    const session = (await list(client)).sessions.find((s) => s.id === healthy);
    assert.ok(session, `after ${after}: session ${healthy} is listed`);
    assert.deepEqual(session.processes.map((p) => `${p.id} ${p.state}`).sort(), ['dev running', 'worker running'], `after ${after}`);
  };

  await t.test('(a) garbage bytes on the sockets: the connection is dropped, the server lives', async () => {
    const payloads: [string, string, Buffer][] = [
      [socket, 'bytes that are no HTTP/2', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00\x01\x02garbage\xff\xfe'.repeat(20), 'latin1')],
      [
        socket,
        'the HTTP/2 preface, then a garbage frame',
        Buffer.concat([
          Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
          Buffer.from([0xff, 0xff, 0xff, 0x99, 0xff, 0xff, 0xff, 0xff, 0xff]),
          Buffer.alloc(64, 0xab),
        ]),
      ],
      [attachSocketOf(socket), 'a frame longer than the limit on the attach socket', Buffer.from([0xff, 0xff, 0xff, 0xf0, 1, 2, 3])],
      [attachSocketOf(socket), 'a frame that is no AttachIn on the attach socket', Buffer.from([0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff])],
    ];
    for (const [path, what, bytes] of payloads) {
      const closed = await new Promise<boolean>((resolve) => {
        const s = netConnect(path, () => s.write(bytes));
        const timer = setTimeout(() => {
          s.destroy();
          resolve(false);
        }, 5_000);
        s.on('data', () => undefined);
        s.on('error', () => undefined);
        s.on('close', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      assert.ok(closed, `${what}: the server drops the connection`);
      await stillServing(what);
    }
    // A client that leaves halfway through the preface.
    await new Promise<void>((resolve) => {
      const s = netConnect(socket, () => {
        s.write('PRI * HTTP/2.0\r\n');
        s.destroy();
        resolve();
      });
      s.on('error', () => undefined);
    });
    await stillServing('half a preface');
  });

  await t.test('(b) an Up with malformed fields gets INVALID_ARGUMENT and one sentence', async () => {
    const dir = join(scratch, 'bad-up');
    const base: UpRequest = {
      files: [join(dir, 'docker-bake.hcl')],
      project_dir: dir,
      engine: engineAddress,
      services: [],
      health_timeout_ms: 1000,
      env: {},
      size: undefined,
    };
    const service = (fields: Partial<Service>, image = IMAGE) => [{ service: serviceMessage({ name: 'x', ...fields }), image }];
    const cases: [string, UpRequest, RegExp][] = [
      ['relative bake file paths', { ...base, files: ['docker-bake.hcl'] }, /files must be absolute/],
      ['a relative project dir', { ...base, project_dir: 'bad-up' }, /project_dir must be an absolute path/],
      ['no engine', { ...base, engine: '' }, /no engine address/],
      ['a plan without its service', { ...base, services: [{ service: undefined, image: IMAGE }] }, /services\[0\] has no service/],
      ['a service with no image', { ...base, services: service({ command: ['sleep', '1'] }, '') }, /service x has no image/],
      ['a host service with no command', { ...base, services: service({ runs_on: 'host' }, '') }, /host service x has no command/],
    ];
    for (const [what, req, expected] of cases) {
      const { events, error } = await up(client, req);
      assert.ok(error, `${what}: refused`);
      assert.equal(error.code, grpcStatus.INVALID_ARGUMENT, `${what}: INVALID_ARGUMENT, not ${error.code} (${error.details})`);
      assert.match(error.details, expected, what);
      assertOneSentence(error.details, what);
      assert.deepEqual(events, [], `${what}: nothing started`);
    }
    assert.ok(!(await list(client)).sessions.some((s) => s.files.includes(base.files[0] ?? '')), 'a refused Up leaves no session');
    await stillServing('malformed Up requests');
  });

  await t.test('(c) an Attach whose first message is not open gets INVALID_ARGUMENT', async () => {
    const firsts: AttachIn[] = [{ msg: { $case: 'input', value: Buffer.from('echo hi\r') } }, { msg: { $case: 'resize', value: { columns: 80, rows: 24 } } }];
    for (const first of firsts) {
      const error = await attachError(socket, first);
      assert.equal(error.code, grpcStatus.INVALID_ARGUMENT, `${JSON.stringify(first)}: ${error.code} ${error.message}`);
      assert.equal(error.message, 'an attach starts with an open message');
    }
    await stillServing('attaches without open');
  });

  await t.test('(d) an Attach to an unknown session or process gets NOT_FOUND naming what exists', async () => {
    const open = (session: string, process: string): AttachIn => ({
      msg: { $case: 'open', value: { session, process, size: undefined, client: 'test', client_id: 'bad-input-test', below: false } },
    });
    const noSession = await attachError(socket, open('nosuch-000000', ''));
    assert.equal(noSession.code, grpcStatus.NOT_FOUND, noSession.message);
    assert.match(noSession.message, new RegExp(`^no session nosuch-000000 \\(sessions: [^)]*\\b${healthy}\\b[^)]*\\); bake dev ls lists them$`));
    const noProcess = await attachError(socket, open(healthy, '42'));
    assert.equal(noProcess.code, grpcStatus.NOT_FOUND, noProcess.message);
    assert.match(
      noProcess.message,
      new RegExp(`^session ${healthy} has no process or service "42" \\(processes: (dev, worker|worker, dev)\\); ps lists them$`),
    );
    for (const e of [noSession, noProcess]) assertOneSentence(e.message, e.message);
    await stillServing('attaches to unknown ids');
  });

  await t.test('(e) a client killed mid-stream on an Attach: the session runs on and a fresh Attach works', async () => {
    // A separate process holds the attach, typing a command whose output floods it, and is killed while it streams.
    const channel = new URL('../../src/dev/client/attach-channel.js', import.meta.url).href;
    const script = `
      const { openAttachChannel } = await import(${JSON.stringify(channel)});
      const call = openAttachChannel(${JSON.stringify(attachSocketOf(socket))});
      call.on('data', ({ msg }) => {
        if (msg.$case === 'attached') {
          process.stdout.write('ATTACHED\\n');
          call.write({ msg: { $case: 'input', value: Buffer.from('echo doomed-$((2+3)); seq 1 5000000\\r') } });
        } else if (msg.$case === 'output') process.stdout.write(msg.value);
        else process.stdout.write('\\n' + msg.$case + '\\n');
      });
      call.on('error', (e) => process.stdout.write('\\nERROR ' + e.message + '\\n'));
      call.write({ msg: { $case: 'open', value: { session: ${JSON.stringify(healthy)}, process: 'dev', client: 'doomed client', client_id: 'doomed', below: false } } });
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => child.kill('SIGKILL'));
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // Its command ran, and seq's output is streaming to it.
    const flooding = (): boolean => /^doomed-5\r?$/m.test(out) && out.length - out.indexOf('doomed-5') > 65_536;
    await eventually(() => `the doomed client sees its command's output flood in (it got ${JSON.stringify(out.slice(-200))}; stderr ${err})`, flooding, 15_000);
    assert.doesNotMatch(out, /ERROR/);
    const held = (await list(client)).sessions.find((s) => s.id === healthy);
    assert.equal(held?.clients, 1, 'the doomed client holds the terminal');
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    assert.doesNotMatch(out, /^5000000\r?$/m, 'killed while seq still printed');
    t.diagnostic(`the doomed client was killed mid-flood, after ${out.length} bytes of output`);

    await stillServing('a client killed mid-stream');
    await eventually(
      'the killed client no longer holds the session',
      async () => (await list(client)).sessions.find((s) => s.id === healthy)?.clients === 0,
      5_000,
    );

    // A fresh attach to the same process: its screen; Ctrl-C ends the flood, and a command typed then runs.
    const fresh = openAttachChannel(attachSocketOf(socket));
    t.after(() => fresh.end());
    let seen = '';
    const messages: string[] = [];
    fresh.on('data', ({ msg }: AttachOut) => {
      messages.push(msg?.$case ?? 'nothing');
      if (msg?.$case === 'attached') seen += msg.value.screen.toString();
      if (msg?.$case === 'output') seen += msg.value.toString();
    });
    fresh.on('error', () => undefined);
    fresh.write({
      msg: {
        $case: 'open',
        value: { session: healthy, process: 'dev', size: { columns: 80, rows: 24 }, client: 'fresh client', client_id: 'fresh', below: false },
      },
    });
    await eventually('the fresh attach is attached', () => messages[0] === 'attached');
    fresh.write({ msg: { $case: 'input', value: Buffer.from('\x03') } });
    fresh.write({ msg: { $case: 'input', value: Buffer.from('echo ok-$((1+1))\r') } });
    await eventually(
      () => `the fresh attach sees ok-2 (it got ${JSON.stringify(seen.slice(-200))})`,
      () => /^ok-2\r?$/m.test(seen),
      20_000,
    );
    assert.deepEqual([...new Set(messages)].sort(), ['attached', 'output'], 'nothing but the screen and output');
    fresh.end();
    await stillServing('the fresh attach');
  });
});

test('a session keeps the engine it was created on when a later client has another DOCKER_HOST for the same engine', async () => {
  const dir = project('main', 'memory', `service "svc" {\n  image   = "${IMAGE}"\n  command = ["sleep", "3600"]\n}\n`);
  const id = await detach(mainEnv, dir);
  const [first] = await containersOf(id);
  assert.ok(first, `session ${id} has its container`);
  assert.equal(first.engine, engineAddress);

  // Another address of the same engine: a symlink to its socket.
  const link = join(scratch, 'engine-link.sock');
  symlinkSync(engineSocket, link);
  const other = { ...mainEnv, DOCKER_HOST: `unix://${link}` };
  const ours = (rows: SessionRow[]) => rows.filter((s) => s.files.includes(join(dir, 'docker-bake.hcl')));

  const listed = ours(await sessions(other, dir));
  assert.deepEqual(
    listed.map((s) => [s.id, s.engine]),
    [[id, engineAddress]],
    'ls from the other address shows the session on its first engine',
  );

  assert.equal(await detach(other, dir), id, 'bake dev --detach from the other address brings up the same session');
  assert.deepEqual(
    ours(await sessions(other, dir)).map((s) => [s.id, s.engine]),
    [[id, engineAddress]],
    'still one session, on its first engine',
  );
  assert.deepEqual(
    ours(await sessions(mainEnv, dir)).map((s) => [s.id, s.engine]),
    [[id, engineAddress]],
  );
  const now = await containersOf(id);
  assert.deepEqual(
    now.map((c) => [c.id, c.engine, c.state]),
    [[first.id, engineAddress, 'running']],
    'the same container, kept',
  );
  const viaLink = await engine.containers.list({ label: [`${LABEL.engine}=unix://${link}`] }, AbortSignal.timeout(10_000));
  assert.deepEqual(viaLink, [], 'nothing was created on the second address');
});

test('a health check that never passes: bake dev --detach --wait-timeout 2s fails within seconds naming the service, its last health output and the fix', async (t) => {
  const dir = project(
    'main',
    'unhealthy',
    `service "db" {
  image   = "${IMAGE}"
  command = ["sleep", "3600"]
  healthcheck {
    test     = ["CMD", "sh", "-c", "echo db-not-ready-yet; exit 1"]
    interval = "200ms"
  }
}

service "api" {
  image      = "${IMAGE}"
  command    = ["sleep", "3600"]
  depends_on = ["db"]
}
`,
  );
  const r = await bake(['dev', '--detach', '--wait-timeout', '2s'], mainEnv, dir);
  t.diagnostic(`bake dev --detach --wait-timeout 2s failed after ${Math.round(r.ms)} ms`);
  assert.equal(r.status, 1, `exit 1: ${r.stdout}\n${r.stderr}`);
  assert.ok(r.ms < 10_000, `within 10 s (took ${Math.round(r.ms)} ms)`);
  assert.match(r.stderr, /^error: service "db" did not become healthy within 2s; its health check last said: .*db-not-ready-yet/m);
  assert.match(r.stderr, /^ {2}= fix: .*--wait-timeout/m);
  assert.doesNotMatch(r.stdout, /is up/);
  // api waited for db, so it never started.
  const id = (await sessions(mainEnv, dir)).find((s) => s.files.includes(join(dir, 'docker-bake.hcl')))?.id;
  assert.ok(id, 'the session is listed, for its logs');
  const started = (await containersOf(id)).filter((c) => c.state === 'running').map((c) => c.service);
  assert.ok(!started.includes('api'), `api never ran (running: ${started.join(', ')})`);
});

test('a first bake dev that failed on an unreachable engine does not pin its session to that engine', async () => {
  const dir = project('main', 'wrong-engine', `service "svc" {\n  image   = "${IMAGE}"\n  command = ["sleep", "3600"]\n}\n`);
  const wrong = await bake(['dev', '--detach'], { ...mainEnv, DOCKER_HOST: `unix://${join(scratch, 'no-engine.sock')}` }, dir);
  assert.equal(wrong.status, 1, wrong.stdout);
  assert.match(wrong.stderr, /cannot reach the Docker engine/);
  // DOCKER_HOST fixed: the project starts on the engine that answers.
  const id = await detach(mainEnv, dir);
  assert.deepEqual(
    (await containersOf(id)).map((c) => c.engine),
    [engineAddress],
  );
});

test('an Up naming a service that cannot be a container name gets INVALID_ARGUMENT and leaves no session', async (t) => {
  const client = devClient(socketOf(mainEnv));
  t.after(() => client.close());
  const dir = join(scratch, 'bad-name');
  const req: UpRequest = {
    files: [join(dir, 'docker-bake.hcl')],
    project_dir: dir,
    engine: engineAddress,
    services: [{ service: serviceMessage({ name: 'Bad Name!', command: ['sleep', '1'] }), image: IMAGE }],
    health_timeout_ms: 1000,
    env: {},
    size: undefined,
  };
  const { error } = await up(client, req);
  assert.ok(!(await list(client)).sessions.some((s) => s.files.includes(req.files[0] ?? '')), 'no session is left behind');
  assert.equal(error?.code, grpcStatus.INVALID_ARGUMENT, `${error?.code}: ${error?.details}`);
  assert.match(error?.details ?? '', /services\[0\] has no valid name/);
});

test('bake dev SERVICE starts that service and what it depends on; --no-build reuses the images the session runs', async () => {
  const hcl = [
    'target "tool" {\n  dockerfile-inline = "FROM busybox:latest\\nRUN echo built > /built"\n}',
    `service "app" {\n  target     = "tool"\n  command    = ["sleep", "3600"]\n  depends_on = ["store"]\n}`,
    `service "store" {\n  image   = "${IMAGE}"\n  command = ["sleep", "3600"]\n}`,
    `service "extra" {\n  image   = "${IMAGE}"\n  command = ["sleep", "3600"]\n}`,
  ].join('\n');
  const dir = project('main', 'selected', `${hcl}\n`);
  const first = await bake(['dev', '--detach', '--progress', 'plain', 'app'], mainEnv, dir);
  assert.equal(first.status, 0, first.stderr);
  const id = /session (\S+) is up/.exec(first.stdout)?.[1] ?? '';
  const started = await containersOf(id);
  assert.deepEqual(started.map((c) => c.service).sort(), ['app', 'store'], 'extra is not asked for, nor needed');
  // The target has no tag: only the image the session runs can stand in for a build.
  const again = await bake(['dev', '--detach', '--no-build', 'app'], mainEnv, dir);
  assert.equal(again.status, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /\[tool\]|TARGET +RESULT/, 'nothing is built');
  assert.deepEqual((await containersOf(id)).map((c) => c.id).sort(), started.map((c) => c.id).sort(), 'the containers are kept');
});

test('a host service of a server that was SIGKILLed is ended, not leaked, and started again by the next server', async () => {
  const env = serverEnv('hosts', 600);
  const hcl = [
    // It ignores the hang-up its PTY's end sends, as a careless watcher might: only an explicit kill ends it.
    `service "watcher" {\n  runs_on = "host"\n  command = ["sh", "-c", "trap '' HUP; echo watching; exec sleep 3600"]\n}`,
    `service "store" {\n  image   = "${IMAGE}"\n  command = ["sleep", "3600"]\n}`,
  ].join('\n');
  const dir = project('hosts', 'host-watch', `${hcl}\n`);
  const id = await detach(env, dir);
  const hostsFile = join(socketOf(env), '..', 'server-hosts.json');
  const first = (JSON.parse(readFileSync(hostsFile, 'utf8')) as Record<string, Record<string, { pid: number }>>)[id]?.['watcher']?.pid ?? 0;
  assert.ok(first > 0 && alive(first), 'the host service runs');
  process.kill(lockedPid(env) ?? 0, 'SIGKILL');
  await sleep(300);
  assert.ok(alive(first), 'it outlives the server (it ignores SIGHUP)');

  const ls = await bake(['dev', 'ls', '--format', 'json'], env, dir);
  assert.equal(ls.status, 0, ls.stderr);
  assert.match(ls.stderr, new RegExp(`session ${id}: host service watcher \\(pid ${first}\\) of the previous server was ended and started again`));
  await eventually('the old host process is gone', () => !alive(first));
  const session = (JSON.parse(ls.stdout) as { id: string; processes: { id: string; state: string }[] }[]).find((s) => s.id === id);
  assert.deepEqual(session?.processes.map((p) => `${p.id} ${p.state}`).sort(), ['store running', 'watcher running']);
  const second = (JSON.parse(readFileSync(hostsFile, 'utf8')) as Record<string, Record<string, { pid: number }>>)[id]?.['watcher']?.pid ?? 0;
  assert.ok(second !== first && alive(second), 'a new watcher runs under the new server');
});
