/** A host service's process (`runs_on = "host"`), in a PTY of its own. */
import type { IPty } from 'node-pty';
import type { TerminalSize } from '../../docker/types.js';
import { DevProcessError } from './errors.js';
import { createOutputRecord } from './output-record.js';
import { ProcessBase, waitAtMost, type ProcessIdentity } from './process-base.js';
import type { DevProcess, OutputRecord } from './process.js';

export interface HostProcessOptions {
  readonly id: string;
  readonly service: string;
  readonly command: readonly string[];
  readonly cwd: string;
  /** Its whole environment (nothing of the server's is added). */
  readonly env: Readonly<Record<string, string>>;
  readonly size: TerminalSize;
}

/** How long `kill` waits after SIGTERM before it sends SIGKILL. */
const TERM_GRACE_MS = 5_000;

/** A host process: its pid too, so a later server can end it should this one die. */
export type HostDevProcess = DevProcess & { readonly pid: number };

/** Starts `command` in a new PTY of `size`. node-pty is loaded on first use. */
export async function startHostProcess(options: HostProcessOptions): Promise<HostDevProcess> {
  const [{ spawn }, output] = await Promise.all([import('node-pty'), createOutputRecord(options.size)]);
  const [file, ...args] = options.command;
  let pty: IPty;
  try {
    if (file === undefined) throw new Error('the command is empty');
    pty = spawn(file, args, {
      name: options.env['TERM'] ?? 'xterm-256color',
      cols: Math.max(1, options.size.columns),
      rows: Math.max(1, options.size.rows),
      cwd: options.cwd,
      env: { ...options.env },
      // Raw bytes, as the terminal gets them: decoding here would mangle what is not UTF-8.
      encoding: null,
    });
  } catch (e) {
    output.dispose();
    throw new DevProcessError(
      `cannot start host service ${options.service} (${options.command.join(' ')}) in ${options.cwd}: ${(e as Error).message}`,
      "Check the service's command and workdir.",
    );
  }
  return new HostProcess(pty, { ...options, startedAt: Date.now() }, output);
}

class HostProcess extends ProcessBase implements HostDevProcess {
  readonly pid: number;

  constructor(
    private readonly pty: IPty,
    identity: ProcessIdentity,
    output: OutputRecord,
  ) {
    super('host', identity, output);
    this.pid = pty.pid;
    // With `encoding: null` node-pty hands over Buffers, whatever its typings say.
    pty.onData((data: string | Buffer) => this.output.append(typeof data === 'string' ? Buffer.from(data) : data));
    pty.onExit(({ exitCode, signal }) => this.finish(signal ? 128 + signal : exitCode));
  }

  write(data: Uint8Array): void {
    if (this.state === 'running') this.pty.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  resize(size: TerminalSize): void {
    this.output.resize(size);
    if (this.state === 'running') this.pty.resize(Math.max(1, size.columns), Math.max(1, size.rows));
  }

  /** SIGTERM to its process group, SIGKILL after 5 s; resolves once it has exited. */
  async kill(): Promise<void> {
    if (this.state !== 'running') return;
    this.signalGroup('SIGTERM');
    await waitAtMost(this.exited, TERM_GRACE_MS);
    if (this.state === 'running') this.signalGroup('SIGKILL');
    await this.exited;
  }

  /**
   * The PTY's child leads a session and a process group of its own: the
   * group is everything it started in the foreground. Just after the spawn
   * the group may not exist yet; the child itself is signalled then.
   */
  private signalGroup(signal: NodeJS.Signals): void {
    for (const target of [-this.pty.pid, this.pty.pid]) {
      try {
        process.kill(target, signal);
        return;
      } catch {
        // No such group (yet), or the process is gone already.
      }
    }
  }
}
