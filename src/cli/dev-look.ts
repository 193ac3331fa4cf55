/**
 * The commands that only ask the server: `bake dev ls`, `bake dev stop`
 * and `bake server status|stop|run`. They answer in well under 0.3 s (issue 15), so this
 * module loads no bake file reader, BuildKit client, build view or terminal:
 * only the server's client, its tables and the engine's address.
 */
import { homedir } from 'node:os';
import { usageError, UserError, type Outcome } from '../core/errors.js';
import { loadBakeFiles } from '../bakefile/load.js';
import type { ResolvedEndpoint } from '../docker/endpoint.js';
import type { ConnectOptions, DevClient } from '../dev/client/connection.js';
import { askServer, StoppingServer, type AskedServer } from '../dev/client/server-calls.js';
import { sameEngine } from '../dev/client/engine-identity.js';
import { sessionRow } from '../dev/client/rows.js';
import { formatKeyValues, formatSessionTable, formatUptime } from '../dev/monitor/tables.js';
import type { SessionInfo } from '../dev/protocol/generated/messages.js';
import { abandonedLock, lockHolder, lockReleased } from '../dev/server/lock.js';
import { serverPaths } from '../dev/server/paths.js';
import { projectKey, sessionIdOf } from '../dev/project.js';
import type { BakeArgs, ServerRequest } from './args.js';
import { clientEngine } from './client-engine.js';
import type { CliEnvironment } from './definition.js';
import { VERSION } from './version.js';

/** How long `bake server stop` waits for the server to end its sessions and go. */
const STOP_WAIT_MS = 30_000;

/**
 * How this client reaches the server (ls, attach, stop only look). One that
 * was killed left its sessions running in the engine, where only a server
 * finds them (from their labels): then a new server is started to take them over.
 */
async function serverOptions(cli: CliEnvironment): Promise<ConnectOptions> {
  const takeOver = abandonedLock(serverPaths(cli.env, homedir()));
  if (takeOver) process.stderr.write('bake: the last bake server ended without ending its sessions; a new one takes them over.\n');
  return {
    env: cli.env,
    version: VERSION,
    // Loaded only to start one: spawning needs node:child_process, which the commands that only ask do without.
    start: takeOver ? (await import('../dev/client/server-process.js')).serverRunCommand() : undefined,
    warn: (line) => void process.stderr.write(`${line}\n`),
  };
}

/** The server if one runs, through its gRPC client (attach streams). */
export async function runningServer(cli: CliEnvironment): Promise<DevClient | undefined> {
  return (await import('../dev/client/connection.js')).connectServer(await serverOptions(cli));
}

/**
 * The server if one runs, for a command that only asks it (ls, stop): through its calls socket. A
 * stopping server is waited for (it is ending the sessions these commands are about), and said to be.
 */
async function askingServer(cli: CliEnvironment): Promise<AskedServer | undefined> {
  const server = await askServer(await serverOptions(cli));
  if (!(server instanceof StoppingServer)) return server;
  process.stderr.write(`bake: ${stoppingServer(server)}; waiting for it to go…\n`);
  await serverGone(cli, server.pid, 'it was ending its sessions');
  return undefined;
}

/** `bake server (pid N)`, or without the pid when the server has just gone. */
const serverNamed = (pid: number | undefined): string => `bake server${pid === undefined ? '' : ` (pid ${pid})`}`;

const stoppingServer = (server: StoppingServer): string => `the ${serverNamed(server.pid)} is stopping: it is ending its sessions`;

/** Why a session on another engine than this terminal's cannot be used from here; undefined when it is the same engine. */
export async function engineMismatch(session: SessionInfo, here: ResolvedEndpoint): Promise<{ message: string; fix: string } | undefined> {
  if (await sameEngine(session.engine, here.endpoint.address, AbortSignal.timeout(5_000))) return undefined;
  return {
    message: `session ${session.id} runs on the engine at ${session.engine}, but this terminal's engine is ${here.endpoint.address} (${here.reason})`,
    fix: `To use the session, point DOCKER_HOST at ${session.engine}; to have a session on ${here.endpoint.address} instead, run bake dev stop ${session.id}, then bake dev again.`,
  };
}

/** `bake dev ls`. */
export async function list(args: BakeArgs, cli: CliEnvironment): Promise<Outcome> {
  // A DOCKER_HOST bake cannot use is a usage error before any server is asked.
  const here = clientEngine(cli);
  const client = await askingServer(cli);
  const reply = client ? await client.list(here.endpoint.address).finally(() => client.close()) : { sessions: [], lost: [] };
  for (const line of reply.lost) process.stderr.write(`bake: ${line}\n`);
  // A session on another engine than this terminal's is listed, and said to be: bake dev here would refuse it.
  for (const mismatch of await Promise.all(reply.sessions.map((session) => engineMismatch(session, here)))) {
    if (mismatch) process.stderr.write(`bake: ${mismatch.message}. ${mismatch.fix}\n`);
  }
  if (args.dev.format === 'json') process.stdout.write(`${JSON.stringify(reply.sessions.map(sessionRow), null, 2)}\n`);
  else process.stdout.write(formatSessionTable(reply.sessions.map(sessionRow)));
  return 'ok';
}

/** `bake dev stop --volumes` with no session of the bake files here: their project's named volumes, removed through the engine. */
async function removeVolumesOf(args: BakeArgs, cli: CliEnvironment): Promise<Outcome> {
  const paths = loadBakeFiles(args.files, cli.cwd, () => '').paths;
  // Loaded here only: the engine's client stays out of the start of bake dev ls and the like.
  const [{ DockerEngine }, { removeProjectVolumes }] = await Promise.all([import('../docker/engine-api.js'), import('../dev/runtime/service-runtime.js')]);
  const engine = DockerEngine.fromEnv(cli.env);
  try {
    const removed = await removeProjectVolumes(engine, projectKey(paths), AbortSignal.timeout(60_000));
    process.stdout.write(
      removed.length
        ? `bake: no session of ${sessionIdOf(paths)} runs; its named volumes are removed: ${removed.join(', ')}.\n`
        : `bake: no session of ${sessionIdOf(paths)} runs, and it has no named volumes: nothing to remove.\n`,
    );
    return 'ok';
  } finally {
    engine.close();
  }
}

/** `bake dev stop`. */
export async function stopCommand(args: BakeArgs, cli: CliEnvironment): Promise<Outcome> {
  // A DOCKER_HOST bake cannot use is a usage error before any server is asked.
  const here = clientEngine(cli);
  const client = await askingServer(cli);
  // Named volumes belong to the project, not to a session: --volumes removes them though no session of the bake files here runs.
  const local = args.dev.volumes && !args.dev.session ? localSessionId(args, cli) : undefined;
  if (local !== undefined) {
    const running = client ? (await client.list(here.endpoint.address)).sessions : [];
    if (!running.some((s) => s.id === local || s.id === `${local}-debug`)) {
      client?.close();
      return removeVolumesOf(args, cli);
    }
  }
  if (!client) throw noSessionError(args);
  try {
    const session = await pickSession(client, args, cli);
    await client.stop(session.id, args.dev.volumes);
    if (session.kind === 'debug') {
      process.stdout.write(`bake: session ${session.id} stopped: its build containers are released and its builds let go.\n`);
      return 'ok';
    }
    process.stdout.write(
      `bake: session ${session.id} stopped: its containers and network are removed${args.dev.volumes ? ', and its named volumes' : '; named volumes are kept (--volumes removes them)'}.\n`,
    );
    return 'ok';
  } finally {
    client.close();
  }
}

/** `bake dev attach|stop` with no server: there is no session to act on. */
export function noSessionError(args: BakeArgs): UserError {
  const fix = 'Start one with bake dev (bake dev --detach leaves it running without attaching).';
  return new UserError(
    'run',
    args.dev.session ? `no session ${args.dev.session} is running: no bake server is` : 'no bake dev session is running: no bake server is',
    fix,
  );
}

/** SESSION, else the session of the bake files here, else the only session; an error lists them otherwise. */
export async function pickSession(client: AskedServer, args: BakeArgs, cli: CliEnvironment): Promise<SessionInfo> {
  const { sessions } = await client.list(clientEngine(cli).endpoint.address);
  const wanted = args.dev.session;
  if (wanted) {
    const s = sessions.find((x) => x.id === wanted);
    if (s) return s;
    throw new UserError(
      'run',
      `no session ${wanted}`,
      sessions.length ? `Use one of: ${sessions.map((x) => x.id).join(', ')}.` : 'There is none: start one with bake dev.',
    );
  }
  const here = localSessionId(args, cli);
  // The bake files' dev session, else their debug session (bake --invoke, --on-error).
  const local = here && (sessions.find((s) => s.id === here) ?? sessions.find((s) => s.id === `${here}-debug`));
  if (local) return local;
  if (sessions.length === 1) return sessions[0] as SessionInfo;
  if (!sessions.length) throw new UserError('run', 'no bake dev session is running', 'Start one with bake dev.');
  throw usageError(`${sessions.length} sessions are running and none is of the bake files here`, `Name one: ${sessions.map((x) => x.id).join(', ')}.`);
}

/** The id the bake files of this directory (or -f) would have; undefined without any. */
function localSessionId(args: BakeArgs, cli: CliEnvironment): string | undefined {
  try {
    return sessionIdOf(loadBakeFiles(args.files, cli.cwd, () => '').paths);
  } catch {
    return undefined;
  }
}

/** `bake server status|stop|run`. */
export async function serverCommand(
  request: Exclude<ServerRequest, { action: 'help' }> | { readonly action: 'run'; readonly format: 'table' },
  cli: CliEnvironment,
): Promise<Outcome> {
  const { action } = request;
  if (action === 'run') {
    await (await import('../dev/server/main.js')).runServer(cli.env, VERSION);
    return 'ok';
  }
  const client = await askServer({ env: cli.env, version: VERSION, start: undefined, warn: (line) => void process.stderr.write(`${line}\n`) });
  if (client instanceof StoppingServer) return stoppingAnswer(request, client, cli);
  if (!client) {
    if (request.format === 'json') {
      process.stdout.write(`${JSON.stringify({ running: false })}\n`);
      return 'ok';
    }
    const paths = serverPaths(cli.env, homedir());
    const left = abandonedLock(paths) ? '; the last one ended without ending its sessions: bake dev ls has a new one take them over' : '';
    process.stdout.write(`no bake server is running (it starts with the first bake dev; socket ${paths.socket})${left}\n`);
    return 'ok';
  }
  try {
    const h = client.hello;
    if (action === 'stop') {
      const reply = await client.shutdown();
      await serverGone(cli, h.pid, `it was ending its ${reply.sessions} session(s)`);
      process.stdout.write(`bake server (pid ${h.pid}) stopped; it ended its ${reply.sessions} session(s).\n`);
      return 'ok';
    }
    if (request.format === 'json') {
      process.stdout.write(
        `${JSON.stringify({ running: true, version: h.server_version, protocol: h.protocol, pid: h.pid, startedAt: new Date(h.started_at_ms).toISOString(), sessions: h.sessions, rssBytes: h.rss_bytes, socket: h.socket, logFile: h.log_file }, null, 2)}\n`,
      );
      return 'ok';
    }
    process.stdout.write(
      formatKeyValues([
        ['server', `bake ${h.server_version} (protocol ${h.protocol}), pid ${h.pid}`],
        ['uptime', formatUptime(Date.now() - h.started_at_ms)],
        ['sessions', String(h.sessions)],
        ['memory', `${(h.rss_bytes / 1048576).toFixed(1)} MiB (RSS)`],
        ['socket', h.socket],
        ['log', h.log_file],
      ]),
    );
    return 'ok';
  } finally {
    client.close();
  }
}

/**
 * Returns once the stopping server `pid` has gone (undefined: it has), so the next command meets no
 * server, or a new one, never a stopping one; throws when it is still there after STOP_WAIT_MS.
 */
async function serverGone(cli: CliEnvironment, pid: number | undefined, doing: string): Promise<void> {
  if (pid === undefined) return;
  const paths = serverPaths(cli.env, homedir());
  await lockReleased(paths, Date.now() + STOP_WAIT_MS);
  if (lockHolder(paths) !== pid) return;
  throw new UserError(
    'engine',
    `the bake server (pid ${pid}) is still stopping after ${STOP_WAIT_MS / 1000} s; ${doing}`,
    `Its log, ${paths.logFile}, says what it waits for (often an engine that does not answer); kill ${pid} to end it, and the next bake dev recovers its sessions.`,
  );
}

/** `bake server status|stop` while the server is stopping: status says so at once; stop waits for it to go, as after its own request. */
async function stoppingAnswer(
  request: { readonly action: 'status' | 'stop'; readonly format: string },
  server: StoppingServer,
  cli: CliEnvironment,
): Promise<Outcome> {
  if (request.action === 'stop') {
    await serverGone(cli, server.pid, 'it was ending its sessions');
    process.stdout.write(`${serverNamed(server.pid)} stopped; it had begun to stop before this request.\n`);
    return 'ok';
  }
  if (request.format === 'json') process.stdout.write(`${JSON.stringify({ running: false, stopping: true, pid: server.pid })}\n`);
  else process.stdout.write(`${stoppingServer(server)}; the next bake dev starts a new one once it has gone.\n`);
  return 'ok';
}
