/**
 * The engine's multiplexed stdio (attach, exec and logs of a container
 * without a TTY): frames of an 8-byte header [stream, 0, 0, 0, size uint32 BE]
 * then `size` bytes. With a TTY the stream is raw and carries no headers.
 */

export type StdStream = 'stdin' | 'stdout' | 'stderr' | 'system';

export interface OutputFrame {
  readonly stream: StdStream;
  readonly data: Buffer;
}

const STREAMS: readonly StdStream[] = ['stdin', 'stdout', 'stderr', 'system'];
const HEADER = 8;

/** Reassembles frames from chunks cut anywhere. */
export class StdDemuxer {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): OutputFrame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: OutputFrame[] = [];
    while (this.pending.length >= HEADER) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < HEADER + size) break;
      const stream = STREAMS[this.pending[0] ?? -1];
      if (stream === undefined) throw new Error(`unexpected stream id ${this.pending[0]} in the engine's multiplexed output`);
      frames.push({ stream, data: this.pending.subarray(HEADER, HEADER + size) });
      this.pending = this.pending.subarray(HEADER + size);
    }
    return frames;
  }

  /** Bytes of an unfinished frame left at the end of the stream. */
  get leftover(): number {
    return this.pending.length;
  }
}

/** The frames of a stream: demultiplexed, or (TTY) every chunk as stdout. */
export async function* readFrames(source: AsyncIterable<unknown> | Iterable<unknown>, tty: boolean): AsyncGenerator<OutputFrame> {
  if (tty) {
    for await (const chunk of source) yield { stream: 'stdout', data: chunk as Buffer };
    return;
  }
  const demuxer = new StdDemuxer();
  for await (const chunk of source) yield* demuxer.push(chunk as Buffer);
}

/** Collects frames into text per stream (tests, short commands). */
export async function collectOutput(frames: AsyncIterable<OutputFrame>): Promise<{ stdout: string; stderr: string }> {
  const out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  for await (const f of frames) if (f.stream === 'stdout' || f.stream === 'stderr') out[f.stream].push(f.data);
  return { stdout: Buffer.concat(out.stdout).toString('utf8'), stderr: Buffer.concat(out.stderr).toString('utf8') };
}
