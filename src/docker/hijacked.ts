/**
 * A hijacked attach or exec connection: stdin goes in as written; output
 * comes back raw (TTY) or multiplexed (no TTY).
 */
import type { Socket } from 'node:net';
import { readFrames, type OutputFrame } from './stdcopy.js';

export class HijackedStream {
  private readonly output: AsyncGenerator<OutputFrame>;

  constructor(
    /** The raw connection; writes reach the process's stdin. */
    readonly socket: Socket,
    readonly tty: boolean,
  ) {
    this.output = readFrames(socket, tty);
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Closes stdin only (a half-close): the process sees end of file and output keeps coming. */
  endStdin(): void {
    this.socket.end();
  }

  /**
   * Output until the process (or the engine) closes the connection. One
   * stream for the connection's life: leaving a loop early (`break`) does not
   * close it, so a later loop goes on where that one stopped.
   */
  frames(): AsyncIterable<OutputFrame> {
    return { [Symbol.asyncIterator]: () => ({ next: () => this.output.next() }) };
  }

  close(): void {
    this.socket.destroy();
  }
}
