/**
 * The server as the commands that only ask meet it (`bake dev ls`, `bake dev
 * stop`, `bake server status|stop`): one call per connection on its calls
 * socket (messages.proto, CallRequest). That needs no HTTP/2 stack, so these
 * commands load no grpc-js (about 50 ms of their start). With neither socket
 * there, none runs. A server that does not answer there (one is starting, an
 * older one without the socket, a socket bake may not use) is met through the
 * gRPC client instead, which says why.
 */
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { Status as status } from '@grpc/grpc-js/build/src/constants.js';
import { DEV_PROTOCOL_VERSION, SERVER_STOPPING } from '../labels.js';
import { readMessages, frame } from '../protocol/frames.js';
import {
  CallReply,
  CallRequest,
  type AttachFailure,
  type HelloReply,
  type ListReply,
  type ShutdownReply,
  type StopReply,
} from '../protocol/generated/messages.js';
import { lockHolder } from '../server/lock.js';
import { serverPaths } from '../server/paths.js';
import { checkPrivateDir } from '../server/private-dir.js';
import type { ConnectOptions } from './connection.js';
import { failureError, isServerGone, ServerError, serverGoneError } from './server-error.js';
import { warnOnVersionMismatch } from './version-mismatch.js';

/** What the commands that only ask need of the server; the gRPC client (DevClient) is one too. */
export interface AskedServer {
  readonly hello: HelloReply;
  list(engine: string): Promise<ListReply>;
  stop(session: string, volumes: boolean): Promise<StopReply>;
  shutdown(): Promise<ShutdownReply>;
  close(): void;
}

/**
 * A server that has begun to stop: it takes no new work, and is gone once it
 * has ended its sessions and released the lock. A command that only asks
 * tells the user so at once instead of waiting in silence.
 */
export class StoppingServer {
  /** `pid`: the lock's holder, undefined when it has just gone. */
  constructor(readonly pid: number | undefined) {}
}

/** The running server, a stopping one, or undefined when none runs (and `options.start` starts none: only connectServer starts one). */
export async function askServer(options: ConnectOptions): Promise<AskedServer | StoppingServer | undefined> {
  const paths = serverPaths(options.env, homedir());
  checkPrivateDir(paths, false);
  const viaGrpc = async (): Promise<AskedServer | undefined> => (await import('./connection.js')).connectServer(options);
  if (options.start) return viaGrpc();
  let hello: HelloReply;
  try {
    // The hello alone: as long a wait as the gRPC client's.
    hello = (await callServer(paths.calls, options.version, undefined, 2000)).hello as HelloReply;
  } catch (e) {
    // Neither socket there: no server runs, and the gRPC client (~50 ms to load) could only say so.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(paths.socket)) return undefined;
    if (!(e instanceof CallFailure)) return viaGrpc();
    const error = failureError(e.failure);
    if (isServerGone(error) && e.failure.details === SERVER_STOPPING) return new StoppingServer(lockHolder(paths));
    throw error;
  }
  warnOnVersionMismatch(hello, options.version, options.warn);
  return new SocketCalls(paths.calls, options.version, hello);
}

/** A failure the server replied with: a status, as a service call's. */
class CallFailure extends Error {
  constructor(readonly failure: AttachFailure) {
    super(failure.details);
  }
}

class CallTimeout extends Error {}

class SocketCalls implements AskedServer {
  constructor(
    private readonly socket: string,
    private readonly version: string,
    readonly hello: HelloReply,
  ) {}

  async list(engine: string): Promise<ListReply> {
    return this.answer<ListReply>({ $case: 'list', value: { engine } }, 30_000);
  }

  async stop(session: string, volumes: boolean): Promise<StopReply> {
    return this.answer<StopReply>({ $case: 'stop', value: { session, volumes } }, 120_000);
  }

  async shutdown(): Promise<ShutdownReply> {
    return this.answer<ShutdownReply>({ $case: 'shutdown', value: {} }, 30_000);
  }

  /** Nothing is held open between calls. */
  close(): void {}

  /** A call's answer (of the call's own case), or its failure as a ServerError: the server gone or late, as the gRPC client says them. */
  private async answer<Answer>(call: NonNullable<CallRequest['call']>, timeoutMs: number): Promise<Answer> {
    let reply: CallReply;
    try {
      reply = await callServer(this.socket, this.version, call, timeoutMs);
    } catch (e) {
      if (e instanceof CallFailure) throw failureError(e.failure);
      throw e instanceof CallTimeout ? failureError({ code: status.DEADLINE_EXCEEDED, details: '', detail: undefined }) : serverGoneError();
    }
    if (reply.reply?.$case !== call.$case)
      throw new ServerError(`the bake server answered ${call.$case} with ${reply.reply?.$case ?? 'nothing'}`, undefined, status.INTERNAL);
    return reply.reply.value as Answer;
  }
}

/** One connection, one request, one reply; a failure reply throws as a CallFailure. */
function callServer(socket: string, version: string, call: CallRequest['call'], timeoutMs: number): Promise<CallReply> {
  return new Promise((resolve, reject) => {
    const connection = connect(socket);
    const settle = (fn: () => void): void => {
      clearTimeout(timer);
      connection.destroy();
      fn();
    };
    const timer = setTimeout(() => settle(() => reject(new CallTimeout())), timeoutMs);
    connection.on('error', (e) => settle(() => reject(e)));
    connection.on('close', () => settle(() => reject(new Error('the bake server closed the call unanswered'))));
    readMessages(
      connection,
      (payload) => CallReply.decode(payload),
      (reply) =>
        settle(() => {
          if (reply.reply?.$case === 'failure') reject(new CallFailure(reply.reply.value));
          else resolve(reply);
        }),
      () => settle(() => reject(new Error('the bake server replied in another protocol'))),
    );
    connection.write(frame(CallRequest.encode({ hello: { client_version: version, protocol: DEV_PROTOCOL_VERSION }, call }).finish()));
  });
}
