/**
 * A process exec'd in a service container with a TTY (`exec` in the
 * monitor), and the ending of execs, which the Engine API cannot do itself.
 */
import type { DockerEngine } from '../../docker/engine-api.js';
import type { HijackedStream } from '../../docker/hijacked.js';
import type { TerminalSize } from '../../docker/types.js';
import { isNotFound } from '../../docker/errors.js';
import { endExec, untilExecEnds } from './exec-kill.js';
import { createOutputRecord } from './output-record.js';
import { delay, EngineTtyProcess } from './process-base.js';
import type { DevProcess, OutputRecord } from './process.js';

export interface ExecProcessOptions {
  /** The session's number for it ("1", "2", …). */
  readonly id: string;
  readonly service: string;
  readonly command: readonly string[];
  readonly size: TerminalSize;
  /** Added to the container's environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly workdir?: string;
  readonly user?: string;
}

/** Starts `command` in the (running) container with a TTY of `size`. */
export async function startExecProcess(engine: DockerEngine, containerId: string, options: ExecProcessOptions): Promise<DevProcess> {
  const output = await createOutputRecord(options.size);
  const process = new ExecProcess(engine, containerId, { ...options, startedAt: Date.now() }, output);
  try {
    await process.start(options);
  } catch (e) {
    process.abandon();
    output.dispose();
    throw e;
  }
  return process;
}

/** Resize attempts right after start: the exec's TTY may not exist yet (the docker CLI retries the same way). */
const RESIZE_ATTEMPTS = 10;

class ExecProcess extends EngineTtyProcess {
  private execId = '';

  constructor(
    private readonly engine: DockerEngine,
    private readonly containerId: string,
    identity: ExecProcessOptions & { readonly startedAt: number },
    output: OutputRecord,
  ) {
    super('exec', identity, output, identity.size);
  }

  async start(options: ExecProcessOptions): Promise<void> {
    const signal = this.abort.signal;
    const size = this.size;
    this.execId = await this.engine.execs.create(
      this.containerId,
      {
        Cmd: options.command,
        Tty: true,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        ConsoleSize: [size.rows, size.columns],
        ...(options.env && { Env: Object.entries(options.env).map(([k, v]) => `${k}=${v}`) }),
        ...(options.workdir !== undefined && { WorkingDir: options.workdir }),
        ...(options.user !== undefined && { User: options.user }),
      },
      signal,
    );
    const stream = await this.engine.execs.start(this.execId, true, signal);
    this.stream = stream;
    stream.socket.on('error', () => undefined); // a broken connection ends the output loop; the exec's state tells what happened
    void this.pump(stream).then(() => this.readExit());
    void this.resizeOnStart();
  }

  protected resizeTty(size: TerminalSize): Promise<void> {
    return this.engine.execs.resize(this.execId, size, this.abort.signal);
  }

  /** Kills the exec'd process (SIGKILL) and resolves once it has exited. */
  async kill(): Promise<void> {
    if (this.state !== 'running') return;
    try {
      await endExec(this.engine, this.containerId, this.execId, this.abort.signal);
    } catch (e) {
      if (this.state === 'running') throw e;
    }
    // Its children may still hold the TTY open; the process is gone, so the connection can go too.
    this.stream?.close();
    await this.exited;
  }

  /** Gives up on a process that never got started. */
  abandon(): void {
    this.lose();
  }

  private async pump(stream: HijackedStream): Promise<void> {
    try {
      for await (const frame of stream.frames()) this.output.append(frame.data);
    } catch {
      // The connection broke: the exec's state says whether the process ended or the engine went away.
    }
  }

  /** The output ended: the exit code once the engine has it, or lost when the engine cannot tell. */
  private async readExit(): Promise<void> {
    try {
      const exec = await untilExecEnds(this.engine, this.execId, this.abort.signal);
      if (exec.ExitCode === null) this.lose();
      else this.finish(exec.ExitCode);
    } catch {
      this.lose();
    }
  }

  /** The engine ignores ConsoleSize before API 1.42, so the size is also set once the exec runs. */
  private async resizeOnStart(): Promise<void> {
    for (let attempt = 1; attempt <= RESIZE_ATTEMPTS && this.state === 'running'; attempt++) {
      try {
        await this.engine.execs.resize(this.execId, this.size, this.abort.signal);
        return;
      } catch {
        await delay(10 * attempt);
      }
    }
  }
}

/**
 * For a restarted server: ends every interactive exec (a TTY and stdin, as
 * bake starts them) still running in the container, since nobody holds
 * their terminals any more; returns their ids, to be reported as lost.
 * Health probes and detached execs are left alone.
 */
export async function endOrphanExecs(engine: DockerEngine, containerId: string, signal: AbortSignal): Promise<{ ended: string[]; failed: string[] }> {
  const ended: string[] = [];
  const failed: string[] = [];
  for (const id of (await engine.containers.inspect(containerId, signal)).ExecIDs ?? []) {
    const exec = await engine.execs.inspect(id, signal).catch((e: unknown) => {
      if (isNotFound(e)) return undefined; // cleaned up meanwhile
      throw e;
    });
    if (!exec?.Running || !exec.ProcessConfig.tty || !exec.OpenStdin) continue;
    try {
      await endExec(engine, containerId, id, signal);
      ended.push(id);
    } catch {
      failed.push(id);
    }
  }
  return { ended, failed };
}
