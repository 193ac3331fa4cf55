/**
 * Tar, as little as bake needs: a ustar writer (directories, regular files
 * and symlinks, enough for a root filesystem or a file put in a container)
 * and a streaming reader of what the engine's archive API sends (Go's
 * archive/tar: ustar, with PAX or GNU records for long names).
 */

export type TarEntry =
  | { readonly type: 'dir'; readonly path: string; readonly mode?: number }
  /** `mtime` in seconds since the epoch; 0 when absent. */
  | { readonly type: 'file'; readonly path: string; readonly data: Buffer; readonly mode?: number; readonly mtime?: number }
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
  const [prefix, name] = ustarName(e.type === 'dir' ? `${e.path}/` : e.path);
  const mode = e.type === 'symlink' ? 0o777 : (e.mode ?? (e.type === 'dir' ? 0o755 : 0o644));
  h.write(name, 0, 100);
  h.write(prefix, 345, 155);
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  // A fixed time by default keeps the archive, and so the image layer, byte-for-byte the same.
  octal(h, 136, 12, e.type === 'file' ? (e.mtime ?? 0) : 0);
  h.write({ dir: '5', file: '0', symlink: '2' }[e.type], 156);
  if (e.type === 'symlink') h.write(e.target, 157, 100);
  h.write('ustar\u000000', 257);
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of h) sum += byte;
  octal(h, 148, 8, sum);
  return h;
}

/** ustar's split of a path longer than 100 bytes: a directory prefix (155 bytes at most) and the rest (100), at a `/`. */
function ustarName(path: string): [prefix: string, name: string] {
  if (Buffer.byteLength(path) <= 100) return ['', path];
  for (let at = path.indexOf('/'); at > 0; at = path.indexOf('/', at + 1)) {
    const prefix = path.slice(0, at);
    const name = path.slice(at + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '' && name !== '/') return [prefix, name];
  }
  throw new Error(`tar path too long for this writer: ${path}`);
}

function octal(h: Buffer, offset: number, width: number, value: number): void {
  h.write(`${value.toString(8).padStart(width - 1, '0')}\u0000`, offset, width);
}

/** One entry's header as read: `mode` has Unix's type bits (S_IFDIR, S_IFLNK, …) beside the permissions. */
export interface TarHeader {
  /** As the archive names it: relative, maybe with a leading `./`. */
  readonly path: string;
  readonly mode: number;
  readonly size: number;
  /** Milliseconds since the epoch. */
  readonly modified: number;
  /** A symlink's target, or the path a hard link repeats. */
  readonly linkTarget: string | undefined;
}

export interface TarReadEntry extends TarHeader {
  /** The content, when the reader was asked to keep it. */
  readonly data: Buffer | undefined;
}

/** Unix's type bits by typeflag; '1' (a hard link) and anything unknown read as a regular file. */
const TYPE_BITS: Readonly<Record<string, number>> = { '2': 0o120000, '3': 0o020000, '4': 0o060000, '5': 0o040000, '6': 0o010000 };
const S_IFREG = 0o100000;

/**
 * The entries of a tar stream, one at a time: an entry's content is kept
 * only when `keep` asks for it, and skipped otherwise, so listing a large
 * tree holds one block in memory, not the tree.
 */
export async function* readTar(input: AsyncIterable<Buffer>, keep: (header: TarHeader) => boolean): AsyncGenerator<TarReadEntry> {
  const reader = new BlockReader(input[Symbol.asyncIterator]());
  try {
    // Names and sizes from PAX ('x') or GNU ('L', 'K') records, for the next entry.
    let pending: Record<string, string> = {};
    for (;;) {
      const block = await reader.read(BLOCK);
      // Two zero blocks end the archive; a stream that just stops is taken as ended too.
      if (block === undefined || block.every((b) => b === 0)) return;
      checkSum(block);
      const type = String.fromCharCode(block[156] ?? 0);
      const headerSize = readNumber(block, 124, 12);
      if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
        const record = (await reader.readPadded(headerSize)) as Buffer;
        if (type === 'x') pending = { ...pending, ...paxRecords(record) };
        else if (type === 'L') pending = { ...pending, path: cString(record, 0, record.length) };
        else if (type === 'K') pending = { ...pending, linkpath: cString(record, 0, record.length) };
        continue;
      }
      const size = Number(pending['size'] ?? headerSize);
      const header: TarHeader = {
        path: pending['path'] ?? ustarPath(block),
        mode: (TYPE_BITS[type] ?? S_IFREG) | (readNumber(block, 100, 8) & 0o7777),
        size,
        modified: Math.round(Number(pending['mtime'] ?? readNumber(block, 136, 12)) * 1000),
        linkTarget: type === '1' || type === '2' ? (pending['linkpath'] ?? cString(block, 157, 100)) : undefined,
      };
      pending = {};
      const wanted = keep(header);
      const data = await reader.readPadded(size, wanted);
      yield { ...header, data: wanted ? data : undefined };
    }
  } finally {
    // Stopped early (a caller that found its entry): the rest of the stream is not read.
    await reader.close();
  }
}

/** Reads whole byte counts from a stream of chunks, and skips without keeping. */
class BlockReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** `n` bytes; undefined at the stream's end before the first of them. */
  async read(n: number): Promise<Buffer | undefined> {
    while (this.buffered < n) {
      const next = await this.source.next();
      if (next.done) {
        if (this.buffered === 0) return undefined;
        throw new Error(`the tar stream ended inside a block (${this.buffered} of ${n} bytes)`);
      }
      this.chunks.push(next.value);
      this.buffered += next.value.length;
    }
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    this.chunks = all.length > n ? [all.subarray(n)] : [];
    this.buffered -= n;
    return all.subarray(0, n);
  }

  /** An entry's `size` bytes and the padding to the next block; with `keep` false, skipped and undefined. */
  async readPadded(size: number, keep = true): Promise<Buffer | undefined> {
    const padded = size + ((BLOCK - (size % BLOCK)) % BLOCK);
    if (keep) return (await this.readAll(padded)).subarray(0, size);
    let left = padded;
    while (left > 0) {
      if (this.buffered === 0) await this.pull();
      const first = this.chunks[0] as Buffer;
      const taken = Math.min(left, first.length);
      if (taken === first.length) this.chunks.shift();
      else this.chunks[0] = first.subarray(taken);
      this.buffered -= taken;
      left -= taken;
    }
    return undefined;
  }

  close(): Promise<unknown> {
    return this.source.return?.() ?? Promise.resolve();
  }

  private async readAll(n: number): Promise<Buffer> {
    if (n === 0) return Buffer.alloc(0);
    const data = await this.read(n);
    if (data === undefined) throw new Error('the tar stream ended inside an entry');
    return data;
  }

  private async pull(): Promise<void> {
    const next = await this.source.next();
    if (next.done) throw new Error('the tar stream ended inside an entry');
    this.chunks.push(next.value);
    this.buffered += next.value.length;
  }
}

/** A ustar header's name, with its prefix (POSIX ustar only: GNU's magic keeps other fields there). */
function ustarPath(block: Buffer): string {
  const name = cString(block, 0, 100);
  const posix = block.toString('latin1', 257, 263) === 'ustar\u0000';
  const prefix = posix ? cString(block, 345, 155) : '';
  return prefix ? `${prefix}/${name}` : name;
}

/** PAX records: `LENGTH KEY=VALUE\n`, LENGTH counting the whole record in bytes. */
function paxRecords(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  for (let at = 0; at < data.length;) {
    const space = data.indexOf(0x20, at);
    const length = Number(data.toString('latin1', at, space));
    if (space < 0 || !Number.isInteger(length) || length <= 0) throw new Error('the tar stream has a malformed PAX record');
    const record = data.toString('utf8', space + 1, at + length - 1);
    const eq = record.indexOf('=');
    records[record.slice(0, eq)] = record.slice(eq + 1);
    at += length;
  }
  return records;
}

/** A numeric field: octal text, or (GNU, for values octal cannot hold) base-256 with the top bit set. */
function readNumber(block: Buffer, offset: number, width: number): number {
  if (((block[offset] ?? 0) & 0x80) !== 0) {
    let value = (block[offset] ?? 0) & 0x7f;
    for (let i = 1; i < width; i++) value = value * 256 + (block[offset + i] ?? 0);
    return value;
  }
  const text = block
    .toString('latin1', offset, offset + width)
    .replace(/[\0 ]+$/, '')
    .trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function cString(block: Buffer, offset: number, width: number): string {
  const end = block.indexOf(0, offset);
  return block.toString('utf8', offset, end < 0 || end > offset + width ? offset + width : end);
}

/** The header checksum (its own field counted as spaces): what tells a tar from other bytes. */
function checkSum(block: Buffer): void {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] as number);
  if (sum !== readNumber(block, 148, 8)) throw new Error('the tar stream has a header with a wrong checksum: it is not a tar archive, or it is damaged');
}
