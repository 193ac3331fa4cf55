/**
 * The server's dir must be this user's alone, as ssh-agent and tmux require
 * of theirs: with a shared XDG_RUNTIME_DIR, another user who made the dir
 * (or swapped the socket) would receive this user's client connections,
 * and with them its environment. Client and server both check before use.
 */
import { accessSync, constants, lstatSync, mkdirSync, type Stats } from 'node:fs';
import { systemErrorReason, usageError } from '../../core/errors.js';
import type { ServerPaths } from './paths.js';

const FIX = 'Remove it (as its owner or root), or set XDG_RUNTIME_DIR to a directory only you can write.';

/** Throws a usage error when the dir or the socket is not this user's; creates the dir (0700) when `create` and it is missing. */
export function checkPrivateDir(paths: ServerPaths, create: boolean): void {
  const uid = process.getuid?.();
  let dir = statOf(paths.dir);
  if (!dir && create) {
    try {
      mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw unusable(paths.dir, e);
    }
    dir = statOf(paths.dir);
  }
  if (!dir) return;
  if (!dir.isDirectory()) throw usageError(`bake cannot keep its server in ${paths.dir}: it is not a directory`, FIX);
  if (uid !== undefined && dir.uid !== uid)
    throw usageError(`the bake server dir ${paths.dir} belongs to uid ${dir.uid}, not to you (uid ${uid}): a server there could be another user's`, FIX);
  const socket = statOf(paths.socket, (e) =>
    usageError(
      `bake cannot reach the server socket ${paths.socket}: ${systemErrorReason(e)}`,
      `Let yourself into ${paths.dir} (chmod 700 ${paths.dir}), or set XDG_RUNTIME_DIR to a directory of your own.`,
    ),
  );
  if (!socket) return;
  if (uid !== undefined && socket.uid !== uid)
    throw usageError(`the bake server socket ${paths.socket} belongs to uid ${socket.uid}, not to you (uid ${uid}): it could be another user's server`, FIX);
  try {
    accessSync(paths.socket, constants.R_OK | constants.W_OK);
  } catch (e) {
    throw usageError(
      `bake cannot open the server socket ${paths.socket}: ${systemErrorReason(e)}`,
      `Give it back to yourself (chmod 600 ${paths.socket}), or stop that server as its owner.`,
    );
  }
}

/** The entry's lstat (a symlink is not followed, so it is no directory), or undefined when there is none; `failed` says why it cannot be read. */
function statOf(path: string, failed: (e: unknown) => Error = (e) => unusable(path, e)): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw failed(e);
  }
}

function unusable(path: string, e: unknown): Error {
  return usageError(
    `bake cannot keep its server in ${path}: ${systemErrorReason(e)}`,
    'Set XDG_RUNTIME_DIR to a directory of your own, or unset it (bake then uses its state dir).',
  );
}
