/**
 * The per-user bake server (`bake server run`, started detached by the first
 * client): one gRPC service on a unix socket at a stable path, and the
 * terminals' attach socket and the calls socket beside it; dir 0700,
 * sockets 0600. It exits when stopped (ending every session) or after a
 * grace period with no session and no call; a crash leaves the containers
 * running for the next server to recover.
 */
import { chmodSync, rmSync } from 'node:fs';
import { Socket, type Server as NetServer } from 'node:net';
import { homedir } from 'node:os';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { DEV_PROTOCOL_VERSION } from '../labels.js';
import { DevService } from '../protocol/generated/dev.js';
import { answerCall, attachTerminal, devHandlers, type ServerContext } from './api.js';
import { listenForAttach } from './attach-listener.js';
import { listenForCalls } from './call-listener.js';
import { takeLock } from './lock.js';
import { PRIMED_VARIABLE, READY_FD_VARIABLE, serverPaths } from './paths.js';
import { checkPrivateDir } from './private-dir.js';
import { SessionRegistry } from './registry.js';

/** Runs the server until it is stopped or idles out. */
export async function runServer(env: Readonly<Record<string, string | undefined>>, version: string): Promise<void> {
  const paths = serverPaths(env, homedir());
  // Read once and dropped: the processes this server starts must not think they were told to say so.
  const client = clientPipe(Number(env[READY_FD_VARIABLE] ?? NaN));
  const primed = env[PRIMED_VARIABLE] !== undefined;
  Reflect.deleteProperty(process.env, READY_FD_VARIABLE);
  Reflect.deleteProperty(process.env, PRIMED_VARIABLE);
  if (primed && !(client && (await toldToGo(client)))) return;
  checkPrivateDir(paths, true);
  chmodSync(paths.dir, 0o700);
  const log = (line: string): void => void process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  if (!takeLock(paths)) {
    log('another bake server holds the lock; this one exits');
    return;
  }
  const server = new Server({ 'grpc.max_receive_message_length': 16 << 20 });
  const registry = new SessionRegistry(paths, log);
  const graceMs = Number(env['BAKE_SERVER_GRACE_SECONDS'] ?? 60) * 1000;
  let idleSince = Date.now();
  let stopping: Promise<void> | undefined;
  let calls = 0;
  let terminals: Promise<NetServer> | undefined;
  let asking: Promise<NetServer> | undefined;
  // The grace period starts when the last call ends: a server that just answered one (bake dev ls, server status) stays its full grace.
  const activeCalls = {
    get count(): number {
      return calls;
    },
    set count(n: number) {
      calls = n;
      if (n === 0) idleSince = Date.now();
    },
  };
  const done = new Promise<void>((resolve) => {
    const shutdown = (why: string): void => {
      stopping ??= (async () => {
        log(`stopping (${why}): ending ${registry.size} session(s)`);
        await Promise.all(
          registry
            .all()
            .map((s) =>
              registry.stop(s, false, `the bake server stopped (${why})`).catch((e: unknown) => log(`ending session ${s.id}: ${(e as Error).message}`)),
            ),
        );
        // The Shutdown call's answer is sent before the listener goes; a stuck call does not hold the exit.
        const force = setTimeout(() => server.forceShutdown(), 2000);
        await new Promise<void>((done) => server.tryShutdown(() => done()));
        clearTimeout(force);
        (await terminals?.catch(() => undefined))?.close();
        (await asking?.catch(() => undefined))?.close();
        rmSync(paths.socket, { force: true });
        rmSync(paths.attach, { force: true });
        rmSync(paths.calls, { force: true });
        rmSync(paths.lock, { force: true });
        resolve();
      })();
    };
    const ctx: ServerContext = {
      registry,
      version,
      startedAt: Date.now(),
      socket: paths.socket,
      logFile: paths.logFile,
      log,
      shutdown,
      activeCalls,
      stopping: () => stopping !== undefined,
    };
    server.addService(DevService, devHandlers(ctx));
    // Listening before the gRPC socket: a client that got its Hello answered can attach, or ask, at once.
    terminals = listenForAttach(paths.attach, (call) => attachTerminal(ctx, call));
    asking = listenForCalls(paths.calls, (req) => answerCall(ctx, req));
    for (const [path, listening] of [
      [paths.attach, terminals],
      [paths.calls, asking],
    ] as const)
      listening.catch((e: unknown) => {
        log(`cannot listen on ${path}: ${(e as Error).message}`);
        shutdown('listen failed');
      });
    rmSync(paths.socket, { force: true });
    server.bindAsync(`unix:${paths.socket}`, ServerCredentials.createInsecure(), (err) => {
      if (err) {
        log(`cannot listen on ${paths.socket}: ${err.message}`);
        return shutdown('listen failed');
      }
      chmodSync(paths.socket, 0o600);
      log(`bake server ${version} (protocol ${DEV_PROTOCOL_VERSION}) listening on ${paths.socket}, pid ${process.pid}`);
      client?.end('listening\n');
      void registry.recoverKnown();
    });
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    const idle = setInterval(
      () => {
        if (registry.size > 0 || activeCalls.count > 0) idleSince = Date.now();
        else if (Date.now() - idleSince >= graceMs) shutdown(`no session for ${graceMs / 1000}s`);
      },
      Math.min(5000, Math.max(graceMs / 4, 250)),
    );
    idle.unref();
  });
  await done;
}

/** The pipe to the client that started this server (READY_FD_VARIABLE); a server started otherwise has none. */
function clientPipe(fd: number): Socket | undefined {
  if (!Number.isInteger(fd) || fd < 3) return undefined;
  const pipe = new Socket({ fd, readable: true, writable: true });
  // The client may have given up waiting and gone: it finds the server by its socket next time.
  pipe.on('error', () => undefined);
  // The server's life is its sockets' and sessions': this pipe holds nothing open but a primed server's wait.
  pipe.unref();
  return pipe;
}

/** Whether the client that primed this server said "go" (its bake files are good); false when it went without. */
function toldToGo(pipe: Socket): Promise<boolean> {
  pipe.ref();
  return new Promise<boolean>((resolve) => {
    pipe.once('data', () => resolve(true));
    pipe.once('end', () => resolve(false));
    pipe.once('close', () => resolve(false));
  }).finally(() => {
    pipe.pause();
    pipe.unref();
  });
}
