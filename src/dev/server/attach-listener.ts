/**
 * The server's attach socket (messages.proto, AttachOpen): each connection is one
 * terminal, AttachIn frames in and AttachOut frames out, handed to the
 * handler as an AttachCall.
 */
import { EventEmitter } from 'node:events';
import type { Server, Socket } from 'node:net';
import { frame, readMessages } from '../protocol/frames.js';
import { AttachIn, AttachOut, type AttachFailure } from '../protocol/generated/messages.js';
import { listenPrivately } from './private-socket.js';

export interface AttachCall {
  /** The client left or its connection broke: nothing more reaches it. */
  readonly cancelled: boolean;
  /** False when the client is behind by BEHIND_BYTES: `drain` follows once it has caught up. */
  write(out: AttachOut): boolean;
  /** Ends the attach after what was written. */
  end(): void;
  /** Ends the attach with a failure, its last message. */
  fail(failure: AttachFailure): void;
  on(event: 'data', listener: (msg: AttachIn) => void): this;
  /** The client ended the attach (`end`), or its connection is gone (`cancelled`). */
  on(event: 'end' | 'cancelled', listener: () => void): this;
  once(event: 'drain', listener: () => void): this;
}

/**
 * Output a client may be behind by before it is sent no more until it
 * catches up. Not the socket's 16 KiB: every frame of a key's echo takes a
 * kernel buffer of its own, so a client stalled for a moment (its terminal
 * busy) would fill that with a few hundred echoes and lose them.
 */
const BEHIND_BYTES = 1 << 20;

/** Listens on `path` (0600); resolves once it does. */
export function listenForAttach(path: string, handle: (call: AttachCall) => void): Promise<Server> {
  return listenPrivately(path, (socket) => handle(new SocketAttachCall(socket)));
}

class SocketAttachCall extends EventEmitter implements AttachCall {
  private ended = false;
  private gone = false;

  constructor(private readonly socket: Socket) {
    super();
    // A peer that does not speak the protocol is not served.
    readMessages(
      socket,
      (payload) => AttachIn.decode(payload),
      (msg) => this.emit('data', msg),
      () => socket.destroy(),
    );
    socket.on('end', () => this.emit('end'));
    socket.on('drain', () => this.emit('drain'));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.ended) return;
      this.gone = true;
      this.emit('cancelled');
    });
  }

  get cancelled(): boolean {
    return this.gone;
  }

  write(out: AttachOut): boolean {
    return this.socket.write(frame(AttachOut.encode(out).finish())) || this.socket.writableLength < BEHIND_BYTES;
  }

  end(): void {
    this.ended = true;
    this.socket.end();
  }

  fail(failure: AttachFailure): void {
    this.write({ msg: { $case: 'failed', value: failure } });
    this.end();
  }
}
