/**
 * A process of a dev session, whatever runs it: a service container's main
 * process, a process exec'd in a container, or a host service in a PTY.
 * The server attaches clients to these, and keeps each one's output (for
 * `logs`) and screen (redrawn on re-attach) while nobody watches.
 */
import type { TerminalSize } from '../../docker/types.js';

export type ProcessKind = 'service' | 'exec' | 'host' | 'build';
export type ProcessState = 'running' | 'exited' | 'lost';

export interface DevProcess {
  /** The service name for a service's main process; a number ("1", "2") for an exec. */
  readonly id: string;
  readonly service: string;
  readonly kind: ProcessKind;
  readonly command: readonly string[];
  /** Milliseconds since the epoch. */
  readonly startedAt: number;
  readonly state: ProcessState;
  /** Set once the process has exited. */
  readonly exitCode: number | undefined;
  /** Everything it printed, kept as bytes and as a terminal screen. */
  readonly output: OutputRecord;
  /** Resolves with the exit code once the process ends (never rejects; a lost process resolves with -1). */
  readonly exited: Promise<number>;
  /** Sends keys to the process (its PTY). */
  write(data: Uint8Array): void;
  resize(size: TerminalSize): void;
  /** Ends the process; resolves once it is gone. */
  kill(): Promise<void>;
}

export interface OutputRecord {
  /** Feeds output (the process's raw terminal bytes). */
  append(chunk: Uint8Array): void;
  /** Calls `listener` with each later chunk, the record's own copy (never changed, so it can be sent as it is); returns the unsubscribe function. */
  subscribe(listener: (chunk: Buffer) => void): () => void;
  /** The last bytes of output (bounded), for `logs`. */
  history(): Buffer;
  /**
   * Bytes that redraw the current screen on a terminal of the same size:
   * default modes, clear, the visible lines with their attributes, the
   * cursor. With `clear: false` the lines are drawn from the cursor down
   * (under what the terminal shows already), cursor moves being relative.
   * It is the screen as the chunks appended before the call left it, none
   * after: a subscriber from before the call gets exactly the rest.
   */
  screen(options?: { readonly clear?: boolean }): Promise<string>;
  resize(size: TerminalSize): void;
  /** Frees the emulator. */
  dispose(): void;
}
