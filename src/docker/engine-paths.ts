/**
 * Where the embedded engine (product §5) keeps everything: one directory per
 * user under the XDG state dir, so it never touches a system dockerd's files.
 * Pure: the environment is passed in.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export interface EnginePaths {
  readonly stateDir: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly pidFile: string;
  readonly socket: string;
  readonly logFile: string;
  /** The default bridge's interface name (at most 15 characters, a Linux limit). */
  readonly bridge: string;
  /** containerd namespaces, so a shared system containerd keeps our containers apart. */
  readonly containerdNamespace: string;
}

/**
 * The prefix of every bridge bake creates (an embedded engine's default
 * bridge, the networks of bake dev): the embedded engine's firewall rule
 * matches it.
 */
export const BRIDGE_PREFIX = 'bake';

/** bake's state for `env`: $XDG_STATE_HOME/bake, else ~/.local/state/bake. */
export function bakeStateDir(env: Readonly<Record<string, string | undefined>>, home: string): string {
  const xdg = env['XDG_STATE_HOME'];
  // The XDG spec says a relative XDG_STATE_HOME is invalid and must be ignored.
  return xdg?.startsWith('/') ? join(xdg, 'bake') : join(env['HOME'] || home, '.local', 'state', 'bake');
}

/** The engine's paths for `env` ($XDG_STATE_HOME/bake/engine, else ~/.local/state/bake/engine). */
export function enginePaths(env: Readonly<Record<string, string | undefined>>, home: string): EnginePaths {
  const stateDir = join(bakeStateDir(env, home), 'engine');
  // Names derived from the state dir let two engines (a user's and a test's) run side by side.
  const id = createHash('sha256').update(stateDir).digest('hex').slice(0, 8);
  return {
    stateDir,
    dataRoot: join(stateDir, 'data'),
    execRoot: join(stateDir, 'run'),
    pidFile: join(stateDir, 'dockerd.pid'),
    socket: join(stateDir, 'docker.sock'),
    logFile: join(stateDir, 'dockerd.log'),
    bridge: `${BRIDGE_PREFIX}${id}`,
    containerdNamespace: `bake-${id}`,
  };
}
