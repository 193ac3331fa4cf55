/**
 * Files bake keeps in its state and temp dirs, written whole: aside under a
 * name of their own, then renamed over the file. A concurrent reader never
 * sees half a file, and a full disk leaves the last good copy, never an
 * empty or partial one (nor the partial itself: it is removed).
 */
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';

/** Writes `data` to `file` whole; `mtime` (seconds) fixes its modification time, so a transfer that compares it sends nothing again. Throws what failed. */
export function writeWholeFile(file: string, data: string, options: { readonly mode?: number; readonly mtime?: number } = {}): void {
  const partial = `${file}.${randomBytes(6).toString('hex')}`;
  try {
    writeFileSync(partial, data, options.mode === undefined ? {} : { mode: options.mode });
    if (options.mtime !== undefined) utimesSync(partial, options.mtime, options.mtime);
    renameSync(partial, file);
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }
}
