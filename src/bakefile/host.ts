/**
 * What the pure core may learn of the host's files, passed in as the rest of
 * the world is (architecture.md): load.ts implements it over node:fs, tests
 * over a map. Paths are as the user wrote them, relative to the working
 * directory, which is how buildx (a process in that directory) opens them.
 */

/** A failure as Go's os package words it after the path: "no such file or directory", "permission denied". */
export interface HostFileError {
  readonly error: string;
}

export interface HostFiles {
  /** Where relative paths start (the directory bake runs in), for messages that say so. */
  readonly workingDirectory: string;
  /** os.ReadFile: the text, or why it cannot be read. */
  read(path: string): { readonly text: string } | HostFileError;
  /** os.Stat: the size and kind, or why it cannot be. */
  stat(path: string): HostFileInfo | HostFileError;
}

export interface HostFileInfo {
  readonly size: number;
  readonly kind: 'file' | 'directory' | 'socket' | 'other';
}

export function isHostFileError(result: object): result is HostFileError {
  return 'error' in result;
}
