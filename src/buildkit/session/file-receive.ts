/**
 * The receiving side of fsutil's protocol, for the `local` exporter: the
 * daemon sends STATs, we REQ every regular file and write its DATA, then
 * send FIN and wait for the daemon to finish. Paths are checked: clean,
 * relative, in walk order, and under a directory of this transfer, so
 * nothing is written outside `dest` or through a symlink.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { chmod, link, lstat, lutimes, mkdir, rename, rm, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { kindOf, posixPermissions } from './file-mode.js';
import { goClean, goDir } from '../../golang/path.js';
import { PACKET_DATA, PACKET_ERR, PACKET_FIN, PACKET_REQ, PACKET_STAT, type Packet, type Stat } from './packet.js';
import { errorMessage, forward } from './call-io.js';

interface Pending {
  readonly stat: Stat;
  readonly target: string;
  readonly temp: string;
  readonly out: WriteStream;
}

export async function receiveDir(call: ServerDuplexStream<Packet, Packet>, dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  const dirs = new Set<string>(['.']);
  const dirTimes: [string, Stat][] = [];
  const hardLinks: [string, string][] = [];
  const pending = new Map<number, Pending>();
  const writes: Promise<void>[] = [];
  let lastPath = '';
  let nextId = 0;
  let statsDone = false;
  let finSent = false;
  // Entries are applied one at a time, in stream order.
  let chain: Promise<void> = Promise.resolve();

  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      if (!call.cancelled) call.write({ type: PACKET_ERR, data: Buffer.from(errorMessage(e)) });
      for (const p of pending.values()) p.out.destroy();
      reject(e instanceof Error ? e : new Error(String(e)));
    };
    const maybeFinish = async (): Promise<void> => {
      if (!statsDone || pending.size > 0 || finSent) return;
      finSent = true;
      await Promise.all(writes);
      if (failed) return;
      for (const [from, to] of hardLinks) await replaceWith(to, () => link(from, to));
      for (const [dir, st] of dirTimes.reverse()) {
        await chmod(dir, posixPermissions(st.mode));
        await utimes(dir, nsToDate(st.modTime), nsToDate(st.modTime));
      }
      call.write({ type: PACKET_FIN });
    };

    const onStat = async (stat: Stat | null | undefined): Promise<void> => {
      if (!stat) {
        statsDone = true;
        return maybeFinish();
      }
      const id = nextId++;
      const path = stat.path;
      assertSafe(path);
      if (lastPath !== '' && comparePaths(lastPath, path) >= 0)
        throw new Error(`The daemon sent ${JSON.stringify(path)} after ${JSON.stringify(lastPath)}, out of order.`);
      lastPath = path;
      if (!dirs.has(goDir(path))) throw new Error(`The daemon sent ${JSON.stringify(path)} before its directory.`);
      const target = join(dest, path);
      const mtime = nsToDate(stat.modTime);
      switch (kindOf(stat.mode)) {
        case 'dir': {
          const existing = await lstat(target).catch(() => undefined);
          if (existing && !existing.isDirectory()) await rm(target, { recursive: true, force: true });
          await mkdir(target, { recursive: true });
          dirs.add(path);
          dirTimes.push([target, stat]);
          return;
        }
        case 'symlink':
          await replaceWith(target, () => symlink(stat.linkname, target));
          await lutimes(target, mtime, mtime);
          return;
        case 'file': {
          if (stat.linkname !== '') {
            assertSafe(stat.linkname);
            hardLinks.push([join(dest, goClean(stat.linkname)), target]);
            return;
          }
          const temp = join(dest, goDir(path), `.bake-receive-${id}`);
          const out = createWriteStream(temp, { mode: 0o600 });
          pending.set(id, { stat, target, temp, out });
          call.write({ type: PACKET_REQ, ID: id });
          return;
        }
        default:
          return; // devices and pipes are not recreated
      }
    };

    const onData = (id: number, data: Buffer): void => {
      const p = pending.get(id);
      if (!p) throw new Error(`The daemon sent data for file ${id}, which was not requested.`);
      if (data.length > 0) {
        forward(data, p.out, call);
        return;
      }
      pending.delete(id);
      writes.push(
        new Promise<void>((res, rej) => {
          p.out.on('error', rej);
          p.out.end(res);
        })
          .then(async () => {
            await chmod(p.temp, posixPermissions(p.stat.mode));
            const mtime = nsToDate(p.stat.modTime);
            await utimes(p.temp, mtime, mtime);
            await rename(p.temp, p.target);
          })
          .catch(fail),
      );
      chain = chain.then(maybeFinish);
    };

    call.on('data', (pkt: Packet) => {
      if (failed) return;
      switch (pkt.type) {
        case PACKET_STAT:
          chain = chain.then(() => onStat(pkt.stat));
          break;
        case PACKET_DATA: {
          const id = pkt.ID ?? 0;
          const data = pkt.data ?? Buffer.alloc(0);
          // Data is for files already requested, so every STAT before it has been applied.
          chain = chain.then(() => onData(id, data));
          break;
        }
        case PACKET_ERR:
          fail(new Error(`The daemon aborted the export: ${pkt.data?.toString('utf8') ?? ''}`));
          break;
        case PACKET_FIN:
          break; // the daemon's answer to our FIN; the stream ends next
      }
      chain = chain.catch(fail);
    });
    call.on('cancelled', () => fail(new Error('The daemon cancelled the export.')));
    call.on('end', () => {
      chain.then(() => {
        if (failed) return;
        if (!statsDone || pending.size > 0) fail(new Error('The daemon ended the export before sending every file.'));
        else resolve();
      }, fail);
    });
  });
}

/** A path from the daemon must be clean and relative, and stay inside the destination. */
function assertSafe(path: string): void {
  if (path === '' || path !== goClean(path) || path.startsWith('/') || path === '..' || path.startsWith('../')) {
    throw new Error(`The daemon sent the unsafe path ${JSON.stringify(path)}; nothing outside the destination is written.`);
  }
}

/** fsutil's path order: by bytes, with `/` below every other byte. */
export function comparePaths(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const cx = x[i] === 0x2f ? -1 : (x[i] as number);
    const cy = y[i] === 0x2f ? -1 : (y[i] as number);
    if (cx !== cy) return cx - cy;
  }
  return x.length - y.length;
}

async function replaceWith(target: string, create: () => Promise<void>): Promise<void> {
  await rm(target, { recursive: true, force: true });
  await create();
}

function nsToDate(ns: string): Date {
  return new Date(Number(BigInt(ns) / 1_000_000n));
}
