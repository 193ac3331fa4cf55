/**
 * The server's process as a client sees it: starting one (detached, with a
 * pipe on which it says when it listens), and waiting for one that stops
 * to go. No gRPC here: `bake dev` starts its server before it loads the
 * client, so the two start side by side.
 */
import { spawn } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import type { Socket } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../buildkit/package-root.js';
import { lockHolder } from '../server/lock.js';
import { PRIMED_VARIABLE, READY_FD_VARIABLE, serverPaths, type ServerPaths } from '../server/paths.js';
import { checkPrivateDir } from '../server/private-dir.js';

/** `bake server run` by this package's bin/bake, as a client starts the server. */
export function serverRunCommand(): string[] {
  return [process.execPath, join(packageRoot(), 'bin', 'bake'), 'server', 'run'];
}

/**
 * Starts the server when none holds the lock: a cold `bake dev` does so as
 * soon as its bake files are read, while it loads the rest of itself. One
 * started meanwhile by another client wins the lock; this one then exits,
 * and connectServer waits for the winner.
 */
export function startServerUnlessRunning(env: Readonly<Record<string, string | undefined>>): StartedServer | undefined {
  const paths = serverPaths(env, homedir());
  return lockHolder(paths) === undefined ? startServer(serverRunCommand(), paths, env) : undefined;
}

/**
 * What of the first client's environment the server keeps: where it lives,
 * bake's and Docker's settings, the locale. Each session brings its own
 * client's environment (its bake files' variables, host services) in Up; the
 * server outlives this client and must not carry its tokens for other sessions.
 */
function serverEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const kept =
    /^(PATH|HOME|USER|LOGNAME|LANG|LC_\w+|TZ|TMPDIR|XDG_(RUNTIME_DIR|STATE_HOME|CACHE_HOME|CONFIG_HOME)|BAKE_\w+|DOCKER_(HOST|CONFIG|CONTEXT|CERT_PATH|TLS_VERIFY)|BUILDKIT_HOST)$/;
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && kept.test(e[0])));
}

/** A server this client started: `exitCode` is set if it exits while this client waits. */
export interface StartedServer {
  exitCode: number | undefined;
  /** Resolves when it listens (it says so on a pipe, sooner than polling would see), has given up, or at `deadline`. */
  listening(deadline: number): Promise<void>;
}

/**
 * Starts `bake server run` detached: its own session and process group, its
 * output appended to the log, and a pipe on which it says when it listens.
 */
export function startServer(command: readonly string[], paths: ServerPaths, env: Readonly<Record<string, string | undefined>>): StartedServer {
  checkPrivateDir(paths, true);
  return spawnServer(command, openSync(paths.logFile, 'a', 0o600), env, false).started;
}

/** A server started before its client has read the bake files (PRIMED_VARIABLE): `go` lets it start serving. */
export interface PrimedServer {
  go(): StartedServer;
}

/**
 * Primes a server when none holds the lock, for a cold `bake dev`: it loads
 * itself while this client reads the bake files, and touches nothing until
 * `go` (the files are good). This client exiting first ends it. Only where a
 * server ran before, with its log there to append to: a first start must not
 * make the server's directory before the bake files are checked.
 */
export function primeServer(env: Readonly<Record<string, string | undefined>>): PrimedServer | undefined {
  const paths = serverPaths(env, homedir());
  let log: number;
  try {
    checkPrivateDir(paths, false);
    if (lockHolder(paths) !== undefined) return undefined;
    log = openSync(paths.logFile, constants.O_WRONLY | constants.O_APPEND);
  } catch {
    // No log yet, or a dir the normal start reports on: that start does it.
    return undefined;
  }
  const { started, pipe } = spawnServer(serverRunCommand(), log, env, true);
  return {
    go: () => {
      pipe.write('go\n');
      return started;
    },
  };
}

function spawnServer(
  [command = '', ...args]: readonly string[],
  log: number,
  env: Readonly<Record<string, string | undefined>>,
  primed: boolean,
): { started: StartedServer; pipe: Socket } {
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', log, log, 'pipe'],
    env: { ...serverEnvironment(env), [READY_FD_VARIABLE]: '3', ...(primed ? { [PRIMED_VARIABLE]: '1' } : {}) },
    cwd: '/',
  });
  const pipe = child.stdio[3] as Socket;
  // It outlives this client, and a client may end (its bake file was wrong) without asking whether it listens: its pipe holds nothing open.
  pipe.unref();
  // A primed server that was never told to go is gone when this client is: nothing to say to it.
  pipe.on('error', () => undefined);
  const told = new Promise<void>((resolve) => {
    pipe.once('data', () => resolve());
    // A server that lost the race to start, or failed, closes it unsaid.
    pipe.once('close', () => resolve());
    pipe.once('error', () => resolve());
  });
  const started: StartedServer = {
    exitCode: undefined,
    listening: async (deadline) => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([told, new Promise<void>((resolve) => (timer = setTimeout(resolve, deadline - Date.now())))]);
      clearTimeout(timer);
      pipe.destroy();
    },
  };
  child.on('exit', (code, signal) => (started.exitCode = code ?? (signal ? 128 : 1)));
  child.unref();
  closeSync(log);
  return { started, pipe };
}
