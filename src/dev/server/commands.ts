/**
 * The monitor commands that run in the server (product.md §4): ps, exec,
 * logs, restart|stop|start SERVICE, rollback, rebuild, sessions. The client parses
 * the line and handles the rest (attach, switch, detach, help, and
 * `stop` without a service, which ends the session through the Stop call);
 * what reaches here is a command name and its words.
 */
import { SessionCommandError, type DevSession } from './session.js';
import type { SessionRegistry } from './registry.js';
import type { CommandOut } from '../protocol/generated/dev.js';

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

export async function runCommand(ctx: CommandContext): Promise<void> {
  const [name = '', ...words] = ctx.args;
  const { session, write } = ctx;
  const serviceArg = (): string => {
    const service = words[0] ?? session.find(ctx.attached)?.service ?? session.interactive;
    if (!service) throw new SessionCommandError(`${name} needs a service name; ps lists them`);
    return service;
  };
  switch (name) {
    case 'ps':
      write({ msg: { $case: 'processes', value: { processes: [...session.processes.values()].map((p) => session.processInfo(p)) } } });
      return;
    case 'sessions':
      write({ msg: { $case: 'sessions', value: { sessions: ctx.registry.all().map((s) => s.info()) } } });
      return;
    case 'exec': {
      const [service, ...command] = words;
      if (!service || !command.length) throw new SessionCommandError('exec needs a service and a command, e.g. exec dev sh');
      const process = await session.exec(service, command);
      write({ msg: { $case: 'attach', value: process.id } });
      return;
    }
    case 'logs':
      return logs(ctx, serviceArg(), words.includes('-f') || words.includes('--follow'));
    case 'restart':
    case 'stop':
    case 'start': {
      const service = serviceArg();
      // A main process that ignores SIGTERM (a shell) holds a stop for the engine's whole grace period: say so first.
      if (name !== 'start')
        write({ msg: { $case: 'text', value: `${service}: stopping (SIGTERM, then SIGKILL after the engine's stop timeout, 10 s by default)…` } });
      await session.lifecycle(name, service);
      write({ msg: { $case: 'text', value: `${service}: ${name === 'stop' ? 'stopped' : name === 'start' ? 'started' : 'restarted'}` } });
      return;
    }
    case 'rollback': {
      const service = serviceArg();
      await session.rollback(service, (line) => write({ msg: { $case: 'text', value: line } }));
      write({ msg: { $case: 'text', value: `${service}: recreated from its image; changes made inside it are gone` } });
      return;
    }
    case 'rebuild': {
      // Loaded on the first rebuild: the build machinery (BuildKit's client, the bake language) stays out of the server's start.
      const { parseRebuild, rebuild } = await import('./rebuild.js');
      return rebuild(session, parseRebuild(words), (line) => write({ msg: { $case: 'text', value: line } }));
    }
    default:
      throw new SessionCommandError(`the server has no monitor command "${name}"`);
  }
}

/** What the service printed so far, then (with -f) what it prints until the client stops or the process ends. */
async function logs(ctx: CommandContext, service: string, follow: boolean): Promise<void> {
  const process = ctx.session.find(service);
  if (!process) throw new SessionCommandError(`session ${ctx.session.id} has no service or process "${service}"; ps lists them`);
  ctx.write({ msg: { $case: 'data', value: process.output.history() } });
  if (!follow || process.state !== 'running') return;
  await new Promise<void>((resolve) => {
    const unsubscribe = process.output.subscribe((chunk) => ctx.write({ msg: { $case: 'data', value: Buffer.from(chunk) } }));
    const done = (): void => {
      unsubscribe();
      resolve();
    };
    ctx.signal.addEventListener('abort', done, { once: true });
    void process.exited.then(done);
  });
}
