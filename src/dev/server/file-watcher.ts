/**
 * The host side of `bake dev --watch`: inotify through chokidar (4.x:
 * pure JavaScript over fs.watch, one small dependency, Node ≥ 14), whose
 * editor normalisation (an atomic save's unlink + add told as one change)
 * bake would otherwise write itself. Directories nothing can hit are never
 * descended into, so node_modules under an ignore costs no watches.
 */
import { watch } from 'chokidar';

export interface FileWatcher {
  close(): Promise<void>;
}

export interface FileEvents {
  /** A file was created, written or removed (a removed directory is one removal). */
  readonly change: (path: string, removed: boolean) => void;
  readonly error: (error: Error) => void;
}

/** Watches `roots` (absolute) until closed; resolves once the initial scan is done, so a save right after is seen. */
export function watchFiles(roots: readonly string[], ignored: (path: string) => boolean, events: FileEvents): Promise<FileWatcher> {
  const watcher = watch([...roots], { ignoreInitial: true, ignored, persistent: true });
  watcher.on('add', (path) => events.change(path, false));
  watcher.on('change', (path) => events.change(path, false));
  watcher.on('unlink', (path) => events.change(path, true));
  watcher.on('unlinkDir', (path) => events.change(path, true));
  watcher.on('error', (e) => events.error(e instanceof Error ? e : new Error(String(e))));
  return new Promise((resolve) => watcher.once('ready', () => resolve({ close: () => watcher.close() })));
}
