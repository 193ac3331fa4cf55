/**
 * Running bin/bake as a user does, and standing in for a buildkitd with the
 * test engine, for the CLI integration tests.
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';

export const bake = join(repoRoot(), 'bin', 'bake');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  readonly cwd: string;
  /** The engine's socket, given to bake as DOCKER_HOST; commands that need no engine (--print, --list) go without. */
  readonly socketPath?: string;
  /** Added to (or overriding) PATH, HOME and DOCKER_HOST: nothing else of the test's environment leaks in. */
  readonly env?: Record<string, string>;
  /** Written to bake's stdin, which is then closed (so `-f -` reads it, and nothing waits on an open pipe). */
  readonly input?: string;
  /** Runs bake as this user and group (the test runs as root, who reads any file). */
  readonly uid?: number;
  readonly gid?: number;
  /** Kills bake after this long (status null): a bake that hangs fails its test instead of stalling the suite. */
  readonly timeoutMs?: number;
}

/** Runs bin/bake and measures the whole process, start to exit. */
export function runBake(args: string[], options: RunOptions): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const engine = options.socketPath === undefined ? {} : { DOCKER_HOST: `unix://${options.socketPath}` };
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', ...engine, ...options.env };
    const user = options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid };
    const child = spawn(bake, args, { cwd: options.cwd, env, timeout: options.timeoutMs, killSignal: 'SIGKILL', ...user });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // bake may exit without reading its input: a closed pipe then is no error of the test's.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, ms: performance.now() - started }));
  });
}

/**
 * Pipes one client connection to BuildKit inside dockerd: a fresh engine
 * connection upgraded with `POST /grpc` to h2c, so whatever accepted the
 * client (a unix, TCP or TLS server) behaves like a buildkitd socket.
 */
export function forwardToEngine(client: Socket, socketPath: string): void {
  client.pause();
  const engine = connect(socketPath, () => engine.write('POST /grpc HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n'));
  let head = Buffer.alloc(0);
  const onData = (c: Buffer): void => {
    head = Buffer.concat([head, c]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    engine.off('data', onData);
    client.write(head.subarray(end + 4));
    engine.pipe(client);
    client.pipe(engine);
    client.resume();
  };
  engine.on('data', onData);
  engine.on('error', () => client.destroy());
  client.on('error', () => engine.destroy());
}
