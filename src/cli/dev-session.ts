/**
 * `bake dev …` but --print (product.md §4): always a client of the per-user server.
 * `bake dev` reads the bake files and builds (orchestrate/dev-bring-up.ts,
 * the same build run as `bake`, shown in the user's terminal, on the
 * session's engine); the server runs the services and keeps the session,
 * and runs the monitor's `rebuild` itself. ls / attach / stop find sessions
 * by id, by the bake files here, or as the only one.
 */
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { renderError } from '../core/error-text.js';
import { usageError, UserError, type Outcome } from '../core/errors.js';
import type { DevClient } from '../dev/client/connection.js';
import { parsePrefixKey } from '../dev/client/prefix-key.js';
import { serverRunCommand, startServerUnlessRunning, type PrimedServer, type StartedServer } from '../dev/client/server-process.js';
import { sessionIdOf } from '../dev/project.js';
import type { SessionInfo } from '../dev/protocol/generated/messages.js';
import { serviceMessage } from '../dev/protocol/service-message.js';
import { bringUpDev, planDev, type DevPlan } from '../orchestrate/dev-bring-up.js';
import { parseWaitTimeout, type BakeArgs } from './args.js';
import { withBuildView } from './build-view.js';
import { clientEngine } from './client-engine.js';
import { loadDefinition, overrideFlags, type CliEnvironment } from './definition.js';
import { VERSION } from './version.js';

/** `bake dev` (up), `ls`, `attach`, `stop`: everything but --print, which needs no server. */
export async function devSession(args: BakeArgs, cli: CliEnvironment, primed?: PrimedServer): Promise<Outcome> {
  // A DOCKER_HOST bake cannot use is the same usage error whatever the action, and is said before a server starts.
  clientEngine(cli);
  switch (args.dev.action) {
    case 'ls':
      return (await import('./dev-look.js')).list(args, cli);
    case 'attach':
      return attachCommand(args, cli);
    case 'stop':
      return (await import('./dev-look.js')).stopCommand(args, cli);
    case 'up':
      return up(args, cli, primed);
  }
}

/**
 * The server, started when none runs (or waited for, when this client has
 * `started` it): for `bake dev`, which needs one to hold its session. The
 * gRPC client is loaded here, after a cold `bake dev` has started its server.
 */
export async function connect(cli: CliEnvironment, started?: StartedServer): Promise<DevClient> {
  const { connectServer } = await import('../dev/client/connection.js');
  const client = await connectServer({
    env: cli.env,
    version: VERSION,
    start: serverRunCommand(),
    started,
    warn: (line) => void process.stderr.write(`${line}\n`),
  });
  return client as DevClient;
}

/**
 * A session keeps the engine it was created on. When this terminal's engine
 * is another one, going on would build and run where the user no longer
 * points (and a session lives on one engine only): say so, naming both.
 */
async function checkSessionEngine(session: SessionInfo, cli: CliEnvironment): Promise<void> {
  const mismatch = await (await import('./dev-look.js')).engineMismatch(session, clientEngine(cli));
  if (mismatch) throw new UserError('run', mismatch.message, mismatch.fix);
}

/** `bake dev` itself; `primed`: the server a cold start primed (cli/dev.ts), told to go once the bake files are good. */
async function up(args: BakeArgs, cli: CliEnvironment, primed: PrimedServer | undefined): Promise<Outcome> {
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
    // The bake files are good: a cold start starts the server now, and it boots while this client loads the rest of itself.
    client = await connect(cli, primed?.go() ?? startServerUnlessRunning(cli.env));
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
        unchanged: (targets) =>
          void process.stderr.write(
            `bake: nothing built: no input of ${targets.join(', ')} changed since the last build (build avoidance, BuildKit not asked).\n`,
          ),
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
export async function openTerminal(
  client: DevClient,
  session: SessionInfo,
  args: BakeArgs,
  cli: CliEnvironment,
  how: { readonly typeahead: readonly Buffer[]; readonly command: string; readonly hint: boolean; readonly process?: string | undefined },
): Promise<void> {
  const { runTerminal } = await import('../dev/client/terminal.js');
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
    reconnect: () => connect(cli),
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

async function attachCommand(args: BakeArgs, cli: CliEnvironment): Promise<Outcome> {
  prefixKey(args, cli);
  const { noSessionError, pickSession, runningServer } = await import('./dev-look.js');
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
