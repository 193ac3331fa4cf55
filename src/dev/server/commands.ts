/**
 * The server's side of the monitor commands the registry
 * (monitor/registry.ts) says run in the server: ps, exec, logs,
 * restart|stop|start SERVICE, rollback, rebuild, watch, sessions, and the file
 * tools ls, cat and cp (through the process's ContainerFiles). The client parses the line and sends a command
 * name and its words.
 */
import { formatFileTable } from '../monitor/file-table.js';
import { parseCat, parseCopy, parseLs } from '../monitor/registry.js';
import { isDirectory, type ContainerFiles } from '../process/files.js';
import { copyIn, copyOut } from './file-copy.js';
import { SessionCommandError, type DevSession } from './session.js';
import type { SessionRegistry } from './registry.js';
import type { CommandOut } from '../protocol/generated/messages.js';
import type { ServerCommandName } from '../monitor/registry.js';
import type { DevProcess } from '../process/process.js';

export interface CommandContext {
  readonly session: DevSession;
  readonly registry: SessionRegistry;
  /** The command name, then its words. */
  readonly args: readonly string[];
  /** The process the client is attached to: the default service. */
  readonly attached: string;
  readonly write: (out: CommandOut) => void;
  /** Aborted when the client stops waiting (Ctrl-C on `logs -f`, or the client gone); `rebuild` runs on regardless. */
  readonly signal: AbortSignal;
}

/** What a server command does, given the words after its name. */
type ServerRun = (ctx: CommandContext, words: readonly string[]) => Promise<void> | void;

/** The server's side of the registry's server commands, by the name the client sends. */
const SERVER_RUNS = {
  ps: ({ session, write }) => write({ msg: { $case: 'processes', value: { processes: [...session.processes.values()].map((p) => session.processInfo(p)) } } }),
  sessions: ({ registry, write }) => write({ msg: { $case: 'sessions', value: { sessions: registry.all().map((s) => s.info()) } } }),
  exec: async ({ session, attached, write }, words) => {
    const [service, ...command] = words;
    if (!service || !command.length) throw new SessionCommandError('exec needs a service and a command, e.g. exec dev sh');
    // A debug session's processes run in the attached shell's build container.
    const process = session.debug ? await session.debug.exec(attached, command) : await session.exec(service, command);
    write({ msg: { $case: 'attach', value: process.id } });
  },
  logs: (ctx, words) => logs(ctx, serviceArg(ctx, words, 'logs'), words.includes('-f') || words.includes('--follow')),
  ls: async (ctx, words) => {
    const { path } = parseLs(words);
    const files = await filesOf(ctx, undefined);
    const entry = await files.stat(path, ctx.signal);
    const entries = isDirectory(entry.mode) ? await files.list(path, ctx.signal) : [entry];
    say(
      ctx,
      formatFileTable(entries, (ms) => -new Date(ms).getTimezoneOffset()),
    );
  },
  cat: async (ctx, words) => {
    const data = await (await filesOf(ctx, undefined)).read(parseCat(words).path, ctx.signal);
    for (let at = 0; at < data.length; at += DATA_CHUNK) ctx.write({ msg: { $case: 'data', value: data.subarray(at, at + DATA_CHUNK) } });
  },
  cp: async (ctx, words) => {
    const { from, to } = parseCopy(words);
    // The parse lets through exactly one container end.
    if (from.in === 'container' && to.in === 'host') say(ctx, await copyOut(await filesOf(ctx, from.service), from.path, to.path, ctx.signal));
    if (from.in === 'host' && to.in === 'container') say(ctx, await copyIn(from.path, await filesOf(ctx, to.service), to.path, ctx.signal));
  },
  restart: (ctx, words) => lifecycle(ctx, words, 'restart'),
  stop: (ctx, words) => lifecycle(ctx, words, 'stop'),
  start: (ctx, words) => lifecycle(ctx, words, 'start'),
  rollback: async (ctx, words) => {
    const init = words[0] === '--init';
    if (ctx.session.debug) {
      const id = await ctx.session.debug.rollback(ctx.attached, init);
      ctx.write({ msg: { $case: 'text', value: `${id}: a fresh container on ${init ? 'the state before the failed step' : 'the held build state'}` } });
      return ctx.write({ msg: { $case: 'attach', value: id } });
    }
    if (init) throw new SessionCommandError('rollback --init opens the state before a failed build step: it is for bake --on-error sessions');
    const service = serviceArg(ctx, words, 'rollback');
    await ctx.session.rollback(service, (line) => ctx.write({ msg: { $case: 'text', value: line } }));
    ctx.write({ msg: { $case: 'text', value: `${service}: recreated from its image; changes made inside it are gone` } });
  },
  reload: (ctx) => buildAgain(ctx, 'reload'),
  continue: (ctx) => buildAgain(ctx, 'continue'),
  failures: ({ session, write }) => {
    if (!session.debug) throw new SessionCommandError('failures lists what failed in a debug session (bake --on-error); this is a dev session');
    write({ msg: { $case: 'text', value: session.debug.describe() } });
  },
  watch: async ({ session, write }, words) => {
    const say = (line: string): void => write({ msg: { $case: 'text', value: line } });
    const [state, ...flags] = words;
    if (state === 'off') {
      await session.watching?.stop();
      say(session.watching ? `watch is off for session ${session.id}` : `session ${session.id} was not watching`);
      session.watching = undefined;
      return;
    }
    if (state === 'on') {
      if (session.debug) throw new SessionCommandError('watch is for dev sessions; in a debug session, reload builds again with the current sources');
      // Loaded on the first watch, as rebuild's machinery is.
      const [{ SessionWatch }, { parseRebuild }] = await Promise.all([import('./watch.js'), import('./rebuild.js')]);
      // On again: the rules as the bake files say now, with this client's build flags.
      const started = await SessionWatch.start(session, parseRebuild(flags), say);
      await session.watching?.stop();
      // Stopped meanwhile: nothing is left watching for a session that is gone.
      if (session.ended.aborted) {
        await started.stop();
        return;
      }
      session.watching = started;
    }
    say(session.watching?.describe() ?? `session ${session.id} is not watching; watch on starts it`);
  },
  rebuild: async ({ session, write }, words) => {
    // Loaded on the first rebuild: the build machinery (BuildKit's client, the bake language) stays out of the server's start.
    const { parseRebuild, rebuild } = await import('./rebuild.js');
    return rebuild(session, parseRebuild(words), (line) => write({ msg: { $case: 'text', value: line } }));
  },
} satisfies Record<ServerCommandName, ServerRun>;

export async function runCommand(ctx: CommandContext): Promise<void> {
  const [name = '', ...words] = ctx.args;
  if (!Object.hasOwn(SERVER_RUNS, name)) throw new SessionCommandError(`the server has no monitor command "${name}"`);
  const run: ServerRun = SERVER_RUNS[name as ServerCommandName];
  await run(ctx, words);
}

/** gRPC's default message limit is 4 MiB: `cat` sends a file in pieces well below it. */
const DATA_CHUNK = 64 * 1024;

function say(ctx: CommandContext, text: string): void {
  ctx.write({ msg: { $case: 'text', value: text } });
}

/** The files of the process or service `ref` names, else the attached process's, else the interactive service's. */
function filesOf(ctx: CommandContext, ref: string | undefined): Promise<ContainerFiles> {
  const target = ref ?? (ctx.attached || ctx.session.interactive);
  if (!target) throw new SessionCommandError('no process is attached and the session has no interactive service: attach to a process first (ps lists them)');
  return ctx.session.filesOf(target);
}

/** The service a command names, else the attached process's, else the interactive one. */
function serviceArg(ctx: CommandContext, words: readonly string[], name: string): string {
  const service = words[0] ?? ctx.session.find(ctx.attached)?.service ?? ctx.session.interactive;
  if (!service) throw new SessionCommandError(`${name} needs a service name; ps lists them`);
  return service;
}

/** `reload` and `continue`: a debug session's build again; the terminal goes to its first shell. */
async function buildAgain({ session, write }: CommandContext, name: 'reload' | 'continue'): Promise<void> {
  if (!session.debug) throw new SessionCommandError(`${name} builds a debug session again; in a dev session, rebuild builds and recreates services`);
  const say = (line: string): void => write({ msg: { $case: 'text', value: line } });
  const id = await session.debug[name](say).catch((e: unknown) => {
    // The fix worked, or the build ran to its end: said as news, not as an error; the session stays until stopped.
    if (e instanceof Error && e.name === 'EverythingBuilt') return say(`bake: ${e.message}; stop ends the session.`);
    throw e;
  });
  if (id !== undefined) write({ msg: { $case: 'attach', value: id } });
}

async function lifecycle(ctx: CommandContext, words: readonly string[], name: 'restart' | 'stop' | 'start'): Promise<void> {
  const service = serviceArg(ctx, words, name);
  // A main process that ignores SIGTERM (a shell) holds a stop for the engine's whole grace period: say so first.
  if (name !== 'start')
    ctx.write({ msg: { $case: 'text', value: `${service}: stopping (SIGTERM, then SIGKILL after the engine's stop timeout, 10 s by default)…` } });
  await ctx.session.lifecycle(name, service);
  ctx.write({ msg: { $case: 'text', value: `${service}: ${name === 'stop' ? 'stopped' : name === 'start' ? 'started' : 'restarted'}` } });
}

/**
 * What the service printed so far, then (with -f) what it prints until the
 * client stops or the process ends; while the session watches, on across
 * the restarts and recreations a watch makes, each new process's output as
 * it comes.
 */
async function logs(ctx: CommandContext, service: string, follow: boolean): Promise<void> {
  const first = ctx.session.find(service);
  if (!first) throw new SessionCommandError(`session ${ctx.session.id} has no service or process "${service}"; ps lists them`);
  ctx.write({ msg: { $case: 'data', value: first.output.history() } });
  if (!follow || (first.state !== 'running' && !ctx.session.watching)) return;
  await new Promise<void>((resolve) => {
    let unsubscribe = (): void => undefined;
    const show = (p: DevProcess): void => {
      unsubscribe();
      unsubscribe = p.output.subscribe((chunk) => ctx.write({ msg: { $case: 'data', value: chunk } }));
      void p.exited.then(() => {
        if (!ctx.session.watching && ctx.session.find(service) === p) done();
      });
    };
    const untrack = ctx.session.onTracked((p) => {
      if (p.id === service) show(p);
    });
    const done = (): void => {
      untrack();
      unsubscribe();
      resolve();
    };
    ctx.signal.addEventListener('abort', done, { once: true });
    ctx.session.ended.addEventListener('abort', done, { once: true });
    show(first);
  });
}
