/**
 * A container of a held build (issue 13): started through BuildKit's gateway
 * on a target's result or a failed step's state, with processes run in it
 * by ExecProcess. It lives in the build, not in the Docker engine: releasing
 * it (or the build's end) leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import type { ContainerMount, GatewayClient, GatewayProcess, ProcessMeta } from '../../buildkit/gateway.js';
import type { TerminalSize } from '../../docker/types.js';
import { FileAccessError } from './files.js';
import { createOutputRecord } from './output-record.js';
import { ProcessBase, waitAtMost, type ProcessIdentity } from './process-base.js';
import type { OutputRecord } from './process.js';

export class BuildContainer {
  /** Letters and digits only: BuildKit refuses other container ids. */
  readonly id = `bake${randomBytes(8).toString('hex')}`;
  private released = false;
  /** Ends every process stream still open when the container goes. */
  private readonly lifetime = new AbortController();

  private constructor(
    private readonly gateway: GatewayClient,
    /** The target whose build holds it: the processes' "service". */
    readonly target: string,
    /** The engine sends signals to gateway processes (`gateway.exec.signals`, BuildKit 0.10+). */
    private readonly signals: boolean,
  ) {}

  static async start(
    gateway: GatewayClient,
    target: string,
    mounts: readonly ContainerMount[],
    signals: boolean,
    signal: AbortSignal,
  ): Promise<BuildContainer> {
    const container = new BuildContainer(gateway, target, signals);
    await gateway.newContainer(container.id, mounts, signal);
    return container;
  }

  /** Runs `meta` in the container with a TTY of `size`; `shown` is the command `ps` shows (default: meta's). */
  async exec(id: string, meta: ProcessMeta, size: TerminalSize, shown: readonly string[] = meta.args): Promise<BuildProcess> {
    const output = await createOutputRecord(size);
    const process = new BuildProcess(
      this.gateway.exec(this.id, `${id}-${randomBytes(4).toString('hex')}`, meta, size, this.lifetime.signal),
      { id, service: this.target, command: shown, startedAt: Date.now() },
      output,
      this.signals,
    );
    return process;
  }

  /**
   * Writes a file into the running container: the gateway has no call that
   * writes, so a process of the container's own shell does, with the
   * environment and user of its shells.
   */
  async write(path: string, data: Buffer, mode: number, like: ProcessMeta): Promise<void> {
    const { code, said } = await this.shellProcess(like, 'cat > "$1" && chmod "$2" "$1"', [path, (mode & 0o7777).toString(8)], data);
    if (code !== 0) {
      const why = said.toString('utf8').trim() || (code < 0 ? 'its process could not start' : `exit code ${code}`);
      throw new FileAccessError(`could not write ${path} into the build container of ${this.target} (through its /bin/sh): ${why}`);
    }
  }

  /** A file of the running container as its processes see it now (not the build state it started from); undefined when it cannot be read. */
  async read(path: string, like: ProcessMeta): Promise<Buffer | undefined> {
    const { code, said } = await this.shellProcess(like, 'cat "$1" 2>/dev/null', [path], Buffer.alloc(0));
    return code === 0 ? said : undefined;
  }

  /** Runs `script` with `args` in the container's /bin/sh, without a TTY, `input` on its stdin; resolves with its exit code and output. */
  private async shellProcess(like: ProcessMeta, script: string, args: readonly string[], input: Buffer): Promise<{ code: number; said: Buffer }> {
    const meta = { ...like, args: ['/bin/sh', '-c', script, 'sh', ...args] };
    const process = this.gateway.exec(this.id, `sh-${randomBytes(4).toString('hex')}`, meta, undefined, this.lifetime.signal);
    const said: Buffer[] = [];
    process.on('output', (chunk) => said.push(chunk));
    for (let at = 0; at < input.length; at += 64 * 1024) process.write(input.subarray(at, at + 64 * 1024));
    process.end();
    const code = await process.exited;
    return { code, said: Buffer.concat(said) };
  }

  /** Ends the container (its processes first: `kill` them) and closes what streams are left. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.gateway.releaseContainer(this.id, AbortSignal.timeout(30_000)).catch(() => undefined);
    this.lifetime.abort();
  }
}

/** How long `kill` waits for the process to go after SIGKILL before it drops the stream. */
const KILL_GRACE_MS = 2_000;

export class BuildProcess extends ProcessBase {
  /** The user ran a command in it (Enter went down): only then may it have history to keep. */
  entered = false;

  constructor(
    private readonly gateway: GatewayProcess,
    identity: ProcessIdentity,
    output: OutputRecord,
    private readonly signals: boolean,
  ) {
    super('build', identity, output);
    gateway.on('output', (chunk) => output.append(chunk));
    void gateway.exited.then((code) => (code < 0 ? this.lose() : this.finish(code)));
  }

  write(data: Uint8Array): void {
    if (this.state !== 'running') return;
    if (data.includes(0x0d)) this.entered = true;
    this.gateway.write(data);
  }

  resize(size: TerminalSize): void {
    this.output.resize(size);
    if (this.state === 'running') this.gateway.resize(size);
  }

  /**
   * Ends the process: SIGKILL where the engine sends signals. BuildKit 0.8
   * sends none, ends no process when its stream or container is let go,
   * and a shell is its container's init, which nothing inside may kill: it
   * is told to exit on its terminal instead (interrupt, clear the line, exit).
   */
  async kill(): Promise<void> {
    if (this.state !== 'running') return;
    if (this.signals) this.gateway.signal('KILL');
    else this.gateway.write(Buffer.from('\x03\x15exit\r'));
    await waitAtMost(this.exited, KILL_GRACE_MS);
    this.gateway.close();
    await this.exited;
  }
}
