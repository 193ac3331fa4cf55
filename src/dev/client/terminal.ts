/**
 * The user's terminal during `bake dev` (product.md §4): raw mode, keys and
 * resizes to the attached process, its output back; the prefix key opens
 * the monitor (`(bake) `), detaches, or sends itself. The monitor's
 * commands run in the server (`rebuild` too: its build belongs to the
 * session, not to this client), except those about this terminal (attach,
 * switch, detach, help).
 */
import { PassThrough } from 'node:stream';
import { createInterface, type Interface } from 'node:readline';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { AttachIn, AttachOut, ProcessInfo, SessionInfo } from '../protocol/generated/dev.js';
import { withoutTerminalReplies } from './terminal-replies.js';
import { describePrefixKey, PrefixScanner } from './prefix-key.js';
import { MONITOR_HELP, MonitorUsageError, parseMonitorLine, type MonitorCommand } from '../monitor/parse.js';
import { formatProcessTable, formatSessionTable } from '../monitor/tables.js';
import type { ServiceError } from '@grpc/grpc-js';
import { serverError, type DevClient } from './connection.js';

export interface TerminalOptions {
  readonly client: DevClient;
  readonly session: SessionInfo;
  readonly prefix: number;
  readonly input: NodeJS.ReadStream;
  readonly output: NodeJS.WriteStream;
  /** Keys typed before the terminal was ready (during the build): they go to the first process. */
  readonly typeahead: readonly Buffer[];
  /** Told to a client this one displaces: "bake dev, pid 1234". */
  readonly description: string;
  readonly clientId: string;
  /** Print the start hint (`bake dev`), not on re-attach. */
  readonly hint: boolean;
  /** This client's build flags as words (`--set S`, `--var NAME=VALUE` …): a `rebuild` it asks for builds with them. */
  readonly rebuildFlags: readonly string[];
  /** How an error of a monitor command reads: a bake file's with its code frame, a user error with its fix. */
  readonly describeError: (e: unknown) => string;
}

/** While a monitor command runs, keys wait in `typed`: for the process it attaches to, else for the next prompt. */
type Mode =
  | { kind: 'attached'; call: ClientDuplexStream<AttachIn, AttachOut>; process: ProcessInfo | undefined }
  | { kind: 'monitor'; rl: Interface; feed: PassThrough; running: AbortController | undefined; typed: Buffer[] }
  | { kind: 'done' };

/** What the terminal does after a monitor command that leaves the monitor, given the keys typed meanwhile. */
type Next = (typed: readonly Buffer[]) => void;

/** Runs until the user detaches or stops the session. */
export function runTerminal(options: TerminalOptions): Promise<void> {
  return new Promise((resolve) => {
    const { client, input, output } = options;
    let session = options.session;
    const scanner = new PrefixScanner(options.prefix);
    const prefixName = describePrefixKey(options.prefix);
    let mode: Mode = { kind: 'done' };
    /** The process this terminal shows, or last showed: leaving the monitor goes back to it. */
    let currentInfo: ProcessInfo | undefined;
    let hinted = !options.hint;
    const say = (line: string): void => void output.write(`\r\n${line}\r\n`);
    const size = (): { columns: number; rows: number } => ({ columns: output.columns || 80, rows: output.rows || 24 });

    const finish = (): void => {
      leave();
      mode = { kind: 'done' };
      input.off('data', onData);
      output.off('resize', onResize);
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onTerm);
      if (input.isTTY) input.setRawMode(false);
      input.pause();
      resolve();
    };
    const leave = (): void => {
      if (mode.kind === 'attached') {
        const call = mode.call;
        mode = { kind: 'done' };
        call.end();
        call.cancel();
      } else if (mode.kind === 'monitor') {
        mode.running?.abort();
        mode.rl.close();
        mode = { kind: 'done' };
      }
    };

    const attach = (ref: string, typeahead: readonly Buffer[] = []): void => {
      // An attach the monitor asked for that fails says why under the same prompt, without the monitor's banner again.
      const fromMonitor = mode.kind === 'monitor';
      leave();
      const call = client.attach();
      const attached: Mode = { kind: 'attached', call, process: undefined };
      mode = attached;
      call.write({
        msg: {
          $case: 'open',
          value: { session: session.id, process: ref, size: size(), client: options.description, client_id: options.clientId, below: !hinted },
        },
      });
      for (const keys of typeahead) call.write({ msg: { $case: 'input', value: keys } });
      const ended = (line: string): void => {
        if (mode !== attached) return;
        mode = { kind: 'done' };
        monitor(line, attached.process !== undefined || !fromMonitor);
      };
      call.on('data', ({ msg }: AttachOut) => {
        if (mode !== attached) return;
        if (msg?.$case === 'attached') {
          const { process, screen } = msg.value;
          // A message field may be absent on the wire; this server always names the process.
          if (!process) return ended('bake: the server attached to no process.');
          attached.process = process;
          currentInfo = process;
          if (!hinted) {
            hinted = true;
            output.write(`bake: attached to ${describe(process)} in session ${session.id}. ${prefixName} c: monitor, ${prefixName} d: detach.\r\n`);
          }
          output.write(screen);
        } else if (msg?.$case === 'output') output.write(msg.value);
        else if (msg?.$case === 'exited') {
          // Nothing to go back to: leaving the monitor then goes to the session's default process.
          currentInfo = undefined;
          ended(`bake: ${describe(msg.value)} exited with code ${msg.value.exit_code}.`);
        } else if (msg?.$case === 'taken_over') ended(`bake: another terminal took over session ${session.id} (${msg.value}); attach here to take it back.`);
        else if (msg?.$case === 'session_ended') {
          say(`bake: ${msg.value}.`);
          finish();
        }
      });
      call.on('error', (e: ServiceError) => ended(options.describeError(serverError(e))));
      call.on('end', () => ended(`bake: the server ended the attach to ${ref || 'the session'}.`));
    };

    /** Where the terminal goes when it names no process: the interactive service's shell, else (there is none) the monitor. */
    const enter = (ref: string, typed: readonly Buffer[]): void => {
      if (ref || session.interactive) return attach(ref, typed);
      monitor('');
      if (mode.kind === 'monitor') for (const keys of typed) mode.feed.write(keys);
    };

    const monitor = (intro: string, banner = true): void => {
      leave();
      if (!banner) output.write(`${intro}\r\n`);
      else {
        if (intro) say(intro);
        const what = currentInfo ? describe(currentInfo) : 'nothing';
        output.write(`\r\nbake monitor: session ${session.id}, attached to ${what}. ${prefixName} c returns; help lists commands.\r\n`);
      }
      const feed = new PassThrough();
      const rl = createInterface({ input: feed, output, terminal: true, prompt: '(bake) ', historySize: 100 });
      const state: Mode = { kind: 'monitor', rl, feed, running: undefined, typed: [] };
      mode = state;
      // Lines run one at a time, in order: a pasted block's second line waits for the first.
      const lines: string[] = [];
      const runNext = (): void => {
        const line = lines.shift();
        if (line === undefined || mode !== state) return;
        rl.pause();
        const running = new AbortController();
        state.running = running;
        void command(line, running.signal).then((next) => {
          if (mode !== state) return;
          state.running = undefined;
          const typed = state.typed.splice(0);
          if (next) return next(typed);
          if (lines.length) return runNext();
          rl.resume();
          rl.prompt();
          for (const keys of typed) feed.write(keys);
        });
      };
      rl.on('line', (line) => {
        lines.push(line);
        if (!state.running) runNext();
      });
      rl.on('SIGINT', () => {
        if (state.running) state.running.abort();
        else {
          rl.write(null, { ctrl: true, name: 'u' });
          output.write('^C\r\n');
          rl.prompt();
        }
      });
      rl.prompt();
    };

    /** Runs one monitor line; resolves with what to do next when the terminal leaves the monitor. */
    const command = async (line: string, signal: AbortSignal): Promise<Next | undefined> => {
      let cmd: MonitorCommand | { kind: 'empty' };
      try {
        cmd = parseMonitorLine(
          line,
          session.services.map((s) => s.name),
        );
      } catch (e) {
        if (e instanceof MonitorUsageError) output.write(`${options.describeError(e)}\r\n`);
        else throw e;
        return undefined;
      }
      const lines = (text: string): void => void output.write(`${text.trimEnd().replaceAll('\n', '\r\n')}\r\n`);
      const server = async (args: string[]): Promise<string | undefined> => {
        let attachTo: string | undefined;
        await client.command(
          { session: session.id, args, size: size(), attached: currentInfo?.id ?? '' },
          ({ msg }) => {
            if (msg?.$case === 'text') lines(msg.value);
            else if (msg?.$case === 'data') output.write(msg.value);
            else if (msg?.$case === 'attach') attachTo = msg.value;
            else if (msg?.$case === 'processes') lines(formatProcessTable(msg.value.processes.map(processRow), Date.now()));
            else if (msg?.$case === 'sessions') lines(formatSessionTable(msg.value.sessions.map(sessionRow)));
          },
          signal,
        );
        return attachTo;
      };
      try {
        switch (cmd.kind) {
          case 'empty':
            return undefined;
          case 'help':
            output.write(`${MONITOR_HELP.replaceAll('\n', '\r\n')}\r\n`);
            return undefined;
          case 'ps':
          case 'sessions':
            await server([cmd.kind]);
            return undefined;
          case 'attach':
            return (typed) => attach(cmd.target, typed);
          case 'exec': {
            const id = await server(['exec', cmd.service ?? (currentInfo?.service || session.interactive), ...cmd.command]);
            return id ? (typed) => attach(id, typed) : undefined;
          }
          case 'logs':
            await server(['logs', cmd.service, ...(cmd.follow ? ['-f'] : [])]);
            output.write('\r\n');
            return undefined;
          case 'restart':
          case 'start':
          case 'stop-service':
            await server([cmd.kind === 'stop-service' ? 'stop' : cmd.kind, cmd.service]);
            return undefined;
          case 'rollback':
            await server(['rollback', cmd.service ?? (currentInfo?.service || session.interactive)]);
            return undefined;
          case 'rebuild': {
            await server(['rebuild', ...options.rebuildFlags, '--', ...cmd.targets]);
            // Ctrl-C stops the watching, not the build: the server finishes it whoever watches.
            if (signal.aborted) {
              output.write(`bake: the rebuild goes on in the server; ps shows the services once it is done.\r\n`);
              return undefined;
            }
            session = (await client.list(session.engine)).sessions.find((s) => s.id === session.id) ?? session;
            output.write(`bake: session ${session.id} is up to date.\r\n`);
            return undefined;
          }
          case 'switch': {
            const found = (await client.list(session.engine)).sessions.find((s) => s.id === cmd.session);
            if (!found) throw new MonitorUsageError(`no session ${cmd.session}; sessions lists them`);
            session = found;
            currentInfo = undefined;
            return (typed) => enter('', typed);
          }
          case 'detach':
            return () => {
              say(`bake: detached from session ${session.id}; it keeps running. Come back with: bake dev attach ${session.id}`);
              finish();
            };
          case 'stop':
            await client.stop(session.id, false);
            return () => {
              say(`bake: session ${session.id} stopped; its containers and network are removed, named volumes kept.`);
              finish();
            };
        }
      } catch (e) {
        // A failed command keeps the session and the monitor: it is said, not thrown.
        output.write(`${options.describeError(e).replaceAll('\n', '\r\n')}\r\n`);
        return undefined;
      }
    };

    const onData = (chunk: Buffer): void => {
      for (const event of scanner.feed(chunk)) {
        if (event.kind === 'command') {
          if (event.key === 'd') {
            say(`bake: detached from session ${session.id}; it keeps running. Come back with: bake dev attach ${session.id}`);
            return finish();
          }
          if (event.key === 'c') {
            if (mode.kind !== 'monitor') monitor('');
            else if (currentInfo) attach(currentInfo.id);
            else {
              // Its process exited: going "back" would land in whatever runs first (a database, say), where a Ctrl-C does harm.
              output.write('\r\nbake: nothing to go back to; attach ID|SERVICE, or exec a new process.\r\n');
              mode.rl.prompt(true);
            }
          }
          continue;
        }
        if (mode.kind === 'attached') mode.call.write({ msg: { $case: 'input', value: Buffer.from(event.data) } });
        else if (mode.kind === 'monitor') {
          const keys = withoutTerminalReplies(event.data);
          if (mode.running && keys.includes(3)) mode.running.abort();
          else if (mode.running) mode.typed.push(Buffer.from(keys));
          else mode.feed.write(keys);
        }
      }
    };
    const onResize = (): void => {
      if (mode.kind === 'attached') mode.call.write({ msg: { $case: 'resize', value: size() } });
    };
    const onTerm = (): void => finish();

    if (input.isTTY) input.setRawMode(true);
    input.on('data', onData);
    input.resume();
    output.on('resize', onResize);
    process.once('SIGTERM', onTerm);
    process.once('SIGHUP', onTerm);
    enter('', options.typeahead);
  });
}

function describe(p: ProcessInfo): string {
  return `${p.id} (${p.command.join(' ')})`;
}

function processRow(p: ProcessInfo) {
  return {
    id: p.id,
    service: p.service,
    command: p.command,
    state: p.state as 'running' | 'exited' | 'lost',
    ...(p.exited ? { exitCode: p.exit_code } : {}),
    startedAt: p.started_at_ms,
    ...(p.attached_by ? { attachedBy: p.attached_by } : {}),
  };
}

export function sessionRow(s: SessionInfo) {
  return {
    id: s.id,
    files: s.files,
    engine: s.engine,
    services: s.services.map((x) => ({ name: x.name, state: x.state, ...(x.container ? { container: x.container } : {}) })),
    processes: s.processes.map((p) => ({ id: p.id, service: p.service, command: p.command, state: p.state })),
    clients: s.clients,
  };
}
