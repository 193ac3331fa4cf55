/**
 * A base image for offline machines (product §5): Debian's static BusyBox as
 * a root filesystem (the binary plus one symlink per applet, where
 * `busybox --list-full` puts them), imported through the Engine API as
 * bake-test/busybox:latest and busybox:latest. Idempotent: an image built from
 * the same binary is kept.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { DockerEngine } from './engine-api.js';
import { EngineError, isNotFound } from './errors.js';
import { tarArchive, type TarEntry } from './tar.js';

export const BUSYBOX_IMAGE = 'bake-test/busybox:latest';
const ALSO_TAGGED = { repo: 'busybox', tag: 'latest' };
const DIGEST_LABEL = 'dev.bake.busybox.sha256';
const CANDIDATES = ['/usr/bin/busybox', '/bin/busybox'];

export interface BusyboxImport {
  readonly image: string;
  readonly id: string;
  /** False when an image of the same binary was already there. */
  readonly imported: boolean;
}

export async function importBusyboxImage(engine: DockerEngine, signal: AbortSignal, busybox = CANDIDATES.find((p) => existsSync(p))): Promise<BusyboxImport> {
  if (busybox === undefined)
    throw new EngineError('BusyBox is not installed, so the offline base image cannot be made', 'Install it with `apt-get install busybox-static`.');
  const binary = readFileSync(busybox);
  if (isDynamic(binary))
    throw new EngineError(
      `${busybox} is dynamically linked and would not run alone in an image`,
      'Install the static build with `apt-get install busybox-static`.',
    );
  const digest = createHash('sha256').update(binary).digest('hex');

  const existing = await engine.images.inspect(BUSYBOX_IMAGE, signal).catch((e: unknown) => {
    if (isNotFound(e)) return undefined;
    throw e;
  });
  let id = existing?.Config.Labels?.[DIGEST_LABEL] === digest ? existing.Id : undefined;
  const imported = id === undefined;
  if (id === undefined) {
    const [repo = '', tag = ''] = BUSYBOX_IMAGE.split(':');
    const changes = [`LABEL ${DIGEST_LABEL}=${digest}`, 'CMD ["sh"]', 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
    id = await engine.images.import(Readable.from([rootFilesystem(busybox, binary)]), { repo, tag, changes, message: `busybox from ${busybox}` }, signal);
  }
  await engine.images.tag(id, ALSO_TAGGED.repo, ALSO_TAGGED.tag, signal);
  return { image: BUSYBOX_IMAGE, id, imported };
}

function rootFilesystem(busybox: string, binary: Buffer): Buffer {
  const applets = execFileSync(busybox, ['--list-full'], { encoding: 'utf8' })
    .split('\n')
    .filter((p) => p !== '' && p !== 'linuxrc' && p !== 'bin/busybox');
  const dirs = new Set(['bin', 'etc', 'root', 'tmp', 'var', 'dev', 'proc', 'sys']);
  for (const p of applets) for (let d = p.lastIndexOf('/'); d > 0; d = p.lastIndexOf('/', d - 1)) dirs.add(p.slice(0, d));
  const entries: TarEntry[] = [...dirs].sort().map((path) => ({ type: 'dir', path, mode: path === 'tmp' ? 0o1777 : 0o755 }));
  entries.push({ type: 'file', path: 'bin/busybox', data: binary, mode: 0o755 });
  for (const p of applets) entries.push({ type: 'symlink', path: p, target: '/bin/busybox' });
  entries.push({ type: 'file', path: 'etc/passwd', data: Buffer.from('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n') });
  entries.push({ type: 'file', path: 'etc/group', data: Buffer.from('root:x:0:\nnogroup:x:65534:\n') });
  return tarArchive(entries);
}

/** True when an ELF executable names an interpreter (PT_INTERP), i.e. is not static. */
function isDynamic(elf: Buffer): boolean {
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) return false; // not ELF64: let the engine judge
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const size = elf.readUInt16LE(0x36);
  const count = elf.readUInt16LE(0x38);
  for (let k = 0; k < count; k++) if (elf.readUInt32LE(phoff + k * size) === 3) return true;
  return false;
}
