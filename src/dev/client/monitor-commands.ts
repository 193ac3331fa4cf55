/**
 * The client's side of the monitor's commands (monitor/registry.ts): what
 * the client-side ones do, and how the server-side ones are sent, their
 * output shown and the terminal moved after them. Each table covers every
 * command of its side, as its type says.
 */
import { resolve } from 'node:path';
import type { ProcessInfo, SessionInfo, TerminalSize } from '../protocol/generated/messages.js';
import {
  containerWord,
  definitionOf,
  MONITOR_HELP,
  type ClientCommandKind,
  type CommandOf,
  type CopyEnd,
  type MonitorCommand,
  type ServerCommandKind,
} from '../monitor/registry.js';
import { MonitorUsageError } from '../monitor/usage-error.js';
import { formatProcessTable, formatSessionTable } from '../monitor/tables.js';
import { processRow, sessionRow } from './rows.js';
import type { DevClient } from './connection.js';

/** What the terminal does after a monitor command that leaves the monitor, given the keys typed meanwhile. */
export type Next = (typed: readonly Buffer[]) => void;

/** The terminal as the monitor's commands see it. */
export interface MonitorContext {
  /** The server's client; a new one when the server went away and the terminal reconnected. */
  client: DevClient;
  readonly output: NodeJS.WriteStream;
  /** The session the terminal is in; `switch` and `rebuild` replace it. */
  session: SessionInfo;
  /** The process this terminal shows, or last showed. */
  current: ProcessInfo | undefined;
  /** This client's build flags as words: a `rebuild` it asks for builds with them. */
  readonly rebuildFlags: readonly string[];
  readonly size: () => TerminalSize;
  /**
   * Switches the terminal to a process, or (`enter`, no process named) to where a session starts. `fresh`: a process a
   * command just started, drawn under what the command said (where the build stopped, which rollback) rather than over it.
   */
  readonly attach: (ref: string, typed: readonly Buffer[], fresh?: boolean) => void;
  readonly enter: (ref: string, typed: readonly Buffer[]) => void;
  /** Says a line, then ends the terminal. */
  readonly finish: (line: string) => void;
  /** Follows `session` anew: its end and its engine are told to this terminal (after `switch`). */
  readonly follow: () => void;
}

type ClientRun<K extends ClientCommandKind> = (ctx: MonitorContext, command: CommandOf<K>) => Promise<Next | undefined> | Next | undefined;

const CLIENT_RUNS: { readonly [K in ClientCommandKind]: ClientRun<K> } = {
  help: ({ output }) => void output.write(`${MONITOR_HELP.replaceAll('\n', '\r\n')}\r\n`),
  attach:
    (ctx, { target }) =>
    (typed) =>
      ctx.attach(target, typed),
  switch: async (ctx, { session }) => {
    const found = (await ctx.client.list(ctx.session.engine)).sessions.find((s) => s.id === session);
    if (!found) throw new MonitorUsageError(`no session ${session}; sessions lists them`);
    ctx.session = found;
    ctx.current = undefined;
    ctx.follow();
    return (typed) => ctx.enter('', typed);
  },
  detach: (ctx) => () => ctx.finish(`bake: detached from session ${ctx.session.id}; it keeps running. Come back with: bake dev attach ${ctx.session.id}`),
  stop: async (ctx) => {
    await ctx.client.stop(ctx.session.id, false);
    return () =>
      ctx.finish(
        ctx.session.kind === 'debug'
          ? `bake: session ${ctx.session.id} stopped; its build containers are released and its builds let go.`
          : `bake: session ${ctx.session.id} stopped; its containers and network are removed, named volumes kept.`,
      );
  },
};

/** A server command as the client sends it: its words (the server's name first), and what follows once the server is done. */
interface ServerRequest<K extends ServerCommandKind> {
  readonly words: (ctx: MonitorContext, command: CommandOf<K>) => readonly string[];
  readonly done?: (ctx: MonitorContext, signal: AbortSignal) => Promise<void> | void;
  /** How its raw output (`data`) reaches the terminal; as it comes when absent. */
  readonly data?: (bytes: Buffer) => Buffer;
}

/** The output may end mid-line: the prompt starts on its own. */
const endLine = ({ output }: MonitorContext): void => void output.write('\r\n');

const SERVER_REQUESTS: { readonly [K in ServerCommandKind]: ServerRequest<K> } = {
  ps: { words: () => ['ps'] },
  sessions: { words: () => ['sessions'] },
  exec: { words: (ctx, c) => ['exec', c.service ?? attachedService(ctx), ...c.command] },
  logs: { words: (_, c) => ['logs', c.service, ...(c.follow ? ['-f'] : [])], done: endLine },
  ls: { words: (_, c) => ['ls', c.path] },
  // A file's lines end in LF; the terminal (raw, in the monitor) needs CR LF.
  cat: { words: (_, c) => ['cat', c.path], data: (bytes) => Buffer.from(bytes.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1'), done: endLine },
  cp: { words: (_, c) => ['cp', copyWord(c.from), copyWord(c.to)] },
  restart: { words: (_, c) => ['restart', c.service] },
  start: { words: (_, c) => ['start', c.service] },
  'stop-service': { words: (_, c) => ['stop', c.service] },
  rollback: { words: (ctx, c) => ['rollback', ...(c.init ? ['--init'] : []), c.service ?? attachedService(ctx)] },
  reload: { words: () => ['reload'] },
  continue: { words: () => ['continue'] },
  failures: { words: () => ['failures'] },
  // Rebuilds a watch starts build with this client's flags, as its rebuild would.
  watch: { words: (ctx, c) => ['watch', ...(c.state === undefined ? [] : [c.state]), ...(c.state === 'on' ? ctx.rebuildFlags : [])] },
  rebuild: {
    words: (ctx, c) => ['rebuild', ...ctx.rebuildFlags, '--', ...c.targets],
    done: async (ctx, signal) => {
      // Ctrl-C stops the watching, not the build: the server finishes it whoever watches.
      if (signal.aborted) return void ctx.output.write(`bake: the rebuild goes on in the server; ps shows the services once it is done.\r\n`);
      const { session } = ctx;
      ctx.session = (await ctx.client.list(session.engine)).sessions.find((s) => s.id === session.id) ?? session;
      ctx.output.write(`bake: session ${ctx.session.id} is up to date.\r\n`);
    },
  },
};

/** Runs `command` where the registry says; resolves with what to do next when the terminal leaves the monitor. */
export async function runMonitorCommand(ctx: MonitorContext, command: MonitorCommand, signal: AbortSignal): Promise<Next | undefined> {
  if (definitionOf(command.kind).side === 'client') {
    const run = CLIENT_RUNS[command.kind as ClientCommandKind] as ClientRun<ClientCommandKind>;
    return run(ctx, command as CommandOf<ClientCommandKind>);
  }
  const request = SERVER_REQUESTS[command.kind as ServerCommandKind] as ServerRequest<ServerCommandKind>;
  const attachTo = await sendToServer(ctx, request.words(ctx, command as CommandOf<ServerCommandKind>), request.data, signal);
  await request.done?.(ctx, signal);
  // The server names a process it just started to switch to (exec's, rollback's, a rebuilt debug shell).
  return attachTo ? (typed) => ctx.attach(attachTo, typed, true) : undefined;
}

/** The service of the attached process, else the session's interactive one: `exec` and `rollback` without a service name. */
function attachedService(ctx: MonitorContext): string {
  return ctx.current?.service || ctx.session.interactive;
}

/** A `cp` end as sent: the server, on this machine as this user, reads and writes host paths itself, but has its own working directory. */
function copyWord(end: CopyEnd): string {
  return end.in === 'container' ? containerWord(end) : resolve(process.cwd(), end.path);
}

/** Runs one server command, showing its output; resolves with the process it says to attach to, if any. */
async function sendToServer(
  ctx: MonitorContext,
  args: readonly string[],
  data: ServerRequest<ServerCommandKind>['data'],
  signal: AbortSignal,
): Promise<string | undefined> {
  const { output } = ctx;
  const lines = (text: string): void => void output.write(`${text.trimEnd().replaceAll('\n', '\r\n')}\r\n`);
  let attachTo: string | undefined;
  await ctx.client.command(
    { session: ctx.session.id, args: [...args], size: ctx.size(), attached: ctx.current?.id ?? '' },
    ({ msg }) => {
      if (msg?.$case === 'text') lines(msg.value);
      else if (msg?.$case === 'data') output.write(data ? data(Buffer.from(msg.value)) : msg.value);
      else if (msg?.$case === 'attach') attachTo = msg.value;
      else if (msg?.$case === 'processes') lines(formatProcessTable(msg.value.processes.map(processRow), Date.now()));
      else if (msg?.$case === 'sessions') lines(formatSessionTable(msg.value.sessions.map(sessionRow), ctx.session.id));
    },
    signal,
  );
  return attachTo;
}
