/**
 * The temp dirs a test file makes, each removed when the file's process
 * exits, so runs leave nothing in the temp dir. At exit rather than in a
 * node:test `after` hook: an `after` registered inside a `before` hook runs
 * as soon as that hook ends, and one registered at the top level runs before
 * the file's own `after` hooks (which stop the servers still using the dir).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh private dir in the temp dir (os.tmpdir(): TMPDIR when set), named `prefix` and mkdtemp's suffix, removed at exit. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
