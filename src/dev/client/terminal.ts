/**
 * The user's terminal during `bake dev` (product.md §4): raw mode, keys and
 * resizes to the attached process, its output back; the prefix key opens
 * the monitor, detaches, or sends itself. The monitor's prompt is
 * monitor-prompt.ts; its commands run where monitor/registry.ts says,
 * through monitor-commands.ts.
 */
import type { ClientDuplexStream, ServiceError } from '@grpc/grpc-js';
import type { AttachIn, AttachOut, ProcessInfo, SessionInfo } from '../protocol/generated/dev.js';
import { describePrefixKey, PrefixScanner } from './prefix-key.js';
import { parseMonitorLine } from '../monitor/parse.js';
import { serverError, type DevClient } from './connection.js';
import { runMonitorCommand, type MonitorContext, type Next } from './monitor-commands.js';
import { closeMonitorPrompt, openMonitorPrompt, typeIntoPrompt, type MonitorPrompt } from './monitor-prompt.js';
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
}

type Mode = { kind: 'attached'; call: ClientDuplexStream<AttachIn, AttachOut>; process: ProcessInfo | undefined } | MonitorPrompt | { kind: 'done' };

/** Runs until the user detaches or stops the session. */
export function runTerminal(options: TerminalOptions): Promise<void> {
  return new Promise((resolve) => {
    const { client, input, output } = options;
    const scanner = new PrefixScanner(options.prefix);
    const prefixName = describePrefixKey(options.prefix);
    let mode: Mode = { kind: 'done' };
    let hinted = !options.hint;
    const say = (line: string): void => void output.write(`\r\n${line}\r\n`);
    const size = (): { columns: number; rows: number } => ({ columns: output.columns || 80, rows: output.rows || 24 });
    const ctx: MonitorContext = {
      client,
      output,
      session: options.session,
      // The process this terminal shows, or last showed: leaving the monitor goes back to it.
      current: undefined,
      rebuildFlags: options.rebuildFlags,
      size,
      attach: (ref, typed) => attach(ref, typed),
      enter: (ref, typed) => enter(ref, typed),
      finish: (line) => {
        say(line);
        finish();
      },
    };

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
        closeMonitorPrompt(mode);
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
          value: { session: ctx.session.id, process: ref, size: size(), client: options.description, client_id: options.clientId, below: !hinted },
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
          ended(`bake: ${describeProcess(msg.value)} exited with code ${msg.value.exit_code}.`);
        } else if (msg?.$case === 'taken_over')
          ended(`bake: another terminal took over session ${ctx.session.id} (${msg.value}); attach here to take it back.`);
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
      if (ref || ctx.session.interactive) return attach(ref, typed);
      monitor('');
      if (mode.kind === 'monitor') for (const keys of typed) mode.feed.write(keys);
    };

    const monitor = (intro: string, banner = true): void => {
      leave();
      if (!banner) output.write(`${intro}\r\n`);
      else {
        if (intro) say(intro);
        const what = ctx.current ? describeProcess(ctx.current) : 'nothing';
        output.write(`\r\nbake monitor: session ${ctx.session.id}, attached to ${what}. ${prefixName} c returns; help lists commands.\r\n`);
      }
      mode = openMonitorPrompt(output, command, (prompt) => mode === prompt);
    };

    /** Runs one monitor line; resolves with what to do next when the terminal leaves the monitor. */
    const command = async (line: string, signal: AbortSignal): Promise<Next | undefined> => {
      try {
        const cmd = parseMonitorLine(
          line,
          ctx.session.services.map((s) => s.name),
        );
        return cmd.kind === 'empty' ? undefined : await runMonitorCommand(ctx, cmd, signal);
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
            say(`bake: detached from session ${ctx.session.id}; it keeps running. Come back with: bake dev attach ${ctx.session.id}`);
            return finish();
          }
          if (event.key === 'c') {
            if (mode.kind !== 'monitor') monitor('');
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
    enter(options.process ?? '', options.typeahead);
  });
}
