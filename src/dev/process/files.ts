/**
 * The files of the container a process runs in, for the monitor's `ls`,
 * `cat` and `cp` (issue 13): they work without a shell in the image. A dev
 * container's go through the Engine's archive API; a build container's
 * through BuildKit's gateway (ReadDir, ReadFile, StatFile on its result).
 */
import { UserError } from '../../core/errors.js';

/** One directory entry, or the stat of one path. */
export interface FileEntry {
  /** The base name (for a stat: the path's last element). */
  readonly name: string;
  /** Unix mode bits including the type (S_IFDIR 0o040000, S_IFLNK 0o120000, S_IFREG 0o100000). */
  readonly mode: number;
  readonly size: number;
  /** Milliseconds since the epoch; undefined when the source does not say. */
  readonly modified: number | undefined;
  /** A symlink's target. */
  readonly linkTarget?: string;
}

export interface ContainerFiles {
  /** What `what` says these files are, for messages: "the build result of api", "container shop-1a2b3c-api". */
  readonly what: string;
  /** The entry at `path` (absolute); a FileAccessError when it does not exist. */
  stat(path: string, signal: AbortSignal): Promise<FileEntry>;
  /** A directory's entries, sorted by name. */
  list(path: string, signal: AbortSignal): Promise<FileEntry[]>;
  /** A regular file's bytes. */
  read(path: string, signal: AbortSignal): Promise<Buffer>;
  /** Writes a regular file (creating or replacing it) with `mode`'s permission bits. */
  write(path: string, data: Buffer, mode: number, signal: AbortSignal): Promise<void>;
}

const S_IFMT = 0o170000;

/** True for a directory's mode. */
export function isDirectory(mode: number): boolean {
  return (mode & S_IFMT) === 0o040000;
}

/** True for a symlink's mode. */
export function isSymlink(mode: number): boolean {
  return (mode & S_IFMT) === 0o120000;
}

/** A path that is missing, or of the wrong kind, in the container: one sentence for the user. */
export class FileAccessError extends UserError {
  constructor(message: string) {
    super('run', message);
    this.name = 'FileAccessError';
  }
}
