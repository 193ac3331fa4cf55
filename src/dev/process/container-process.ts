/**
 * The main process of a service container (run with `Tty: true,
 * OpenStdin: true`), reached through a hijacked attach: keys go to its
 * stdin, its terminal output to the OutputRecord, and the engine's wait
 * says when and how it ended.
 */
import type { DockerEngine } from '../../docker/engine-api.js';
import { EngineApiError } from '../../docker/errors.js';
import type { HijackedStream } from '../../docker/hijacked.js';
import type { EngineEvent, TerminalSize } from '../../docker/types.js';
import { createOutputRecord } from './output-record.js';
import { EngineTtyProcess, waitAtMost } from './process-base.js';
import type { DevProcess, OutputRecord } from './process.js';

export interface ContainerProcessOptions {
  readonly service: string;
  /** What the container runs (its entrypoint and command), for `ps`. */
  readonly command: readonly string[];
  readonly startedAt: number;
  readonly size: TerminalSize;
  /**
   * The container is already running and nobody recorded its output (a
   * restarted server): what it printed so far is replayed from its logs first.
   */
  readonly recovering: boolean;
}

/** How long the exit waits for output still in flight once the engine says the container stopped. */
const OUTPUT_GRACE_MS = 2_000;

/**
 * Attaches to a service container's main process. Call it between create and
 * start (nothing it prints is lost; the terminal gets `size` once it starts),
 * or with `recovering` for a container that already runs.
 */
export async function attachContainerProcess(engine: DockerEngine, containerId: string, options: ContainerProcessOptions): Promise<DevProcess> {
  const output = await createOutputRecord(options.size);
  const process = new ContainerProcess(engine, containerId, options, output);
  try {
    await process.connect(options.recovering);
  } catch (e) {
    process.abandon();
    output.dispose();
    throw e;
  }
  return process;
}

class ContainerProcess extends EngineTtyProcess {
  constructor(
    private readonly engine: DockerEngine,
    private readonly containerId: string,
    options: ContainerProcessOptions,
    output: OutputRecord,
  ) {
    super('service', { id: options.service, ...options }, output, options.size);
  }

  async connect(recovering: boolean): Promise<void> {
    const containers = this.engine.containers;
    const signal = this.abort.signal;
    if (recovering) {
      await this.replayLogs();
      // The engine lets one attach to a stopped container, but that stream never ends: it simply exited.
      const { State } = await containers.inspect(this.containerId, signal);
      if (!State.Running) {
        this.finish(State.ExitCode);
        return;
      }
    }
    // Subscribed before returning, so the caller's start is seen.
    const started = recovering ? undefined : await this.engine.events({ type: ['container'], container: [this.containerId], event: ['start'] }, signal);
    // Registered before the attach (and so before any start): a quick exit is not missed.
    const { exit } = await containers.watchExit(this.containerId, recovering ? 'not-running' : 'next-exit', signal);
    // Handled at once: the wait fails when the engine goes away, whenever that is. undefined: it failed.
    const exitCode = exit.then(
      (result) => result.StatusCode,
      () => undefined,
    );
    const stream = await containers.attach(this.containerId, { tty: true, stdin: true, stdout: true, stderr: true }, signal);
    this.stream = stream;
    stream.socket.on('error', () => undefined); // a broken connection ends the output loop; the wait tells what happened
    const drained = this.pump(stream);
    void exitCode.then(async (code) => {
      if (code === undefined) return this.lose();
      await waitAtMost(drained, OUTPUT_GRACE_MS);
      this.finish(code);
    });
    if (started) void this.resizeOnStart(started);
    else this.resize(this.size);
  }

  protected resizeTty(size: TerminalSize): Promise<void> {
    return this.engine.containers.resize(this.containerId, size, this.abort.signal);
  }

  /** Stops the container (SIGTERM, then SIGKILL after its stop timeout) and resolves once it has exited. */
  async kill(): Promise<void> {
    if (this.state !== 'running') return;
    try {
      await this.engine.containers.stop(this.containerId, undefined, this.abort.signal);
    } catch (e) {
      // 304: it had already stopped; 404: it is gone. Either way the wait ends the process.
      const settled = e instanceof EngineApiError && (e.status === 304 || e.status === 404);
      if (this.state === 'running' && !settled) throw e;
    }
    await this.exited;
  }

  /** Gives up on a process that never got connected. */
  abandon(): void {
    this.lose();
  }

  /** What the container printed before anyone recorded it: its logs are its raw terminal stream. */
  private async replayLogs(): Promise<void> {
    try {
      for await (const frame of this.engine.containers.logs(this.containerId, { tty: true }, this.abort.signal)) this.output.append(frame.data);
    } catch (e) {
      // A logging driver that cannot be read back ("none", syslog): the screen starts empty.
      if (!(e instanceof EngineApiError)) throw e;
    }
  }

  private async pump(stream: HijackedStream): Promise<void> {
    try {
      for await (const frame of stream.frames()) this.output.append(frame.data);
    } catch {
      // The connection broke: the wait says whether the process ended or the engine went away.
    }
  }

  /**
   * The container gets its terminal size once it runs (the engine cannot
   * resize a TTY that does not exist yet), as `docker run -it` does.
   */
  private async resizeOnStart(started: AsyncGenerator<EngineEvent>): Promise<void> {
    try {
      for await (const _ of started) {
        await this.engine.containers.resize(this.containerId, this.size, this.abort.signal);
        break;
      }
    } catch {
      // The process ended first, or the engine went away (the wait reports that).
    }
  }
}
