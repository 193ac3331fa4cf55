/**
 * The server's lock file: the running server's pid. A server that stops
 * removes it after ending its sessions; one that was killed leaves it, with
 * its sessions' containers in the engine for the next server to take over.
 */
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerPaths } from './paths.js';

/**
 * The lock file holds the running server's pid: created exclusively, so two
 * servers started at the same moment never both listen; a stale one (its pid
 * gone) is taken over.
 */
export function takeLock(paths: ServerPaths): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    // Written whole under another name, then linked into place: no server ever reads a lock without its pid.
    const mine = `${paths.lock}.${process.pid}`;
    try {
      // Inside the try: a write that fails (the disk is full) leaves no empty lock of another name behind.
      writeFileSync(mine, String(process.pid), { mode: 0o600 });
      linkSync(mine, paths.lock);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(paths.lock, 'utf8').trim());
      if (pid !== process.pid && alive(pid)) return false;
      rmSync(paths.lock, { force: true });
    } finally {
      rmSync(mine, { force: true });
    }
  }
  return false;
}

/**
 * Whether `pid` is a running bake server. A killed server nobody reaped (a
 * container's init may not) is a zombie with an empty command line, and a
 * pid reused after a reboot is another program: dead, for this purpose.
 */
function alive(pid: number): boolean {
  // An empty or garbled lock names no process.
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('server');
  } catch {
    // No /proc (not Linux): the signal check is all there is.
    return true;
  }
}

/**
 * Whether a server ended without ending its sessions (killed, crashed): its
 * lock is still there and its pid runs no server. Its sessions may still run
 * in the engine, and only a server can list them (it adopts them from their labels).
 */
export function abandonedLock(paths: ServerPaths): boolean {
  const pid = lockPid(paths);
  return pid !== undefined && !alive(pid);
}

/** The pid of the running server that holds the lock; undefined when none does (no lock, or an abandoned one). */
export function lockHolder(paths: ServerPaths): number | undefined {
  const pid = lockPid(paths);
  return pid !== undefined && alive(pid) ? pid : undefined;
}

/** Resolves once the server now holding the lock has released it (or exited), or at `deadline`. */
export async function lockReleased(paths: ServerPaths, deadline: number): Promise<void> {
  const holder = lockHolder(paths);
  while (holder !== undefined && lockHolder(paths) === holder && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/** The pid the lock file names, if there is one. */
function lockPid(paths: ServerPaths): number | undefined {
  try {
    return Number(readFileSync(paths.lock, 'utf8').trim());
  } catch {
    return undefined;
  }
}
