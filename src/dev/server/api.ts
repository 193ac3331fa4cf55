/**
 * The Dev service's handlers: a thin transport over the registry and its
 * sessions. Every request is checked before it is used; a bad one gets
 * INVALID_ARGUMENT (or NOT_FOUND) with one sentence, and never disturbs
 * another session.
 */
import {
  Metadata,
  status as grpcStatus,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type ServerWritableStream,
  type StatusObject,
} from '@grpc/grpc-js';
import { UserError } from '../../core/errors.js';
import type { TerminalSize } from '../../docker/types.js';
import { parseEngineAddress } from '../../docker/endpoint.js';
import { DEV_PROTOCOL_VERSION, SERVER_STOPPING } from '../labels.js';
import type { DevProcess } from '../process/process.js';
import { loadEmulator } from '../process/output-record.js';
import { runAgainHint } from '../monitor/run-again.js';
import type { ServicePlan } from '../runtime/service-runtime.js';
import { errorDetail, errorTrailerEntry } from '../protocol/error-detail.js';
import type { AttachCall } from './attach-listener.js';
import type {
  AttachFailure,
  CallReply,
  CallRequest,
  AttachIn,
  AttachOpen,
  AttachOut,
  CommandOut,
  CommandRequest,
  DebugEvent,
  DebugRequest,
  FollowRequest,
  HelloReply,
  HelloRequest,
  ListReply,
  ListRequest,
  SessionEvent,
  ShutdownReply,
  ShutdownRequest,
  StopReply,
  StopRequest,
  TerminalSize as TerminalSizeMessage,
  UpEvent,
  UpRequest,
} from '../protocol/generated/messages.js';
import type { DevServer } from '../protocol/generated/dev.js';
import { serviceOf } from '../protocol/service-message.js';
import { runCommand } from './commands.js';
import type { SessionRegistry } from './registry.js';
import type { DevSession, TerminalHolder } from './session.js';

/** A request the server refuses: the gRPC code and one sentence. */
export class RequestError extends Error {
  constructor(
    readonly code: grpcStatus,
    message: string,
  ) {
    super(message);
  }
}

export interface ServerContext {
  readonly registry: SessionRegistry;
  readonly version: string;
  readonly startedAt: number;
  readonly socket: string;
  readonly logFile: string;
  readonly log: (line: string) => void;
  /** Ends every session, then the server. */
  readonly shutdown: (why: string) => void;
  /** Calls in flight: the server does not idle out under one. */
  readonly activeCalls: { count: number };
  /** Whether the server has begun to stop: it takes no new work then (a session it opened now would be dropped unended). */
  readonly stopping: () => boolean;
}

/** The calls that only ask or stop: the service's unary methods, and the calls socket's (answerCall). */
function askingCalls(ctx: ServerContext) {
  return {
    hello: async (_req: HelloRequest): Promise<HelloReply> => ({
      server_version: ctx.version,
      protocol: DEV_PROTOCOL_VERSION,
      pid: process.pid,
      started_at_ms: ctx.startedAt,
      sessions: ctx.registry.size,
      rss_bytes: process.memoryUsage().rss,
      socket: ctx.socket,
      log_file: ctx.logFile,
    }),
    list: async (req: ListRequest): Promise<ListReply> => {
      if (req.engine) await ctx.registry.recover(req.engine);
      return { sessions: ctx.registry.all().map((s) => s.info()), lost: [...ctx.registry.lost] };
    },
    stop: async (req: StopRequest): Promise<StopReply> => {
      const session = sessionOf(ctx, req.session);
      await ctx.registry.stop(session, req.volumes, `session ${session.id} was stopped`);
      return { removed: [session.id] };
    },
    shutdown: async (_req: ShutdownRequest): Promise<ShutdownReply> => {
      const sessions = ctx.registry.size;
      setImmediate(() => ctx.shutdown('bake server stop'));
      return { sessions };
    },
  };
}

/**
 * A call on the calls socket: its hello and its answer, as the service's
 * methods give them; refused as they are while the server stops, and a
 * failure is the reply's, with the status a service call would have.
 */
export async function answerCall(ctx: ServerContext, req: CallRequest): Promise<CallReply> {
  const calls = askingCalls(ctx);
  ctx.activeCalls.count++;
  try {
    return await refusedWhenStopping(ctx, async (): Promise<CallReply> => {
      const hello = await calls.hello(req.hello ?? { client_version: '', protocol: '' });
      switch (req.call?.$case) {
        case undefined:
          return { hello, reply: undefined };
        case 'list':
          return { hello, reply: { $case: 'list', value: await calls.list(req.call.value) } };
        case 'stop':
          return { hello, reply: { $case: 'stop', value: await calls.stop(req.call.value) } };
        case 'shutdown':
          return { hello, reply: { $case: 'shutdown', value: await calls.shutdown(req.call.value) } };
      }
    });
  } catch (e) {
    const { code, details, detail } = failureOf(ctx, e);
    return { hello: undefined, reply: { $case: 'failure', value: { code, details, detail } } };
  } finally {
    ctx.activeCalls.count--;
  }
}

export function devHandlers(ctx: ServerContext): DevServer {
  const calls = askingCalls(ctx);
  return {
    hello: unary(ctx, calls.hello),
    list: unary(ctx, calls.list),
    stop: unary(ctx, calls.stop),
    shutdown: unary(ctx, calls.shutdown),
    up: serverStream(ctx, async (req: UpRequest, write: (e: UpEvent) => void) => {
      const plans = checkUp(req);
      // Each process needs the terminal emulator (about 50 ms to load, once): loaded while the engine creates containers.
      void loadEmulator();
      const { session, created } = await ctx.registry.open(req.files, req.engine, req.project_dir, req.env);
      if (req.size) session.size = size(req.size);
      try {
        await session.up(plans, req.health_timeout_ms > 0 ? req.health_timeout_ms : 60_000, (status) => write({ event: { $case: 'status', value: status } }));
      } catch (e) {
        // A new session that never ran anything (its engine unreachable, an image missing) is not kept;
        // one that started services stays, so the user can read their logs and stop it.
        if (created && session.processes.size === 0) await ctx.registry.stop(session, false, 'its start failed').catch(() => undefined);
        throw e;
      }
      write({ event: { $case: 'ready', value: session.info() } });
    }),
    command: serverStream(ctx, async (req: CommandRequest, write: (o: CommandOut) => void, signal: AbortSignal) => {
      const session = sessionOf(ctx, req.session);
      if (req.size) session.size = size(req.size);
      await runCommand({ session, registry: ctx.registry, args: req.args, attached: req.attached, write, signal });
    }),
    follow: (call: ServerWritableStream<FollowRequest, SessionEvent>) => follow(ctx, call),
    debug: serverStream(ctx, async (req: DebugRequest, write: (e: DebugEvent) => void) => {
      checkProject(req, 'Debug');
      // Loaded on the first debug run: the build machinery stays out of the server's start.
      const { BuildDebugger, debugRun, EverythingBuilt } = await import('./debug-session.js');
      const run = debugRun(req);
      const session = await ctx.registry.openDebug(req.files, req.engine, req.project_dir, req.env);
      if (req.size) session.size = size(req.size);
      const debug = new BuildDebugger(session, run);
      session.debug = debug;
      try {
        const process = await debug.build((line) => write({ event: { $case: 'status', value: line } }));
        write({ event: { $case: 'ready', value: { session: session.info(), process } } });
      } catch (e) {
        // Nothing to debug (or the build could not start): the session has nothing to keep.
        await ctx.registry.stop(session, false, 'its build gave nothing to debug').catch(() => undefined);
        if (!(e instanceof EverythingBuilt)) throw e;
        write({ event: { $case: 'built', value: e.message } });
      }
    }),
  };
}

function unary<Req, Res>(ctx: ServerContext, handle: (req: Req) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    ctx.activeCalls.count++;
    refusedWhenStopping(ctx, () => handle(call.request))
      .then(
        (res) => callback(null, res),
        (e: unknown) => callback(failure(ctx, e)),
      )
      .finally(() => ctx.activeCalls.count--);
  };
}

function serverStream<Req, Out>(
  ctx: ServerContext,
  handle: (req: Req, write: (o: Out) => void, signal: AbortSignal) => Promise<void>,
): handleServerStreamingCall<Req, Out> {
  return (call) => {
    ctx.activeCalls.count++;
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort(new Error('the client left')));
    refusedWhenStopping(ctx, () =>
      handle(
        call.request,
        (o) => {
          if (!call.cancelled) call.write(o);
        },
        abort.signal,
      ),
    )
      .then(
        () => call.end(),
        (e: unknown) => {
          if (!call.cancelled) call.emit('error', failure(ctx, e));
        },
      )
      .finally(() => ctx.activeCalls.count--);
  };
}

/** A failed call's status, with the detail of a user error (a health check that never passed, a monitor command the session cannot serve): its fix and kind. */
function failureOf(ctx: ServerContext, e: unknown): AttachFailure & { readonly code: grpcStatus } {
  if (e instanceof RequestError) return { code: e.code, details: e.message, detail: undefined };
  if (e instanceof UserError) return { code: grpcStatus.FAILED_PRECONDITION, details: e.message, detail: errorDetail(e) };
  const err = e as Error;
  ctx.log(`error: ${err.stack ?? String(e)}`);
  return { code: grpcStatus.INTERNAL, details: err.message ?? String(e), detail: undefined };
}

function failure(ctx: ServerContext, e: unknown): Partial<StatusObject> {
  const { code, details, detail } = failureOf(ctx, e);
  if (!detail) return { code, details };
  const metadata = new Metadata();
  metadata.set(...errorTrailerEntry(detail));
  return { code, details, metadata };
}

/** `handle`'s answer, unless the server has begun to stop (refuseWhenStopping). */
async function refusedWhenStopping<T>(ctx: ServerContext, handle: () => Promise<T>): Promise<T> {
  refuseWhenStopping(ctx);
  return handle();
}

/** Once the server has begun to stop, every new call is refused: the client reads the refusal as "wait for it to go, then start another". */
function refuseWhenStopping(ctx: ServerContext): void {
  if (ctx.stopping()) throw new RequestError(grpcStatus.UNAVAILABLE, SERVER_STOPPING);
}

function sessionOf(ctx: ServerContext, id: string): DevSession {
  // A terminal's attach or follow asks for its session first: a stopping server hands out none.
  refuseWhenStopping(ctx);
  if (typeof id !== 'string' || !id) throw new RequestError(grpcStatus.INVALID_ARGUMENT, 'the request names no session');
  const session = ctx.registry.get(id);
  if (!session) {
    const ids = ctx.registry.all().map((s) => s.id);
    throw new RequestError(
      grpcStatus.NOT_FOUND,
      `no session ${id}${ids.length ? ` (sessions: ${ids.join(', ')})` : ' (the server has none)'}; bake dev ls lists them`,
    );
  }
  return session;
}

function size(s: TerminalSizeMessage): TerminalSize {
  return { columns: Math.min(Math.max(s.columns, 1), 1000), rows: Math.min(Math.max(s.rows, 1), 1000) };
}

/** Checks the project a request names (its bake files, engine and directory): the socket is open to any local program of the user. */
function checkProject(req: { readonly files: readonly string[]; readonly engine: string; readonly project_dir: string }, call: string): void {
  const bad = (what: string): never => {
    throw new RequestError(grpcStatus.INVALID_ARGUMENT, `invalid ${call} request: ${what}`);
  };
  if (!req.files.length || !req.files.every((f) => f.startsWith('/'))) bad('files must be absolute bake file paths');
  if (!req.engine) bad('no engine address');
  try {
    parseEngineAddress(req.engine);
  } catch (e) {
    bad((e as Error).message);
  }
  if (!req.project_dir.startsWith('/')) bad('project_dir must be an absolute path');
}

/** Checks an UpRequest field by field. */
function checkUp(req: UpRequest): ServicePlan[] {
  const bad = (what: string): never => {
    throw new RequestError(grpcStatus.INVALID_ARGUMENT, `invalid Up request: ${what}`);
  };
  checkProject(req, 'Up');
  return req.services.map((plan, i) => {
    if (!plan.service) return bad(`services[${i}] has no service`);
    const service = serviceOf(plan.service);
    if (!SERVICE_NAME.test(service.name)) bad(`services[${i}] has no valid name (letters, digits, _ . -)`);
    if (service.runs_on !== 'host' && !plan.image) bad(`service ${service.name} has no image`);
    if (service.runs_on === 'host' && !service.command?.length) bad(`host service ${service.name} has no command`);
    return { service, projectDir: req.project_dir, ...(plan.image ? { image: plan.image } : {}) };
  });
}

/** Service names as engine object names allow them (the bake file's rule, plus compose's dots), and not all digits (exec'd processes' ids). */
const SERVICE_NAME = /^(?!\d+$)[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/**
 * A terminal's line to its session for as long as it runs: the session's end
 * and its engine's state, whatever the terminal shows. It does not hold the
 * server up (no active call): a session does that.
 */
function follow(ctx: ServerContext, call: ServerWritableStream<FollowRequest, SessionEvent>): void {
  let session: DevSession;
  try {
    session = sessionOf(ctx, call.request.session);
  } catch (e) {
    return void call.emit('error', failure(ctx, e));
  }
  let open = true;
  const unfollow = session.follow({
    clientId: call.request.client_id,
    tell: (event) => {
      if (open && !call.cancelled) call.write({ event });
    },
    end: () => {
      open = false;
      if (!call.cancelled) call.end();
    },
  });
  call.on('cancelled', () => {
    open = false;
    unfollow();
  });
}

/**
 * One terminal: open (which process), then keys and resizes in, output
 * out. A newer client on the same process takes its terminal; this one is
 * told who and its attach ends. Clients on other processes are not touched.
 */
export function attachTerminal(ctx: ServerContext, call: AttachCall): void {
  ctx.activeCalls.count++;
  let session: DevSession | undefined;
  let holder: TerminalHolder | undefined;
  /** Set once the open has succeeded: where keys and resizes go. */
  let target: DevProcess | undefined;
  /** Keys and resizes that came before the opened process's screen went out: delivered after it, in order (typed ahead into a debug shell that had just started, they were lost once in CI when delivered sooner). */
  let early: AttachIn[] | undefined;
  let unsubscribe = (): void => undefined;
  let finished = false;
  /** Ends the call once: with a last message, or with an error status. */
  const end = (last?: AttachOut, error?: unknown): void => {
    if (finished) return;
    finished = true;
    unsubscribe();
    if (session && holder && session.holders.get(holder.processId) === holder) session.holders.delete(holder.processId);
    ctx.activeCalls.count--;
    if (call.cancelled) return;
    if (error !== undefined) return call.fail(failureOf(ctx, error));
    if (last) call.write(last);
    call.end();
  };
  const deliver = (p: DevProcess, { msg }: AttachIn): void => {
    if (msg?.$case === 'input') p.write(msg.value);
    else if (msg?.$case === 'resize') {
      const s = size(msg.value);
      if (session) session.size = s;
      p.resize(s);
    }
  };
  call.on('data', (msg: AttachIn) => {
    if (finished) return;
    if (early) return void early.push(msg);
    if (target) return deliver(target, msg);
    if (msg.msg?.$case !== 'open') return end(undefined, new RequestError(grpcStatus.INVALID_ARGUMENT, 'an attach starts with an open message'));
    try {
      open(msg.msg.value);
    } catch (e) {
      end(undefined, e);
    }
  });
  call.on('end', () => end());
  call.on('cancelled', () => end());

  function open({ session: sessionId, process: ref, size: requested, client: description, client_id: clientId, below }: AttachOpen): void {
    const s = (session = sessionOf(ctx, sessionId));
    const p = ref ? s.find(ref) : s.defaultProcess();
    if (!p) {
      const ids = [...s.processes.keys()];
      throw new RequestError(
        grpcStatus.NOT_FOUND,
        ref
          ? `session ${s.id} has no process or service "${ref}"${ids.length ? ` (processes: ${ids.join(', ')})` : ''}; ps lists them`
          : `session ${s.id} has no running process to attach to; start one with exec or start`,
      );
    }
    if (p.state !== 'running')
      throw new RequestError(
        grpcStatus.FAILED_PRECONDITION,
        `process ${p.id} (${p.command.join(' ')}) ${p.state === 'lost' ? 'was lost' : `exited with code ${p.exitCode}`}; ${runAgainHint(p)}, ps lists the running ones`,
      );
    const previous = s.holders.get(p.id);
    holder = {
      clientId,
      description: description || 'another client',
      processId: p.id,
      displace: (by) => end({ msg: { $case: 'taken_over', value: by } }),
      end: (why) => end({ msg: { $case: 'session_ended', value: why } }),
    };
    s.holders.set(p.id, holder);
    // Only a terminal on the same process is displaced; the same client re-opening ends its old attach itself.
    if (previous && previous.clientId !== clientId) previous.displace(holder.description);
    if (requested) {
      s.size = size(requested);
      p.resize(s.size);
    }
    show(s, p, { below });
  }

  /**
   * Streams `p`'s output to the client. When it exits, the attach ends;
   * but while the session watches, a service's main process restarted or
   * recreated by the watch takes its place in the same terminal. It starts
   * with `p`'s screen, drawn `below` what the client shows or not, when the
   * client opened it, or with what a successor printed before it took over
   * (it starts while its predecessor goes).
   */
  function show(s: DevSession, p: DevProcess, start: { below: boolean } | 'successor'): void {
    unsubscribe();
    const send = (chunk: Buffer): boolean => call.write({ msg: { $case: 'output', value: chunk } });
    // A client that cannot keep up (a slow link, a flood of output) is not buffered for without bound: output
    // stops going out until the call drains, and then one redraw of the screen stands for what it missed.
    let behind = false;
    /** What the process printed while a screen was read (the screen holds none of it): it goes out after the screen. */
    let held: Buffer[] | undefined;
    const output = p.output.subscribe((chunk) => {
      if (finished || call.cancelled) return;
      if (held) return void held.push(chunk);
      if (behind || send(chunk)) return;
      behind = true;
      call.once('drain', () => void screenThenOutput(true, send));
    });
    /** Subscribed first, the screen is read: every byte goes out once, in the screen or after it. */
    const screenThenOutput = (clear: boolean, write: (screen: Buffer) => void): Promise<void> => {
      held = [];
      return p.output.screen({ clear }).then((screen) => {
        const meanwhile = held ?? [];
        held = undefined;
        behind = false;
        if (finished || call.cancelled) return;
        write(Buffer.from(screen, 'utf8'));
        for (const chunk of meanwhile) send(chunk);
      });
    };
    let started = Promise.resolve();
    if (start === 'successor') send(p.output.history());
    else {
      early = [];
      started = screenThenOutput(!start.below, (screen) =>
        call.write({ msg: { $case: 'attached', value: { session: s.id, process: s.processInfo(p), screen } } }),
      ).then(() => {
        const waiting = early ?? [];
        early = undefined;
        for (const msg of waiting) if (!finished) deliver(p, msg);
      });
    }
    let untrack = (): void => undefined;
    unsubscribe = () => {
      output();
      untrack();
    };
    target = p;
    // Its exit is told after its screen, which shows its last output.
    void Promise.all([p.exited, started]).then(() => {
      if (finished || target !== p) return;
      if (!s.watching || p.kind !== 'service') return end({ msg: { $case: 'exited', value: s.processInfo(p) } });
      const note = `\r\n[bake: ${p.id} exited with code ${p.exitCode ?? '?'}; watching, so its restart shows here. Ctrl-a c opens the monitor]\r\n`;
      call.write({ msg: { $case: 'output', value: Buffer.from(note) } });
      // Its successor may be kept already (a recreate attaches the new container as the old one goes).
      const already = s.find(p.id);
      if (already && already !== p) return show(s, already, 'successor');
      untrack = s.onTracked((next) => {
        if (next.id === p.id && !finished) show(s, next, 'successor');
      });
    });
  }
}
