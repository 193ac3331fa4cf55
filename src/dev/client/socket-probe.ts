/**
 * Why the server socket gave no hello: connect(2) itself says, so the answer
 * is the kernel's, not a guess from the file's mode (access(2) checks the
 * real uid, connect the effective one, and neither sees a listener).
 */
import { connect } from 'node:net';

export type SocketState =
  /** No socket: no server runs. */
  | { readonly state: 'absent' }
  /** A socket no one listens on: the server that made it ended. */
  | { readonly state: 'stale' }
  /** Something accepts connections there. */
  | { readonly state: 'listening' }
  /** A socket this process may not connect to: `reason` says why. */
  | { readonly state: 'unreachable'; readonly reason: string };

const REASONS: Readonly<Record<string, string>> = { EACCES: 'permission denied', EPERM: 'operation not permitted' };

export function probeSocket(path: string): Promise<SocketState> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve({ state: 'listening' });
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      socket.destroy();
      if (e.code === 'ENOENT') resolve({ state: 'absent' });
      else if (e.code === 'ECONNREFUSED') resolve({ state: 'stale' });
      else resolve({ state: 'unreachable', reason: REASONS[e.code ?? ''] ?? e.code ?? e.message });
    });
  });
}
