/**
 * A terminal's own connection to the server's attach socket (messages.proto,
 * AttachOpen): AttachIn frames out, AttachOut frames in. It ends once, with
 * `end` (the server ended the attach after saying why: the process exited,
 * another terminal took it, the session ended), or `error` (a ServerError:
 * the server refused or failed it, or went away: a server that is killed
 * closes the connection without a word).
 */
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { frame, readMessages } from '../protocol/frames.js';
import { AttachIn, AttachOut } from '../protocol/generated/messages.js';
import { failureError, serverGoneError, type ServerError } from './server-error.js';

export interface AttachChannel {
  write(msg: AttachIn): void;
  /** Leaves: the server ends the attach and keeps the process. */
  end(): void;
  on(event: 'data', listener: (out: AttachOut) => void): this;
  on(event: 'error', listener: (e: ServerError) => void): this;
  on(event: 'end', listener: () => void): this;
}

export function openAttachChannel(socketPath: string): AttachChannel {
  return new SocketAttachChannel(connect(socketPath));
}

/** A channel that fails with `error` as soon as it is listened to, and sends nothing. */
export function refusedAttachChannel(error: ServerError): AttachChannel {
  const channel = new (class extends EventEmitter implements AttachChannel {
    write(): void {}
    end(): void {}
  })();
  setImmediate(() => channel.emit('error', error));
  return channel;
}

class SocketAttachChannel extends EventEmitter implements AttachChannel {
  private settled = false;
  /** The server said why the attach ends: its close is the end, not the server going away. */
  private told = false;

  constructor(private readonly socket: Socket) {
    super();
    readMessages(
      socket,
      (payload) => AttachOut.decode(payload),
      (out) => this.receive(out),
      () => {
        // Not a bake server's frames: as good as gone.
        this.settle('error', serverGoneError());
        socket.destroy();
      },
    );
    socket.on('end', () => (this.told ? this.settle('end') : this.settle('error', serverGoneError())));
    // ENOENT, ECONNREFUSED (no server), EPIPE, ECONNRESET (it went away): the close follows.
    socket.on('error', () => undefined);
    socket.on('close', () => this.settle('error', serverGoneError()));
  }

  write(msg: AttachIn): void {
    if (!this.socket.destroyed) this.socket.write(frame(AttachIn.encode(msg).finish()));
  }

  end(): void {
    this.settled = true;
    this.socket.destroy();
  }

  private receive(out: AttachOut): void {
    if (out.msg?.$case === 'failed') return this.settle('error', failureError(out.msg.value));
    this.told ||= out.msg?.$case === 'exited' || out.msg?.$case === 'taken_over' || out.msg?.$case === 'session_ended';
    if (!this.settled) this.emit('data', out);
  }

  private settle(event: 'end' | 'error', error?: ServerError): void {
    if (this.settled) return;
    this.settled = true;
    this.emit(event, ...(error ? [error] : []));
  }
}
