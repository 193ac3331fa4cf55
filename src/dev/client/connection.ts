/**
 * The client's side of the server socket: connects, starting the server
 * when none answers (detached: its own session and process group, output
 * to its log file), and says hello, warning when the versions differ.
 */
import { statfsSync } from 'node:fs';
import { homedir } from 'node:os';
import { credentials, Metadata, status, type CallOptions, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { usageError, UserError } from '../../core/errors.js';
import { DEV_PROTOCOL_VERSION, SERVER_STOPPING } from '../labels.js';
import {
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
} from '../protocol/generated/messages.js';
import { DevClient as DevStub } from '../protocol/generated/dev.js';
import { serverPaths, type ServerPaths } from '../server/paths.js';
import { lockHolder, lockReleased } from '../server/lock.js';
import { checkPrivateDir } from '../server/private-dir.js';
import { probeSocket } from './socket-probe.js';
import { startServer, type StartedServer } from './server-process.js';
import { openAttachChannel, refusedAttachChannel, type AttachChannel } from './attach-channel.js';
import { serverError, ServerError } from './server-error.js';
import { warnOnVersionMismatch } from './version-mismatch.js';

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
   * A terminal's connection (messages.proto, AttachOpen), beside the server
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
  /** A server this client has already started (startServerUnlessRunning): waited for rather than asked at once. */
  readonly started?: StartedServer | undefined;
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
  // One just started is not listening yet: asking it at once would only fail.
  let client = options.started ? undefined : await attempt();
  if (!client && options.start) {
    const deadline = Date.now() + 15_000;
    let started = options.started ?? startServer(options.start, paths, options.env);
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
  if (client) warnOnVersionMismatch(client.hello, options.version, options.warn);
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
