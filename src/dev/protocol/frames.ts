/**
 * Messages on a byte stream, each framed by its length (4 bytes, big
 * endian), for the terminal's own connection to the server (messages.proto,
 * AttachOpen): a key or an echo is a few bytes, so the framing is all the
 * protocol it needs.
 */
import type { Socket } from 'node:net';

/** A frame larger than this is a broken or hostile peer (the largest message, a screen redraw, is far below). */
export const MAX_FRAME_BYTES = 16 << 20;

const HEADER_BYTES = 4;

/** One frame: its length, then the payload, in one buffer so it leaves in one write. */
export function frame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.set(payload, HEADER_BYTES);
  return out;
}

export class FrameError extends Error {}

/** Collects chunks as they arrive and returns the frames they complete. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    let data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    while (data.length >= HEADER_BYTES) {
      const length = data.readUInt32BE(0);
      if (length > MAX_FRAME_BYTES) throw new FrameError(`a frame of ${length} bytes is over the limit of ${MAX_FRAME_BYTES}`);
      if (data.length < HEADER_BYTES + length) break;
      frames.push(data.subarray(HEADER_BYTES, HEADER_BYTES + length));
      data = data.subarray(HEADER_BYTES + length);
    }
    this.pending = data;
    return frames;
  }
}

/**
 * Each message `decode` reads from the frames `socket` receives, to
 * `onMessage`; once a frame is too large or does not decode, `onBroken`
 * and no more: the peer does not speak the protocol.
 */
export function readMessages<T>(socket: Socket, decode: (payload: Uint8Array) => T, onMessage: (msg: T) => void, onBroken: () => void): void {
  const reader = new FrameReader();
  let broken = false;
  socket.on('data', (chunk: Buffer) => {
    if (broken) return;
    try {
      for (const payload of reader.push(chunk)) onMessage(decode(payload));
    } catch {
      broken = true;
      onBroken();
    }
  });
}
