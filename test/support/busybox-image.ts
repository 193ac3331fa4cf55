/**
 * Makes `bake-test/busybox:latest` in the test engine from the host's static
 * busybox (no registry needed): a rootfs tar with bin/busybox and one
 * symlink per applet, posted to /images/create?fromSrc=-. Idempotent.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { dockerSocketPath } from './buildkit-control.js';

export const BUSYBOX_IMAGE = 'bake-test/busybox:latest';
const BUSYBOX = '/usr/bin/busybox';

export async function ensureBusyboxImage(socketPath = dockerSocketPath()): Promise<string> {
  const existing = await engineRequest(socketPath, 'GET', `/images/${BUSYBOX_IMAGE}/json`);
  if (existing.status === 200) return BUSYBOX_IMAGE;
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a !== '' && a !== 'busybox');
  const entries: TarEntry[] = [
    { name: 'bin/', type: 'dir', mode: 0o755 },
    { name: 'bin/busybox', type: 'file', mode: 0o755, data: readFileSync(BUSYBOX) },
    ...applets.map((a): TarEntry => ({ name: `bin/${a}`, type: 'symlink', mode: 0o777, linkname: 'busybox' })),
    { name: 'tmp/', type: 'dir', mode: 0o1777 },
    { name: 'etc/', type: 'dir', mode: 0o755 },
    { name: 'etc/passwd', type: 'file', mode: 0o644, data: Buffer.from('root:x:0:0:root:/root:/bin/sh\n') },
  ];
  const res = await engineRequest(socketPath, 'POST', `/images/create?fromSrc=-&repo=bake-test/busybox&tag=latest`, tarArchive(entries), 'application/x-tar');
  if (res.status !== 200 || /"error"/.test(res.body)) throw new Error(`The engine did not import the busybox image: ${res.status} ${res.body}`);
  return BUSYBOX_IMAGE;
}

export function engineRequest(socketPath: string, method: string, path: string, body?: Buffer, contentType?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: { Host: 'docker', ...(contentType ? { 'Content-Type': contentType } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', (e) => reject(new Error(`No Docker engine answers on ${socketPath}: ${e.message}. Start dockerd on that socket or point DOCKER_HOST at one.`)));
    req.end(body);
  });
}

interface TarEntry {
  readonly name: string;
  readonly type: 'file' | 'dir' | 'symlink';
  readonly mode: number;
  readonly data?: Buffer;
  readonly linkname?: string;
}

const BLOCK = 512;

function tarArchive(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.data ?? Buffer.alloc(0);
    const h = Buffer.alloc(BLOCK);
    h.write(e.name, 0, 100, 'utf8');
    h.write(octal(e.mode, 7), 100);
    h.write(octal(0, 7), 108);
    h.write(octal(0, 7), 116);
    h.write(octal(e.type === 'file' ? data.length : 0, 11), 124);
    h.write(octal(0, 11), 136);
    h.write('        ', 148);
    h.write(e.type === 'dir' ? '5' : e.type === 'symlink' ? '2' : '0', 156);
    if (e.linkname) h.write(e.linkname, 157, 100, 'utf8');
    h.write('ustar\u000000', 257, 'binary');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(octal(sum, 6) + '\u0000 ', 148, 'binary');
    parts.push(h);
    if (e.type === 'file') {
      parts.push(data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width, '0');
}

