/**
 * What every kind of DevProcess does the same way: who it is, its output,
 * and how it ends — once, with an exit code, or lost when bake can no longer
 * tell what became of it.
 */
import type { HijackedStream } from '../../docker/hijacked.js';
import type { TerminalSize } from '../../docker/types.js';
import type { DevProcess, OutputRecord, ProcessKind, ProcessState } from './process.js';

export interface ProcessIdentity {
  readonly id: string;
  readonly service: string;
  readonly command: readonly string[];
  readonly startedAt: number;
}

export abstract class ProcessBase implements DevProcess {
  readonly id: string;
  readonly service: string;
  readonly command: readonly string[];
  readonly startedAt: number;
  readonly exited: Promise<number>;
  /**
   * Every engine call and connection of the process takes this signal; it is
   * aborted once the process has ended, which closes whatever is still open.
   */
  protected readonly abort = new AbortController();
  private current: ProcessState = 'running';
  private code: number | undefined;
  private resolveExited: (code: number) => void = () => undefined;

  constructor(
    readonly kind: ProcessKind,
    identity: ProcessIdentity,
    readonly output: OutputRecord,
  ) {
    this.id = identity.id;
    this.service = identity.service;
    this.command = identity.command;
    this.startedAt = identity.startedAt;
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
  }

  get state(): ProcessState {
    return this.current;
  }

  get exitCode(): number | undefined {
    return this.code;
  }

  abstract write(data: Uint8Array): void;
  abstract resize(size: TerminalSize): void;
  abstract kill(): Promise<void>;

  /** Records the exit; only the first end (exit or loss) counts. */
  protected finish(code: number): void {
    if (this.current !== 'running') return;
    this.current = 'exited';
    this.code = code;
    this.end(code);
  }

  /** The process can no longer be followed (its engine went away): it counts as ended with -1. */
  protected lose(): void {
    if (this.current !== 'running') return;
    this.current = 'lost';
    this.end(-1);
  }

  private end(code: number): void {
    this.abort.abort(new Error(`process ${this.id} ended`));
    this.resolveExited(code);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for `promise`, but no longer than `ms` milliseconds (and leaves no timer behind). */
export async function waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/**
 * A process whose TTY the engine holds (a container's main process, an
 * exec): keys go down the hijacked connection, and a resize goes to the
 * engine once the TTY exists.
 */
export abstract class EngineTtyProcess extends ProcessBase {
  protected stream: HijackedStream | undefined;

  constructor(
    kind: ProcessKind,
    identity: ProcessIdentity,
    output: OutputRecord,
    protected size: TerminalSize,
  ) {
    super(kind, identity, output);
  }

  write(data: Uint8Array): void {
    const socket = this.stream?.socket;
    if (this.state === 'running' && socket?.writable) socket.write(data);
  }

  resize(size: TerminalSize): void {
    this.size = size;
    this.output.resize(size);
    // Fails while the TTY does not exist yet (not started); the start applies the size then.
    if (this.state === 'running') this.resizeTty(size).catch(() => undefined);
  }

  /** The engine's resize call for this kind of process. */
  protected abstract resizeTty(size: TerminalSize): Promise<void>;
}
