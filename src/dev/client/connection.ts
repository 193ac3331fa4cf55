/**
 * The client's side of the server socket: connects, starting the server
 * when none answers (detached: its own session and process group, output
 * to its log file), and says hello, warning when the versions differ.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { openSync, closeSync, statfsSync } from 'node:fs';
import { homedir } from 'node:os';
import { credentials, Metadata, status, type CallOptions, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { usageError, UserError } from '../../core/errors.js';
import { DEV_PROTOCOL_VERSION, SERVER_STOPPING } from '../labels.js';
import {
  DevClient as DevStub,
  type CommandOut,
  type CommandRequest,
  type DebugEvent,
  type DebugRequest,
  type HelloReply,
  type ListReply,
  type SessionEvent,
  type SessionInfo,
  type ShutdownReply,
  type StopReply,
  type UpRequest,
} from '../protocol/generated/dev.js';
import { READY_FD_VARIABLE, serverPaths, type ServerPaths } from '../server/paths.js';
import { lockHolder } from '../server/lock.js';
import { checkPrivateDir } from '../server/private-dir.js';
import { probeSocket } from './socket-probe.js';
import { openAttachChannel, refusedAttachChannel, type AttachChannel } from './attach-channel.js';
import { serverError, ServerError } from './server-error.js';

/** A unary call's end: its error, else its reply. */
type Done<Res> = (err: ServiceError | null, res: Res) => void;

export class DevClient {
  constructor(
    private readonly stub: DevStub,
    readonly hello: HelloReply,
    private readonly attachSocket: string,
  ) {}

  list(engine: string): Promise<ListReply> {
    return unary((done, options) => this.stub.list({ engine }, new Metadata(), options, done));
  }

  stop(session: string, volumes: boolean): Promise<StopReply> {
    return unary((done, options) => this.stub.stop({ session, volumes }, new Metadata(), options, done), 120_000);
  }

  shutdown(): Promise<ShutdownReply> {
    return unary((done, options) => this.stub.shutdown({}, new Metadata(), options, done));
  }

  /** Streams `onStatus` until the session is up; resolves with the session then. */
  up(req: UpRequest, onStatus: (line: string) => void, signal: AbortSignal): Promise<SessionInfo> {
    return untilAnswer(cancelledBy(this.stub.up(req), signal), onStatus, 'the session start').then((answer) => answer.value);
  }

  /** Streams the debug build's progress to `onStatus` until a shell is ready (its session and process), or every target built (why). */
  debug(req: DebugRequest, onStatus: (line: string) => void, signal: AbortSignal): Promise<Exclude<DebugEvent['event'], { $case: 'status' } | undefined>> {
    return untilAnswer(cancelledBy(this.stub.debug(req), signal), onStatus, 'the debug build');
  }

  /** A monitor command run in the server; `onOut` sees its output. */
  command(req: CommandRequest, onOut: (out: CommandOut) => void, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const call = cancelledBy(this.stub.command(req), signal);
      call.on('data', onOut);
      call.on('error', (e: ServiceError) => (signal.aborted ? resolve() : reject(serverError(e))));
      call.on('end', () => resolve());
    });
  }

  /**
   * A terminal's connection (dev.proto, AttachOpen), beside the server
   * socket. A server of another protocol has no such socket, or another one:
   * refused at once, as retrying through the same server would go round forever.
   */
  attach(): AttachChannel {
    if (this.hello.protocol !== DEV_PROTOCOL_VERSION)
      return refusedAttachChannel(
        new ServerError(
          `the bake server speaks protocol ${this.hello.protocol} and this client protocol ${DEV_PROTOCOL_VERSION}, so its terminals cannot be reached from here`,
          'Run bake server stop, then retry, to start a server of this version.',
          status.FAILED_PRECONDITION,
        ),
      );
    return openAttachChannel(this.attachSocket);
  }

  /** The session's events for this terminal (its end, its engine's state) until the call is cancelled or the session ends. */
  follow(session: string, clientId: string): ClientReadableStream<SessionEvent> {
    return this.stub.follow({ session, client_id: clientId });
  }

  close(): void {
    this.stub.close();
  }
}

/** A call's events: status lines, then one answer (any other case). */
type Answered<Answer> = { readonly event?: { $case: 'status'; value: string } | Answer | undefined };

/** A call that streams status lines, then one answer. */
function untilAnswer<Answer extends { $case: string }>(
  call: ClientReadableStream<Answered<Answer>>,
  onStatus: (line: string) => void,
  what: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answer: Answer | undefined;
    call.on('data', ({ event }: Answered<Answer>) => {
      if (event?.$case === 'status') onStatus((event as { value: string }).value);
      else if (event) answer = event as Answer;
    });
    call.on('error', (e: ServiceError) => reject(serverError(e)));
    call.on('end', () => (answer ? resolve(answer) : reject(new ServerError(`the server ended ${what} without an answer`, undefined, status.INTERNAL))));
  });
}

/** A unary call with a deadline, its error read as a ServerError. */
function unary<Res>(start: (done: Done<Res>, options: Partial<CallOptions>) => void, timeoutMs = 30_000): Promise<Res> {
  return new Promise((resolve, reject) => start((err, res) => (err ? reject(serverError(err)) : resolve(res)), { deadline: Date.now() + timeoutMs }));
}

/** `call`, cancelled when `signal` aborts. */
function cancelledBy<Out>(call: ClientReadableStream<Out>, signal: AbortSignal): ClientReadableStream<Out> {
  const cancel = (): void => call.cancel();
  if (signal.aborted) cancel();
  signal.addEventListener('abort', cancel, { once: true });
  call.on('close', () => signal.removeEventListener('abort', cancel));
  return call;
}

export interface ConnectOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly version: string;
  /** The command line of `bake server run`, to start a server when none answers (dev up, attach); undefined: only look (`bake dev ls`, `server status`). */
  readonly start: readonly string[] | undefined;
  /** Told about a version mismatch. */
  readonly warn: (line: string) => void;
}

/** A connected client, or undefined when no server runs and there is no `start`. */
export async function connectServer(options: ConnectOptions): Promise<DevClient | undefined> {
  const paths = serverPaths(options.env, homedir());
  checkPrivateDir(paths, false);
  const attempt = async (): Promise<DevClient | undefined> => {
    const client = new DevStub(`unix:${paths.socket}`, credentials.createInsecure());
    try {
      const hello = await new Promise<HelloReply>((resolve, reject) =>
        client.hello({ client_version: options.version, protocol: DEV_PROTOCOL_VERSION }, new Metadata(), { deadline: Date.now() + 2000 }, (err, res) =>
          err ? reject(err) : resolve(res),
        ),
      );
      return new DevClient(client, hello, paths.attach);
    } catch (e) {
      client.close();
      const { code, details } = e as ServiceError;
      // A server that has begun to stop takes no new work; it is gone once it has ended its sessions and released the lock.
      if (code === status.UNAVAILABLE && details === SERVER_STOPPING) {
        await lockReleased(paths, Date.now() + 30_000);
        return undefined;
      }
      if (code !== status.UNAVAILABLE && code !== status.DEADLINE_EXCEEDED) throw serverError(e as ServiceError);
      await noServerOrWhyNot(paths, options.start === undefined);
      return undefined;
    }
  };
  let client = await attempt();
  if (!client && options.start) {
    const deadline = Date.now() + 15_000;
    let started = startServer(options.start, paths, options.env);
    await started.listening(deadline);
    client = await attempt();
    while (!client && Date.now() < deadline && !started.exitCode) {
      // A server that exits with 0 found the lock held (lock.ts): by one starting, which is waited for, or by one that was stopping, after which another is started.
      if (started.exitCode === 0 && lockHolder(paths) === undefined) {
        started = startServer(options.start, paths, options.env);
        await started.listening(deadline);
      } else await new Promise((r) => setTimeout(r, 50));
      client = await attempt();
    }
    if (!client) throw notStarted(paths, started.exitCode);
  }
  if (client && (client.hello.server_version !== options.version || client.hello.protocol !== DEV_PROTOCOL_VERSION)) {
    options.warn(
      `warning: the bake server runs version ${client.hello.server_version} (protocol ${client.hello.protocol}); this client is ${options.version} (protocol ${DEV_PROTOCOL_VERSION}). Run bake server stop, then retry, to start a server of this version.`,
    );
  }
  return client;
}

/**
 * Returns when the silent socket means no server runs (none there, or one no
 * one listens on), or when a server may still be starting (`looking` is
 * false: connectServer keeps trying); else throws what is true instead: a
 * socket bake may not connect to, or a listener that does not answer as a
 * bake server. "No bake server is running" would be false then, and
 * starting another would not help.
 */
async function noServerOrWhyNot(paths: ServerPaths, looking: boolean): Promise<void> {
  const probe = await probeSocket(paths.socket);
  if (probe.state === 'unreachable')
    throw usageError(
      `a bake server socket is at ${paths.socket}, but bake cannot connect to it: ${probe.reason}`,
      `Run bake as the user who owns it, or make it yours (chown it to yourself, chmod 600 ${paths.socket}) and retry.`,
    );
  if (probe.state === 'listening' && looking)
    throw new UserError(
      'engine',
      `something listens on the bake server socket ${paths.socket} but it gave no bake server's answer within 2 s`,
      `If it is a bake server, its log (${paths.logFile}) says what holds it: end it (its pid is in ${paths.lock}) and retry; if it is not, remove the socket.`,
    );
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
interface StartedServer {
  exitCode: number | undefined;
  /** Resolves when it listens (it says so on a pipe, sooner than polling would see), has given up, or at `deadline`. */
  listening(deadline: number): Promise<void>;
}

/**
 * Starts `bake server run` detached: its own session and process group, its
 * output appended to the log, and a pipe on which it says when it listens.
 */
function startServer([command = '', ...args]: readonly string[], paths: ServerPaths, env: Readonly<Record<string, string | undefined>>): StartedServer {
  checkPrivateDir(paths, true);
  const log = openSync(paths.logFile, 'a', 0o600);
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', log, log, 'pipe'],
    env: { ...serverEnvironment(env), [READY_FD_VARIABLE]: '3' },
    cwd: '/',
  });
  const ready = child.stdio[3] as Readable;
  const told = new Promise<void>((resolve) => {
    ready.once('data', () => resolve());
    // A server that lost the race to start, or failed, closes it unsaid.
    ready.once('close', () => resolve());
    ready.once('error', () => resolve());
  });
  const started: StartedServer = {
    exitCode: undefined,
    listening: async (deadline) => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([told, new Promise<void>((resolve) => (timer = setTimeout(resolve, deadline - Date.now())))]);
      clearTimeout(timer);
      // It outlives this client: nothing of it may hold this process open.
      ready.destroy();
    },
  };
  child.on('exit', (code, signal) => (started.exitCode = code ?? (signal ? 128 : 1)));
  child.unref();
  closeSync(log);
  return started;
}

/** Resolves once the server now holding the lock has released it (or exited), or at `deadline`. */
export async function lockReleased(paths: ServerPaths, deadline: number): Promise<void> {
  const holder = lockHolder(paths);
  while (holder !== undefined && lockHolder(paths) === holder && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/** Why no server answers after starting one: a full directory is named as such, as the server cannot write even its log there. */
function notStarted(paths: ServerPaths, exitCode: number | undefined): UserError {
  const { bavail, bsize } = statfsSync(paths.dir);
  if (bavail * bsize < MIN_SERVER_SPACE)
    return new UserError(
      'engine',
      `the bake server cannot start: ${paths.dir} is full (${bavail * bsize} bytes free), with no room for its lock and log`,
      `Free space there, or set XDG_RUNTIME_DIR to a directory with room.`,
    );
  return new UserError(
    'engine',
    exitCode ? `the bake server exited as it started (exit code ${exitCode})` : 'the bake server did not start within 15 s',
    `Look at its log, ${paths.logFile}, then retry.`,
  );
}

/** Room the server needs in its directory: its lock, a few small state files and a start of its log. */
const MIN_SERVER_SPACE = 64 * 1024;
