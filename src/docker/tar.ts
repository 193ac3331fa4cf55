/** A minimal ustar writer: directories, regular files and symlinks, enough for a root filesystem. */

export type TarEntry =
  | { readonly type: 'dir'; readonly path: string; readonly mode?: number }
  | { readonly type: 'file'; readonly path: string; readonly data: Buffer; readonly mode?: number }
  | { readonly type: 'symlink'; readonly path: string; readonly target: string };

const BLOCK = 512;

export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.type === 'file' ? e.data : Buffer.alloc(0);
    parts.push(header(e, data.length), data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

function header(e: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const name = e.type === 'dir' ? `${e.path}/` : e.path;
  if (Buffer.byteLength(name) > 100) throw new Error(`tar path too long for this writer: ${name}`);
  const mode = e.type === 'symlink' ? 0o777 : (e.mode ?? (e.type === 'dir' ? 0o755 : 0o644));
  h.write(name, 0, 100);
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  // A fixed time keeps the archive, and so the image layer, byte-for-byte the same.
  octal(h, 136, 12, 0);
  h.write({ dir: '5', file: '0', symlink: '2' }[e.type], 156);
  if (e.type === 'symlink') h.write(e.target, 157, 100);
  h.write('ustar\u000000', 257);
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of h) sum += byte;
  octal(h, 148, 8, sum);
  return h;
}

function octal(h: Buffer, offset: number, width: number, value: number): void {
  h.write(`${value.toString(8).padStart(width - 1, '0')}\u0000`, offset, width);
}
