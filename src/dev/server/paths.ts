/**
 * Where the per-user server lives (product.md §4): one stable directory,
 * $XDG_RUNTIME_DIR/bake when the session has one (tmpfs, per login), else
 * bake's state dir. Pure: the environment is passed in.
 */
import { join } from 'node:path';
import { bakeStateDir } from '../../docker/engine-paths.js';

export interface ServerPaths {
  /** Created 0700. */
  readonly dir: string;
  /** The gRPC socket, 0600. */
  readonly socket: string;
  /** The terminals' socket beside it (messages.proto, AttachOpen), 0600. */
  readonly attach: string;
  /** The calls socket beside it (messages.proto, CallRequest), 0600: what the commands that only ask use. */
  readonly calls: string;
  /** Held by the running server: its pid, so a second server started at the same moment backs off. */
  readonly lock: string;
  readonly logFile: string;
  /** The engines sessions were created on: where a restarted server looks for them. */
  readonly engines: string;
  /** The host services running (pid and plan by session): the engine knows nothing of them. */
  readonly hosts: string;
}

/** Names the descriptor on which a server started by a client says it listens: a line, then it closes it. */
export const READY_FD_VARIABLE = 'BAKE_SERVER_READY_FD';

/**
 * Set for a primed server: one a cold `bake dev` starts before it has read
 * its bake files. It loads itself, then waits on the ready descriptor for its
 * client's "go" before it touches anything; the pipe closing unsaid (the files
 * were wrong, the client exited) ends it.
 */
export const PRIMED_VARIABLE = 'BAKE_SERVER_PRIMED';

export function serverPaths(env: Readonly<Record<string, string | undefined>>, home: string): ServerPaths {
  const runtime = env['XDG_RUNTIME_DIR'];
  const dir = runtime?.startsWith('/') ? join(runtime, 'bake') : bakeStateDir(env, home);
  return {
    dir,
    socket: join(dir, 'server.sock'),
    attach: join(dir, 'attach.sock'),
    calls: join(dir, 'calls.sock'),
    lock: join(dir, 'server.lock'),
    logFile: join(dir, 'server.log'),
    engines: join(dir, 'server-engines.json'),
    hosts: join(dir, 'server-hosts.json'),
  };
}
