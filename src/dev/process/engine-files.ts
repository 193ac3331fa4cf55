/**
 * The files of a dev container, through the Engine's archive API (what
 * `docker cp` uses): no shell, no exec, and a stopped container works too.
 * The engine has no directory listing: `list` reads the directory's tar,
 * keeping the headers of its direct entries and skipping all content.
 */
import type { DockerEngine } from '../../docker/engine-api.js';
import { isNotFound } from '../../docker/errors.js';
import { readTar, tarArchive } from '../../docker/tar.js';
import type { ContainerPathStat } from '../../docker/types.js';
import { unixModeOfGo } from '../../golang/file-mode.js';
import { goBase, goClean, goDir, goJoin } from '../../golang/path.js';
import { FileAccessError, isDirectory, isSymlink, type ContainerFiles, type FileEntry } from './files.js';

/** As Linux: a symlink chain longer than this is a loop. */
const MAX_SYMLINKS = 40;

export class EngineContainerFiles implements ContainerFiles {
  constructor(
    private readonly engine: DockerEngine,
    private readonly containerId: string,
    readonly what: string,
  ) {}

  async stat(path: string, signal: AbortSignal): Promise<FileEntry> {
    return entryOf(await this.found(path, () => this.engine.containers.statPath(this.containerId, path, signal)));
  }

  async list(path: string, signal: AbortSignal): Promise<FileEntry[]> {
    const { stat, tar } = await this.found(path, () => this.engine.containers.getArchive(this.containerId, path, signal));
    if (!isDirectory(unixModeOfGo(stat.mode))) {
      tar.destroy();
      throw new FileAccessError(`${path} in ${this.what} is not a directory`);
    }
    // The tar names the directory itself first ("etc/", or "./" for /), then everything under it.
    let root: string | undefined;
    const entries: FileEntry[] = [];
    for await (const h of readTar(tar, () => false)) {
      const name = goClean(h.path);
      if (root === undefined) root = name;
      else if (goDir(name) === root) entries.push({ name: goBase(name), mode: h.mode, size: h.size, modified: h.modified, ...link(h.linkTarget) });
    }
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Follows symlinks, as `cat` does. */
  async read(path: string, signal: AbortSignal): Promise<Buffer> {
    let at = path;
    for (let hops = 0; hops <= MAX_SYMLINKS; hops++) {
      const { stat, tar } = await this.found(at, () => this.engine.containers.getArchive(this.containerId, at, signal));
      const mode = unixModeOfGo(stat.mode);
      if (isSymlink(mode)) {
        tar.destroy();
        at = stat.linkTarget.startsWith('/') ? goClean(stat.linkTarget) : goJoin(goDir(at), stat.linkTarget);
        continue;
      }
      if (isDirectory(mode)) {
        tar.destroy();
        throw new FileAccessError(`${path} in ${this.what} is a directory; ls ${path} lists it`);
      }
      for await (const entry of readTar(tar, () => true)) return entry.data ?? Buffer.alloc(0);
      throw new Error(`the engine sent an empty archive for ${at} in ${this.what}`);
    }
    throw new FileAccessError(`${path} in ${this.what} is a chain of more than ${MAX_SYMLINKS} symlinks; it probably loops`);
  }

  async write(path: string, data: Buffer, mode: number, signal: AbortSignal): Promise<void> {
    const dir = goDir(path);
    // The engine's own word for a file where the directory should be is an HTTP 500 ("extraction point is not a directory").
    if (!isDirectory((await this.stat(dir, signal)).mode)) throw new FileAccessError(`${dir} in ${this.what} is not a directory`);
    const tar = tarArchive([{ type: 'file', path: goBase(path), data, mode: mode & 0o7777, mtime: Math.floor(Date.now() / 1000) }]);
    await this.found(dir, () => this.engine.containers.putArchive(this.containerId, dir, tar, signal));
  }

  /**
   * Writes many files in one archive put at `/` (a watch sync's batch): the
   * engine creates missing parent directories, so the files' directories
   * need not exist. Paths are absolute; modes are permission bits.
   */
  async writeAll(files: readonly { readonly path: string; readonly data: Buffer; readonly mode: number }[], signal: AbortSignal): Promise<void> {
    const mtime = Math.floor(Date.now() / 1000);
    const tar = tarArchive(files.map((f) => ({ type: 'file', path: goClean(f.path).slice(1), data: f.data, mode: f.mode & 0o7777, mtime })));
    await this.engine.containers.putArchive(this.containerId, '/', tar, signal);
  }

  /** `call` on `path`, the engine's 404 (no such path) said as a FileAccessError. */
  private async found<T>(path: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (isNotFound(e)) throw new FileAccessError(`${this.what} has no ${path}; ls ${goDir(path)} shows what is there`);
      throw e;
    }
  }
}

function entryOf(stat: ContainerPathStat): FileEntry {
  return { name: stat.name, mode: unixModeOfGo(stat.mode), size: stat.size, modified: Date.parse(stat.mtime), ...link(stat.linkTarget) };
}

/** `linkTarget` only when there is one (exactOptionalPropertyTypes). */
function link(target: string | undefined): { readonly linkTarget?: string } {
  return target ? { linkTarget: target } : {};
}
