/**
 * The client's side of the server socket: connects, starting the server
 * when none answers (detached: its own session and process group, output
 * to its log file), and says hello, warning when the versions differ.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { credentials, makeGenericClientConstructor, status, type Client, type ClientDuplexStream, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { parseErrorDetails } from '../../core/error-text.js';
import { UserError, type ErrorKind } from '../../core/errors.js';
import { packageRoot } from '../../buildkit/session/protos.js';
import { DEV_PROTOCOL_VERSION } from '../labels.js';
import { devService, type AttachIn, type AttachOut, type CommandOut, type CommandRequest, type HelloReply, type ListReply, type ShutdownReply, type StopReply, type UpEvent, type UpRequest } from '../protocol.js';
import { serverPaths, type ServerPaths } from '../server/paths.js';
import { checkPrivateDir } from '../server/private-dir.js';

type UnaryMethod<Req, Res> = (req: Req, options: { deadline: number }, callback: (err: ServiceError | null, res: Res) => void) => void;

/**
 * A failure the server reported: its sentence (and its fix, when it gave
 * one), without gRPC's prefixes. What the server refuses is a session's
 * failure (its services, processes, engine), of kind `run`: usage and
 * bake-file mistakes are found here before any call. A server that does not
 * answer is of kind `engine`.
 */
export class ServerError extends UserError {
  constructor(
    message: string,
    fix: string | undefined,
    readonly code: number,
    kind: ErrorKind = 'run',
  ) {
    super(kind, message, fix);
    this.name = 'ServerError';
  }
}

export class DevClient {
  constructor(
    private readonly client: Client,
    readonly hello: HelloReply,
  ) {}

  list(engine: string): Promise<ListReply> {
    return this.unary('List', { engine });
  }

  stop(session: string, volumes: boolean): Promise<StopReply> {
    return this.unary('Stop', { session, volumes }, 120_000);
  }

  shutdown(): Promise<ShutdownReply> {
    return this.unary('Shutdown', {});
  }

  /** Streams `onEvent` until the session is up; resolves with its last event. */
  up(req: UpRequest, onStatus: (line: string) => void, signal: AbortSignal): Promise<Extract<UpEvent, { event: 'ready' }>['ready']> {
    return new Promise((resolve, reject) => {
      let ready: Extract<UpEvent, { event: 'ready' }>['ready'] | undefined;
      const call = this.stream<UpEvent>('Up', req, signal);
      call.on('data', (e: UpEvent) => (e.event === 'status' ? onStatus(e.status) : (ready = e.ready)));
      call.on('error', (e: ServiceError) => reject(serverError(e)));
      call.on('end', () => (ready ? resolve(ready) : reject(new ServerError('the server ended the session start without an answer', undefined, status.INTERNAL))));
    });
  }

  /** A monitor command run in the server; `onOut` sees its output. */
  command(req: CommandRequest, onOut: (out: CommandOut) => void, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const call = this.stream<CommandOut>('Command', req, signal);
      call.on('data', onOut);
      call.on('error', (e: ServiceError) => (signal.aborted ? resolve() : reject(serverError(e))));
      call.on('end', () => resolve());
    });
  }

  attach(): ClientDuplexStream<AttachIn, AttachOut> {
    return (this.client as unknown as { Attach: () => ClientDuplexStream<AttachIn, AttachOut> }).Attach();
  }

  close(): void {
    this.client.close();
  }

  private unary<Res>(method: string, req: unknown, timeoutMs = 30_000): Promise<Res> {
    const call = (this.client as unknown as Record<string, UnaryMethod<unknown, Res>>)[method] as UnaryMethod<unknown, Res>;
    return new Promise((resolve, reject) => call.call(this.client, req, { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(serverError(err)) : resolve(res))));
  }

  private stream<Out>(method: string, req: unknown, signal: AbortSignal): ClientReadableStream<Out> {
    const call = (this.client as unknown as Record<string, (req: unknown) => ClientReadableStream<Out>>)[method]?.call(this.client, req) as ClientReadableStream<Out>;
    const cancel = (): void => call.cancel();
    if (signal.aborted) cancel();
    signal.addEventListener('abort', cancel, { once: true });
    call.on('close', () => signal.removeEventListener('abort', cancel));
    return call;
  }
}

export function serverError(e: ServiceError): ServerError {
  if (e.code === status.UNAVAILABLE) return new ServerError('the bake server went away', 'Run bake dev attach: it starts a new server, which finds the session again in the engine.', e.code, 'engine');
  if (e.code === status.DEADLINE_EXCEEDED) return new ServerError('the bake server did not answer in time', 'bake server status says where its log is; the log says what it was waiting for (often an engine that does not answer).', e.code, 'engine');
  const { message, fix } = parseErrorDetails(e.details || e.message);
  return new ServerError(message, fix, e.code);
}

export interface ConnectOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly version: string;
  /** Start a server when none answers (dev up, attach); `bake dev ls` and `server status` only look. */
  readonly start: boolean;
  /** Told about a version mismatch. */
  readonly warn: (line: string) => void;
}

/** A connected client, or undefined when no server runs and `start` is false. */
export async function connectServer(options: ConnectOptions): Promise<DevClient | undefined> {
  const paths = serverPaths(options.env, homedir());
  checkPrivateDir(paths, false);
  const ServiceClient = makeGenericClientConstructor(devService(), 'Dev');
  const attempt = async (): Promise<DevClient | undefined> => {
    const client = new ServiceClient(`unix:${paths.socket}`, credentials.createInsecure());
    try {
      const hello = await new Promise<HelloReply>((resolve, reject) =>
        (client as unknown as { Hello: UnaryMethod<unknown, HelloReply> }).Hello({ client_version: options.version, protocol: DEV_PROTOCOL_VERSION }, { deadline: Date.now() + 2000 }, (err, res) => (err ? reject(err) : resolve(res))),
      );
      return new DevClient(client, hello);
    } catch (e) {
      client.close();
      if ((e as ServiceError).code === status.UNAVAILABLE || (e as ServiceError).code === status.DEADLINE_EXCEEDED) return undefined;
      throw serverError(e as ServiceError);
    }
  };
  let client = await attempt();
  if (!client && options.start) {
    startServer(paths, options.env);
    for (const deadline = Date.now() + 15_000; !client && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 50));
      client = await attempt();
    }
    if (!client) throw new UserError('engine', `the bake server did not start within 15 s`, `Look at its log, ${paths.logFile}, then retry.`);
  }
  if (client && (client.hello.server_version !== options.version || client.hello.protocol !== DEV_PROTOCOL_VERSION)) {
    options.warn(`warning: the bake server runs version ${client.hello.server_version} (protocol ${client.hello.protocol}); this client is ${options.version} (protocol ${DEV_PROTOCOL_VERSION}). Run bake server stop, then retry, to start a server of this version.`);
  }
  return client;
}

/** Starts `bake server run` detached: its own session and process group, its output appended to the log. */
function startServer(paths: ServerPaths, env: Readonly<Record<string, string | undefined>>): void {
  checkPrivateDir(paths, true);
  const log = openSync(paths.logFile, 'a', 0o600);
  const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'bake'), 'server', 'run'], { detached: true, stdio: ['ignore', log, log], env: { ...env }, cwd: '/' });
  child.unref();
  closeSync(log);
}
