/**
 * The user's terminal during `bake dev` (product.md §4): raw mode, keys and
 * resizes to the attached process, its output back; the prefix key opens
 * the monitor, detaches, or sends itself. The monitor's prompt is
 * monitor-prompt.ts; its commands run where monitor/registry.ts says,
 * through monitor-commands.ts.
 */
import { status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import type { AttachOut, ProcessInfo, SessionEvent, SessionInfo } from '../protocol/generated/messages.js';
import { describePrefixKey, PrefixScanner } from './prefix-key.js';
import { parseMonitorLine } from '../monitor/parse.js';
import type { AttachChannel } from './attach-channel.js';
import type { DevClient } from './connection.js';
import { isServerGone, type ServerError } from './server-error.js';
import { runMonitorCommand, type MonitorContext, type Next } from './monitor-commands.js';
import { closeMonitorPrompt, openMonitorPrompt, typeIntoPrompt, type MonitorPrompt } from './monitor-prompt.js';
import { runAgainHint } from '../monitor/run-again.js';
import { describeProcess } from './rows.js';

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
  /** The process the terminal goes to first (an id or a service); undefined: the session's default. */
  readonly process?: string | undefined;
  /** Print the start hint (`bake dev`), not on re-attach. */
  readonly hint: boolean;
  /** This client's build flags as words (`--set S`, `--var NAME=VALUE` …): a `rebuild` it asks for builds with them. */
  readonly rebuildFlags: readonly string[];
  /** How an error of a monitor command reads: a bake file's with its code frame, a user error with its fix. */
  readonly describeError: (e: unknown) => string;
  /** A client of the next server (started when none runs): the terminal goes on through it when its server goes away. */
  readonly reconnect: () => Promise<DevClient>;
}

type Mode =
  | { kind: 'attached'; call: AttachChannel; process: ProcessInfo | undefined }
  | MonitorPrompt
  // Another terminal took the process: keys go nowhere (they were typed for the process) until the prefix key says where.
  | { kind: 'displaced' }
  // The server went away: keys wait for wherever the terminal goes once a new server answers.
  | { kind: 'reconnecting'; typed: Buffer[] }
  | { kind: 'done' };

/** Runs until the user detaches or stops the session. */
export function runTerminal(options: TerminalOptions): Promise<void> {
  return new Promise((resolve) => {
    const { input, output } = options;
    const scanner = new PrefixScanner(options.prefix);
    const prefixName = describePrefixKey(options.prefix);
    let mode: Mode = { kind: 'done' };
    let hinted = !options.hint;
    /** Who holds the process this terminal showed, since it took it over: the monitor says so. */
    let heldBy: string | undefined;
    /** The session's end, told while a monitor command ran: said when the command is done. */
    let endedWhy: string | undefined;
    let following: ClientReadableStream<SessionEvent> | undefined;
    const say = (line: string): void => void output.write(`\r\n${line}\r\n`);
    const size = (): { columns: number; rows: number } => ({ columns: output.columns || 80, rows: output.rows || 24 });
    const ctx: MonitorContext = {
      client: options.client,
      output,
      session: options.session,
      // The process this terminal shows, or last showed: leaving the monitor goes back to it.
      current: undefined,
      rebuildFlags: options.rebuildFlags,
      size,
      attach: (ref, typed, fresh) => attach(ref, typed, fresh === true || !hinted),
      enter: (ref, typed) => enter(ref, typed),
      finish: (line) => {
        say(line);
        finish();
      },
      follow: () => follow(),
    };

    const finish = (): void => {
      leave();
      mode = { kind: 'done' };
      following?.cancel();
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
      } else if (mode.kind === 'monitor') {
        closeMonitorPrompt(mode);
        mode = { kind: 'done' };
      }
    };

    /** A line said whatever the terminal shows: above the monitor's prompt, which is drawn again under it. */
    const notice = (line: string): void => {
      if (mode.kind === 'done') return;
      if (mode.kind !== 'monitor' || mode.running) return say(line);
      output.write(`\r\x1b[K${line}\r\n`);
      mode.rl.prompt(true);
    };

    const sessionEnded = (why: string): void => {
      if (mode.kind === 'done') return;
      // A command running (the user's own `stop`, a `logs -f`) ends first, and says what it did.
      if (mode.kind === 'monitor' && mode.running) return void (endedWhy = why);
      say(`bake: ${why}.`);
      finish();
    };

    /** Follows the terminal's session (Follow): its end, and its engine going away and coming back, are said whatever the terminal shows. */
    const follow = (): void => {
      following?.cancel();
      const id = ctx.session.id;
      const call = ctx.client.follow(id, options.clientId);
      following = call;
      let over = false;
      call.on('data', ({ event }: SessionEvent) => {
        if (following !== call) return;
        if (event?.$case === 'session_ended') {
          over = true;
          sessionEnded(event.value);
        } else if (event?.$case === 'engine_unreachable')
          notice(`bake: the engine of session ${id} does not answer (${event.value}); bake says when it answers again.`);
        else if (event?.$case === 'engine_back') notice(`bake: the engine of session ${id} answers again.`);
        else if (event?.$case === 'watch_failed') notice(`bake: watch: ${event.value.replaceAll('\n', '\r\n')}`);
      });
      call.on('error', (e: ServiceError) => {
        if (following !== call || over || e.code === status.CANCELLED) return;
        over = true;
        // A server older than Follow tells nothing; one that lost the session says so.
        if (e.code === status.UNIMPLEMENTED) return;
        if (e.code === status.NOT_FOUND) return sessionEnded(`session ${id} is gone`);
        serverGone();
      });
      call.on('end', () => {
        if (following === call && !over) serverGone();
      });
    };

    /** The server went away (crashed, killed): start or find the next one, which recovers the session from the engine, and go on where the terminal was. */
    const serverGone = (): void => {
      if (mode.kind === 'done' || mode.kind === 'reconnecting') return;
      const back = mode.kind === 'attached' ? ctx.current?.id : undefined;
      // Keys a displaced terminal gets were typed for a process it no longer shows: they stay nowhere's after the reconnect too.
      const displaced = mode.kind === 'displaced';
      leave();
      following = undefined;
      const waiting: Mode = { kind: 'reconnecting', typed: [] };
      mode = waiting;
      const id = ctx.session.id;
      say(`bake: the bake server went away; reconnecting to session ${id} through a new one…`);
      void (async () => {
        const gone = ctx.client;
        ctx.client = await options.reconnect();
        gone.close();
        const found = (await ctx.client.list(ctx.session.engine)).sessions.find((s) => s.id === id);
        if (mode !== waiting) return;
        if (!found) {
          say(`bake: session ${id} is gone: the new bake server did not find it in the engine.`);
          finish();
          return;
        }
        ctx.session = found;
        follow();
        output.write(`bake: reconnected: bake server pid ${ctx.client.hello.pid} took session ${id} over from the engine.\r\n`);
        // What the terminal last showed, if it outlived the server (a service's main process does; an exec'd one does not).
        ctx.current = found.processes.find((p) => p.id === ctx.current?.id && p.state === 'running');
        if (back !== undefined && ctx.current) {
          // Under the notice, which a redraw would wipe before it is read.
          attach(ctx.current.id, waiting.typed, true);
          return;
        }
        if (displaced) {
          mode = { kind: 'displaced' };
          return;
        }
        // Keys typed in the monitor wait for it; those typed for a process that is gone go nowhere.
        if (back === undefined) monitor('', true, waiting.typed);
        else monitor(`bake: process ${back} did not outlive the server; ps lists what runs.`);
      })().catch((e: unknown) => {
        if (mode !== waiting) return;
        say(options.describeError(e));
        finish();
      });
    };

    /** Switches the terminal to process `ref`; `below`: its screen is drawn under what the terminal shows (the first attach, a reconnect's notice, a process a command started), else it replaces it. */
    const attach = (ref: string, typeahead: readonly Buffer[] = [], below = !hinted): void => {
      // An attach the monitor asked for that fails says why under the same prompt, without the monitor's banner again.
      const fromMonitor = mode.kind === 'monitor';
      leave();
      heldBy = undefined;
      const call = ctx.client.attach();
      const attached: Mode = { kind: 'attached', call, process: undefined };
      mode = attached;
      call.write({
        msg: {
          $case: 'open',
          value: { session: ctx.session.id, process: ref, size: size(), client: options.description, client_id: options.clientId, below },
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
          ctx.current = process;
          if (!hinted) {
            hinted = true;
            output.write(`bake: attached to ${describeProcess(process)} in session ${ctx.session.id}. ${prefixName} c: monitor, ${prefixName} d: detach.\r\n`);
          }
          output.write(screen);
        } else if (msg?.$case === 'output') output.write(msg.value);
        else if (msg?.$case === 'exited') {
          // Nothing to go back to: leaving the monitor then goes to the session's default process.
          ctx.current = undefined;
          ended(`bake: ${describeProcess(msg.value)} exited with code ${msg.value.exit_code}; ${runAgainHint(msg.value)}.`);
        } else if (msg?.$case === 'taken_over') {
          // The keys typed from now on were meant for the process: they go nowhere until the user says where.
          mode = { kind: 'displaced' };
          heldBy = msg.value;
          // Taken before its screen came (many terminals attaching at once), it has only the name it asked for.
          const what = attached.process ? describeProcess(attached.process) : ref || "the session's first process";
          say(
            `bake: another terminal (${msg.value}) took over ${what} in session ${ctx.session.id}. Keys typed here go nowhere now: ${prefixName} c opens the monitor, ${prefixName} d detaches.`,
          );
        } else if (msg?.$case === 'session_ended') sessionEnded(msg.value);
      });
      call.on('error', (e: ServerError) => (isServerGone(e) && mode === attached ? serverGone() : ended(options.describeError(e))));
      call.on('end', () => ended(`bake: the server ended the attach to ${ref || 'the session'}.`));
    };

    /** Where the terminal goes when it names no process: the interactive service's shell, else (there is none) the monitor. */
    const enter = (ref: string, typed: readonly Buffer[]): void => {
      if (ref || ctx.session.interactive) return attach(ref, typed);
      monitor('', true, typed);
    };

    /** Opens the monitor under `intro` (with its banner, else the intro alone), `typed` going to its prompt. */
    const monitor = (intro: string, banner = true, typed: readonly Buffer[] = []): void => {
      leave();
      if (!banner) output.write(`${intro}\r\n`);
      else {
        if (intro) say(intro);
        const where = !ctx.current
          ? `attached to nothing. ${prefixName} c returns`
          : heldBy
            ? `${describeProcess(ctx.current)} is another terminal's now (${heldBy}). ${prefixName} c takes it back`
            : `attached to ${describeProcess(ctx.current)}. ${prefixName} c returns`;
        output.write(`\r\nbake monitor: session ${ctx.session.id}, ${where}; help lists commands.\r\n`);
      }
      const prompt = openMonitorPrompt(output, command, (open) => mode === open);
      mode = prompt;
      for (const keys of typed) prompt.feed.write(keys);
    };

    /** Runs one monitor line; resolves with what to do next when the terminal leaves the monitor. */
    const command = async (line: string, signal: AbortSignal): Promise<Next | undefined> => {
      let next: Next | undefined;
      let kind = '';
      try {
        const cmd = parseMonitorLine(
          line,
          ctx.session.services.map((s) => s.name),
        );
        kind = cmd.kind;
        next = cmd.kind === 'empty' ? undefined : await runMonitorCommand(ctx, cmd, signal);
      } catch (e) {
        // A failed command keeps the session and the monitor: it is said, not thrown.
        output.write(`${options.describeError(e).replaceAll('\n', '\r\n')}\r\n`);
      }
      // The session ended while the command ran: the user's own stop says so itself, anything else is said here.
      const why = endedWhy;
      if (why === undefined || kind === 'stop') return next;
      return () => ctx.finish(`bake: ${why}.`);
    };

    const onData = (chunk: Buffer): void => {
      for (const event of scanner.feed(chunk)) {
        if (event.kind === 'command') {
          if (event.key === 'd') {
            say(`bake: detached from session ${ctx.session.id}; it keeps running. Come back with: bake dev attach ${ctx.session.id}`);
            return finish();
          }
          if (event.key === 'c') {
            if (mode.kind === 'attached' || mode.kind === 'displaced') monitor('');
            // Reconnecting: where the terminal goes is decided when the new server answers.
            else if (mode.kind !== 'monitor') continue;
            else if (ctx.current) attach(ctx.current.id);
            else {
              // Its process exited: going "back" would land in whatever runs first (a database, say), where a Ctrl-C does harm.
              output.write('\r\nbake: nothing to go back to; attach ID|SERVICE, or exec a new process.\r\n');
              mode.rl.prompt(true);
            }
          }
          continue;
        }
        if (mode.kind === 'attached') mode.call.write({ msg: { $case: 'input', value: Buffer.from(event.data) } });
        else if (mode.kind === 'monitor') typeIntoPrompt(mode, event.data);
        else if (mode.kind === 'reconnecting') mode.typed.push(Buffer.from(event.data));
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
    follow();
    enter(options.process ?? '', options.typeahead);
  });
}
