/**
 * The files of a build-debugging container (issue 13), read through
 * BuildKit's gateway: ReadDir, StatFile and ReadFile on the held build
 * state the container started from. They need no shell in the image.
 * What a process changed inside the running container is not in that
 * state: the container's own writes show only in its processes.
 */
import { posix } from 'node:path';
import type { FileStat, GatewayClient } from '../../buildkit/gateway.js';
import { unixModeOfGo } from '../../golang/file-mode.js';
import { FileAccessError, isDirectory, type ContainerFiles, type FileEntry } from './files.js';

const S_IFDIR = 0o040000;

export class BuildStateFiles implements ContainerFiles {
  constructor(
    private readonly gateway: GatewayClient,
    private readonly ref: string,
    readonly what: string,
    /** Writes a file into the running container (through a process in it). */
    private readonly writer: (path: string, data: Buffer, mode: number) => Promise<void>,
  ) {}

  async stat(path: string, signal: AbortSignal): Promise<FileEntry> {
    const clean = posix.resolve('/', path);
    if (clean === '/') return { name: '/', mode: S_IFDIR | 0o755, size: 0, modified: undefined };
    try {
      return entry(await this.gateway.statFile(this.ref, clean, signal), posix.basename(clean));
    } catch (e) {
      throw this.missing(clean, e);
    }
  }

  async list(path: string, signal: AbortSignal): Promise<FileEntry[]> {
    const clean = posix.resolve('/', path);
    const self = await this.stat(clean, signal);
    if (!isDirectory(self.mode)) return [self];
    const entries = await this.gateway.readDir(this.ref, clean, signal).catch((e: unknown) => {
      throw this.missing(clean, e);
    });
    return entries.map((s) => entry(s, posix.basename(s.path))).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async read(path: string, signal: AbortSignal): Promise<Buffer> {
    const clean = posix.resolve('/', path);
    const self = await this.stat(clean, signal);
    if (isDirectory(self.mode)) throw new FileAccessError(`${clean} in ${this.what} is a directory; ls ${clean} lists it`);
    return this.gateway.readFile(this.ref, clean, undefined, signal);
  }

  async write(path: string, data: Buffer, mode: number): Promise<void> {
    await this.writer(posix.resolve('/', path), data, mode);
  }

  private missing(path: string, e: unknown): FileAccessError {
    const detail = (e as { details?: string }).details ?? (e as Error).message;
    return new FileAccessError(`${path} is not in ${this.what} (${detail})`);
  }
}

function entry(stat: FileStat, name: string): FileEntry {
  const modTime = stat.modTime === undefined ? undefined : Number(BigInt(stat.modTime) / 1_000_000n);
  return {
    name,
    mode: unixModeOfGo(stat.mode),
    size: Number(stat.size ?? 0),
    modified: modTime,
    ...(stat.linkname ? { linkTarget: stat.linkname } : {}),
  };
}
