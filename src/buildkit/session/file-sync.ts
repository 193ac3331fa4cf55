/**
 * FileSync.DiffCopy, the sending side of fsutil's protocol: one STAT per
 * walked entry, an empty STAT, then DATA for each REQ (32 KiB chunks, four
 * files at a time like the Go client) until the daemon's FIN. Messages go
 * out in batches (batched-writer.ts): one STAT per file is many messages.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { relative } from 'node:path';
import { status, type ServerDuplexStream } from '@grpc/grpc-js';
import { batchedWriter } from './batched-writer.js';
import { errorMessage, statusError } from './call-io.js';
import { encodePacket } from './packet-wire.js';
import { metadataValue, metadataValues } from './metadata.js';
import { CHUNK_SIZE, PACKET_DATA, PACKET_ERR, PACKET_FIN, PACKET_REQ, PACKET_STAT, type Packet } from './packet.js';
import type { DirStats, LocalDirSpec } from './spec.js';
import { EMPTY_SOURCE, unreadable, walkBatches, type WalkOptions } from './walk.js';

const SENDERS = 4;
/** Files up to this size are read whole and at once (see sendFile); larger ones stream in chunks. */
const SMALL_FILE = 1 << 20;

/** The whole file when it is at most SMALL_FILE bytes, read synchronously; undefined for a larger one. */
function readSmallFile(path: string): Buffer | undefined {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > SMALL_FILE) return undefined;
    // One byte more than the size, so a file that grew since the walk still reads to its end below.
    const buf = Buffer.allocUnsafe(size + 1);
    let length = 0;
    for (let n; (n = readSync(fd, buf, length, buf.length - length, null)) > 0;) {
      length += n;
      if (length === buf.length) return undefined;
    }
    return buf.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

export function fileSyncService(dirs: ReadonlyMap<string, LocalDirSpec>, counters: (dirName: string) => DirStats) {
  return {
    DiffCopy(call: ServerDuplexStream<Packet, Packet>): void {
      const dirName = metadataValue(call.metadata, 'dir-name') ?? '';
      const dir = dirs.get(dirName);
      if (!dir) {
        call.emit('error', statusError(status.NOT_FOUND, `This session does not serve a directory named ${JSON.stringify(dirName)}.`));
        return;
      }
      const includePatterns = metadataValues(call.metadata, 'include-patterns');
      const excludePatterns = metadataValues(call.metadata, 'exclude-patterns');
      const followPaths = metadataValues(call.metadata, 'followpaths');
      const opts: WalkOptions = {
        ...(includePatterns && { includePatterns }),
        ...(excludePatterns && { excludePatterns }),
        ...(followPaths && { followPaths }),
      };
      void sendDir(call, dir, opts, counters(dirName));
    },
  };
}

/** What the user reads when a file of the context cannot be sent: a file removed since the walk is named as such. */
function unreadableFile(root: string, path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const file = relative(root, path);
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return `${file} was removed from the build context ${root} while bake was sending it; build again once the context stops changing.`;
  return `bake could not read ${file} of the build context ${root}: ${errorMessage(e)}.`;
}

async function sendDir(call: ServerDuplexStream<Packet, Packet>, dir: LocalDirSpec, opts: WalkOptions, counters: DirStats): Promise<void> {
  const root = dir.path;
  const abort = new AbortController();
  const { signal } = abort;
  const writer = batchedWriter(call, encodePacket, signal);
  const write = (p: Packet): Promise<void> => writer.write(p);
  const sources = new Map<number, string>();
  const queue: number[] = [];
  let waiters: (() => void)[] = [];
  let finished = false;
  let failure: Error | undefined;

  const notify = (): void => {
    const ws = waiters;
    waiters = [];
    for (const w of ws) w();
  };
  const fail = (e: Error): void => {
    if (failure || finished) return;
    failure = e;
    abort.abort(e);
    notify();
  };
  call.on('cancelled', () => fail(new Error('The daemon cancelled the transfer.')));
  call.on('error', (e: Error) => fail(e));
  call.on('data', (p: Packet) => {
    switch (p.type) {
      case PACKET_REQ: {
        const id = p.ID ?? 0;
        if (!sources.has(id)) return fail(new Error(`The daemon requested file ${id}, which is not a regular file of this transfer.`));
        queue.push(id);
        return notify();
      }
      case PACKET_ERR:
        return fail(new Error(`The daemon aborted the transfer: ${p.data?.toString('utf8') ?? ''}`));
      case PACKET_FIN:
        finished = true;
        return notify();
    }
  });
  call.on('end', () => {
    finished = true;
    notify();
  });

  const sendFile = async (id: number): Promise<void> => {
    const path = sources.get(id) as string;
    try {
      await sendContent(id, path);
    } catch (e) {
      // A file system error (it has a syscall) is the file's; a write's failure is the transfer's and goes as it is.
      throw (e as NodeJS.ErrnoException).syscall ? new Error(unreadableFile(root, path, e), { cause: e }) : e;
    }
    await write({ type: PACKET_DATA, ID: id, data: Buffer.alloc(0) });
    counters.requests++;
  };

  const sendContent = async (id: number, path: string): Promise<void> => {
    // Small files are read in one synchronous call: from the page cache that takes microseconds, where
    // open, read and close through libuv's thread pool cost three round trips per file.
    let whole;
    try {
      whole = path === EMPTY_SOURCE ? Buffer.alloc(0) : readSmallFile(path);
    } catch (e) {
      throw unreadable(e, path, false);
    }
    if (whole) {
      for (let at = 0; at < whole.length; at += CHUNK_SIZE) {
        const data = whole.subarray(at, at + CHUNK_SIZE);
        counters.bytes += data.length;
        await write({ type: PACKET_DATA, ID: id, data });
      }
    } else await sendLargeFile(id, path);
  };

  const sendLargeFile = async (id: number, path: string): Promise<void> => {
    const fh = await open(path, 'r').catch((e: unknown) => {
      throw unreadable(e, path, false);
    });
    try {
      for (;;) {
        // A fresh buffer per chunk: the write keeps a reference until it is flushed.
        const buf = Buffer.allocUnsafe(CHUNK_SIZE);
        const { bytesRead } = await fh.read(buf, 0, CHUNK_SIZE, null);
        if (bytesRead === 0) break;
        counters.bytes += bytesRead;
        await write({ type: PACKET_DATA, ID: id, data: buf.subarray(0, bytesRead) });
      }
    } finally {
      await fh.close();
    }
  };

  const sender = async (): Promise<void> => {
    for (;;) {
      if (failure) return;
      const id = queue.shift();
      if (id !== undefined) await sendFile(id);
      else if (finished) return;
      else await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };

  const walker = async (): Promise<void> => {
    // A walk that failed is tried again here: this transfer reports what it cannot read.
    const walked = await dir.walks?.take(root, opts)?.catch(() => undefined);
    let id = 0;
    for await (const batch of walked ? [walked] : walkBatches(root, opts, signal))
      for (const entry of batch) {
        if (entry.source !== undefined) sources.set(id, entry.source);
        counters.files++;
        await write({ type: PACKET_STAT, stat: entry.stat });
        id++;
      }
    await write({ type: PACKET_STAT, stat: null });
  };

  try {
    await Promise.all([walker(), ...Array.from({ length: SENDERS }, sender)]);
    if (failure) throw failure;
    await write({ type: PACKET_FIN });
    writer.flush();
    call.end();
  } catch (e) {
    const message = errorMessage(failure ?? e);
    fail(new Error(message));
    // The daemon may report only "context canceled": the build reports this instead (build.ts).
    counters.failure ??= message;
    if (!call.cancelled) {
      // After what is batched, so the daemon reads the error last.
      writer.flush();
      call.write({ type: PACKET_ERR, data: Buffer.from(message) });
      call.emit('error', statusError(status.UNKNOWN, message));
    }
  }
}
