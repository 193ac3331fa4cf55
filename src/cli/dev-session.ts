/**
 * `bake dev …` but --print (product.md §4): always a client of the per-user server.
 * `bake dev` reads the bake files and builds (orchestrate/dev-bring-up.ts,
 * the same build run as `bake`, shown in the user's terminal, on the
 * session's engine); the server runs the services and keeps the session,
 * and runs the monitor's `rebuild` itself. ls / attach / stop find sessions
 * by id, by the bake files here, or as the only one.
 */
import { randomUUID } from 'node:crypto';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { renderError } from '../core/error-text.js';
import { usageError, UserError, type Outcome } from '../core/errors.js';
import { loadBakeFiles } from '../bakefile/load.js';
import { resolveEngineEndpoint, type ResolvedEndpoint } from '../docker/endpoint.js';
import { packageRoot } from '../buildkit/session/protos.js';
import { connectServer, type DevClient } from '../dev/client/connection.js';
import { parsePrefixKey } from '../dev/client/prefix-key.js';
import { runTerminal } from '../dev/client/terminal.js';
import { sessionRow } from '../dev/client/rows.js';
import { sameEngine } from '../dev/client/engine-identity.js';
import { formatKeyValues, formatSessionTable, formatUptime } from '../dev/monitor/tables.js';
import { abandonedLock } from '../dev/server/lock.js';
import { serverPaths } from '../dev/server/paths.js';
import { sessionIdOf } from '../dev/project.js';
import type { SessionInfo } from '../dev/protocol/generated/dev.js';
import { serviceMessage } from '../dev/protocol/service-message.js';
import { bringUpDev, planDev, type DevPlan } from '../orchestrate/dev-bring-up.js';
import { parseWaitTimeout, type BakeArgs, type ServerRequest } from './args.js';
import { withBuildView } from './build.js';
import { loadDefinition, overrideFlags, type CliEnvironment } from './definition.js';
import { VERSION } from './version.js';

/** `bake dev` (up), `ls`, `attach`, `stop`: everything but --print, which needs no server. */
export async function devSession(args: BakeArgs, cli: CliEnvironment): Promise<Outcome> {
  // A DOCKER_HOST bake cannot use is the same usage error whatever the action, and is said before a server starts.
  clientEngine(cli);
  switch (args.dev.action) {
    case 'ls':
      return list(args, cli);
    case 'attach':
      return attachCommand(args, cli);
    case 'stop':
      return stopCommand(args, cli);
    case 'up':
      return up(args, cli);
  }
}

/** The server, started when none runs: for `bake dev`, which needs one to hold its session. */
export async function connect(cli: CliEnvironment): Promise<DevClient> {
  const client = await connectServer({ env: cli.env, version: VERSION, start: serverRunCommand(), warn: (line) => void process.stderr.write(`${line}\n`) });
  return client as DevClient;
}

/**
 * The server if one runs (ls, attach, stop only look). One that was killed
 * left its sessions running in the engine, where only a server finds them
 * (from their labels): then a new server is started to take them over.
 */
async function runningServer(cli: CliEnvironment): Promise<DevClient | undefined> {
  const takeOver = abandonedLock(serverPaths(cli.env, homedir()));
  if (takeOver) process.stderr.write('bake: the last bake server ended without ending its sessions; a new one takes them over.\n');
  return connectServer({
    env: cli.env,
    version: VERSION,
    start: takeOver ? serverRunCommand() : undefined,
    warn: (line) => void process.stderr.write(`${line}\n`),
  });
}

/** `bake server run` by this package's bin/bake, as a client starts the server. */
function serverRunCommand(): string[] {
  return [process.execPath, join(packageRoot(), 'bin', 'bake'), 'server', 'run'];
}

/** `bake dev attach|stop` with no server: there is no session to act on. */
function noSessionError(args: BakeArgs): UserError {
  const fix = 'Start one with bake dev (bake dev --detach leaves it running without attaching).';
  return new UserError(
    'run',
    args.dev.session ? `no session ${args.dev.session} is running: no bake server is` : 'no bake dev session is running: no bake server is',
    fix,
  );
}

/** The engine this terminal builds and runs on, and why (DOCKER_HOST, the docker context …): where a new session is created. */
export function clientEngine(cli: CliEnvironment): ResolvedEndpoint {
  return resolveEngineEndpoint(cli.env);
}

/**
 * A session keeps the engine it was created on. When this terminal's engine
 * is another one, going on would build and run where the user no longer
 * points (and a session lives on one engine only): say so, naming both.
 */
async function checkSessionEngine(session: SessionInfo, cli: CliEnvironment): Promise<void> {
  const mismatch = await engineMismatch(session, clientEngine(cli));
  if (mismatch) throw new UserError('run', mismatch.message, mismatch.fix);
}

async function engineMismatch(session: SessionInfo, here: ResolvedEndpoint): Promise<{ message: string; fix: string } | undefined> {
  if (await sameEngine(session.engine, here.endpoint.address, AbortSignal.timeout(5_000))) return undefined;
  return {
    message: `session ${session.id} runs on the engine at ${session.engine}, but this terminal's engine is ${here.endpoint.address} (${here.reason})`,
    fix: `To use the session, point DOCKER_HOST at ${session.engine}; to have a session on ${here.endpoint.address} instead, run bake dev stop ${session.id}, then bake dev again.`,
  };
}

async function up(args: BakeArgs, cli: CliEnvironment): Promise<Outcome> {
  // A bad prefix key, a mistake in the bake files or a mistyped service is reported before any server starts.
  prefixKey(args, cli);
  const plan = planDev(await loadDefinition(args, cli), {
    services: args.names,
    sets: overrideFlags(args),
    cwd: cli.cwd,
    env: cli.env,
    warn: cli.warn,
    checkInputs: !args.dev.noBuild,
  });
  const interactiveTerminal = process.stdin.isTTY === true && process.stdout.isTTY === true;
  if (!args.dev.detach && !interactiveTerminal)
    throw usageError(
      'bake dev needs a terminal to attach to',
      'Run it in a terminal, or add --detach to leave the session running and attach later with bake dev attach.',
    );
  const keys = args.dev.detach ? undefined : keysUntilAttached();
  const interrupt = keys?.interrupt ?? new AbortController();
  let client: DevClient | undefined;
  try {
    client = await connect(cli);
    const existing = (await client.list(clientEngine(cli).endpoint.address)).sessions.find((s) => s.id === sessionIdOf(plan.def.paths));
    if (existing) await checkSessionEngine(existing, cli);
    interrupt.signal.throwIfAborted();
    const session = await bringUp(client, plan, args, cli, existing?.engine ?? clientEngine(cli).endpoint.address, existing, interrupt.signal);
    if (args.dev.watch) await startWatch(client, session, args, interrupt.signal);
    if (args.dev.detach) {
      process.stdout.write(
        `bake: session ${session.id} is up (${session.services.map((s) => s.name).join(', ')}). Attach with: bake dev attach ${session.id}\n`,
      );
      return 'ok';
    }
    keys?.stop();
    await openTerminal(client, session, args, cli, { typeahead: keys?.typeahead ?? [], command: 'bake dev', hint: true });
    return 'ok';
  } catch (e) {
    // The build printed why it failed.
    if (e instanceof DevBuildFailedError) return e.kind;
    if (!interrupt.signal.aborted) throw e;
    process.stderr.write('bake: interrupted; what had started keeps running in the server (bake dev ls lists it, bake dev stop ends it).\n');
    return 'interrupted';
  } finally {
    keys?.stop();
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    // A flowing stdin would keep the process alive after an error.
    process.stdin.pause();
    client?.close();
  }
}

/**
 * The terminal while a build runs before a shell: keys typed meanwhile are
 * kept for the shell, and Ctrl-C (raw mode: a key, not a signal) interrupts
 * whatever runs (the connection, the build, the wait for the services).
 */
export function keysUntilAttached(): { readonly typeahead: Buffer[]; readonly interrupt: AbortController; stop(): void } {
  const typeahead: Buffer[] = [];
  const interrupt = new AbortController();
  const onKeys = (chunk: Buffer): void => {
    if (chunk.includes(3)) interrupt.abort(new Error('interrupted'));
    else typeahead.push(chunk);
  };
  process.stdin.setRawMode(true);
  process.stdin.on('data', onKeys);
  return { typeahead, interrupt, stop: () => void process.stdin.off('data', onKeys) };
}

/** The build of a dev run failed (it printed why) or was interrupted; the session keeps what it ran. */
class DevBuildFailedError extends UserError {
  constructor(kind: 'build' | 'interrupted') {
    super(
      kind,
      kind === 'interrupted' ? 'the build was interrupted' : 'the build failed (see above); the session keeps running the images it had',
      'Fix what the build says, then rebuild.',
    );
  }
}

/**
 * Builds what the services run, then has the server bring the session up to
 * date: it recreates only services whose image or spec changed. A failed
 * build throws DevBuildFailedError (the build printed why).
 */
async function bringUp(
  client: DevClient,
  plan: DevPlan,
  args: BakeArgs,
  cli: CliEnvironment,
  engine: string,
  current: SessionInfo | undefined,
  signal: AbortSignal,
): Promise<SessionInfo> {
  // Builds and containers use the session's engine, whatever DOCKER_HOST this terminal has.
  const env = { ...cli.env, DOCKER_HOST: engine };
  const request = {
    plan,
    cwd: cli.cwd,
    env,
    build: args.dev.noBuild ? undefined : { builder: args.builder, maxParallelism: args.maxParallelism, keepGoing: args.keepGoing },
    only: [],
    running: new Map((current?.services ?? []).map((s) => [s.name, s.image])),
  };
  const healthTimeoutMs =
    args.dev.waitTimeoutMs ?? (cli.env['BAKE_WAIT_TIMEOUT'] ? parseWaitTimeout(cli.env['BAKE_WAIT_TIMEOUT'], 'BAKE_WAIT_TIMEOUT') : 60_000);
  const result = await withBuildView(args, { ...cli, env }, signal, (view) =>
    bringUpDev(
      request,
      {
        openSink: view.openSink,
        built: async (run) => {
          await view.report(run);
        },
        up: (plans) =>
          client.up(
            {
              files: [...plan.def.paths],
              project_dir: dirname(plan.def.paths[0] ?? cli.cwd),
              engine,
              services: plans.map((p) => ({ service: serviceMessage(p.service), image: p.image })),
              health_timeout_ms: healthTimeoutMs,
              env: Object.fromEntries(Object.entries(cli.env).filter((e): e is [string, string] => e[1] !== undefined)),
              size: { columns: process.stdout.columns || 80, rows: process.stdout.rows || 24 },
            },
            (line) => void process.stderr.write(`bake: ${line}\n`),
            view.signal,
          ),
      },
      view.signal,
    ),
  );
  if (result.outcome !== 'ok') throw new DevBuildFailedError(result.outcome);
  return result.session;
}

function prefixKey(args: BakeArgs, cli: CliEnvironment): number {
  const flag = args.dev.prefixKey;
  return flag !== undefined ? parsePrefixKey(flag) : parsePrefixKey(cli.env['BAKE_PREFIX_KEY'] ?? 'ctrl-a', 'BAKE_PREFIX_KEY');
}

/** The user's terminal on `session` until they detach or stop it. */
export function openTerminal(
  client: DevClient,
  session: SessionInfo,
  args: BakeArgs,
  cli: CliEnvironment,
  how: { readonly typeahead: readonly Buffer[]; readonly command: string; readonly hint: boolean; readonly process?: string | undefined },
): Promise<void> {
  return runTerminal({
    client,
    session,
    prefix: prefixKey(args, cli),
    input: process.stdin,
    output: process.stdout,
    typeahead: how.typeahead,
    description: `${how.command}, pid ${process.pid}`,
    clientId: randomUUID(),
    hint: how.hint,
    process: how.process,
    describeError: (e) => renderError(e, cli.sources, !cli.env['NO_COLOR']),
    rebuildFlags: rebuildFlags(args),
  });
}

/** Has the server watch the session's files (the monitor's `watch on`, with this client's build flags for its rebuilds); says what it watches. */
async function startWatch(client: DevClient, session: SessionInfo, args: BakeArgs, signal: AbortSignal): Promise<void> {
  await client.command(
    { session: session.id, args: ['watch', 'on', ...rebuildFlags(args)], size: undefined, attached: '' },
    (out) => {
      if (out.msg?.$case === 'text') process.stderr.write(`bake: ${out.msg.value}\n`);
    },
    signal,
  );
}

/** This client's build flags, as the server's `rebuild` reads them: the shorthand flags (--no-cache …) as the --set values they stand for. */
export function rebuildFlags(args: BakeArgs): string[] {
  return [
    ...overrideFlags(args).flatMap((s) => ['--set', s]),
    ...args.vars.flatMap((v) => ['--var', v]),
    ...(args.builder === undefined ? [] : ['--builder', args.builder]),
    ...(args.maxParallelism === undefined ? [] : ['--max-parallelism', String(args.maxParallelism)]),
    ...(args.keepGoing ? ['--keep-going'] : []),
  ];
}

/** SESSION, else the session of the bake files here, else the only session; an error lists them otherwise. */
async function pickSession(client: DevClient, args: BakeArgs, cli: CliEnvironment): Promise<SessionInfo> {
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

async function list(args: BakeArgs, cli: CliEnvironment): Promise<Outcome> {
  const client = await runningServer(cli);
  const reply = client ? await client.list(clientEngine(cli).endpoint.address).finally(() => client.close()) : { sessions: [], lost: [] };
  for (const line of reply.lost) process.stderr.write(`bake: ${line}\n`);
  // A session on another engine than this terminal's is listed, and said to be: bake dev here would refuse it.
  const here = clientEngine(cli);
  for (const mismatch of await Promise.all(reply.sessions.map((session) => engineMismatch(session, here)))) {
    if (mismatch) process.stderr.write(`bake: ${mismatch.message}. ${mismatch.fix}\n`);
  }
  if (args.dev.format === 'json') process.stdout.write(`${JSON.stringify(reply.sessions.map(sessionRow), null, 2)}\n`);
  else process.stdout.write(formatSessionTable(reply.sessions.map(sessionRow)));
  return 'ok';
}

async function attachCommand(args: BakeArgs, cli: CliEnvironment): Promise<Outcome> {
  prefixKey(args, cli);
  const client = await runningServer(cli);
  if (!client) throw noSessionError(args);
  try {
    const session = await pickSession(client, args, cli);
    await checkSessionEngine(session, cli);
    if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) throw usageError('bake dev attach needs a terminal', 'Run it in a terminal.');
    await openTerminal(client, session, args, cli, { typeahead: [], command: 'bake dev attach', hint: false, process: args.dev.process });
    return 'ok';
  } finally {
    client.close();
  }
}

async function stopCommand(args: BakeArgs, cli: CliEnvironment): Promise<Outcome> {
  const client = await runningServer(cli);
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
  const client = await connectServer({ env: cli.env, version: VERSION, start: undefined, warn: (line) => void process.stderr.write(`${line}\n`) });
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
      process.stdout.write(`bake server (pid ${h.pid}) is stopping; it ends its ${reply.sessions} session(s).\n`);
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
