/**
 * A typed client of BuildKit's gateway, `moby.buildkit.v1.frontend.LLBBridge`
 * (issue 13): what a client-side frontend calls while its build is held open
 * by a Control.Solve with no frontend and no definition. Every call names the
 * build in the metadata `buildkit-controlapi-buildid`; the service shares the
 * Control client's connection.
 */
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { Definition } from './control.js';
import { packageRoot } from './package-root.js';
import { unaryCall, type UnaryClient } from './unary.js';

/** A process's arguments, environment (`K=V`), working dir and user: pb.Meta. */
export interface ProcessMeta {
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  readonly user?: string;
}

/** A gateway container's mount: a result (or a failed step's input or output) at `dest`. */
export interface ContainerMount {
  readonly dest: string;
  readonly resultID: string;
  readonly readonly?: boolean;
  /** A path inside the result to mount instead of its root. */
  readonly selector?: string;
}

/** fsutil.types.Stat, as ReadDir and StatFile answer. */
export interface FileStat {
  readonly path: string;
  readonly mode: number;
  readonly uid?: number;
  readonly gid?: number;
  /** int64s come as text (proto-loader's longs: String). */
  readonly size?: string;
  /** Nanoseconds since the epoch (beyond 2^53). */
  readonly modTime?: string;
  readonly linkname?: string;
}

export interface GatewaySolveRequest {
  readonly Frontend?: string;
  readonly FrontendOpt?: Record<string, string>;
  readonly FrontendInputs?: Record<string, Definition>;
  readonly Definition?: Definition;
}

/** A running gateway process: keys in, output out, resize and signals; `exited` once it ends. */
export interface GatewayProcess extends EventEmitter<{ output: [Buffer]; exit: [number] }> {
  write(data: Uint8Array): void;
  /** Closes the process's stdin. */
  end(): void;
  resize(size: { readonly columns: number; readonly rows: number }): void;
  signal(name: string): void;
  /** Resolves with the exit code (-1 when the stream broke before one came). */
  readonly exited: Promise<number>;
  /** Ends the stream: the engine kills the process. */
  close(): void;
}

export interface GatewayClient {
  /** The frontend API's enabled capabilities (`gateway.exec`, `gateway.solve.evaluate`, …). */
  capabilities(signal: AbortSignal): Promise<ReadonlySet<string>>;
  /** Solves with a frontend or a definition; resolves with the result's ref id and metadata (`containerimage.config`: the image config as JSON). */
  solve(req: GatewaySolveRequest, signal: AbortSignal): Promise<{ readonly ref: string; readonly metadata: Readonly<Record<string, Buffer>> }>;
  newContainer(id: string, mounts: readonly ContainerMount[], signal: AbortSignal): Promise<void>;
  releaseContainer(id: string, signal: AbortSignal): Promise<void>;
  exec(
    container: string,
    process: string,
    meta: ProcessMeta,
    tty: { readonly columns: number; readonly rows: number } | undefined,
    signal: AbortSignal,
  ): GatewayProcess;
  readFile(ref: string, path: string, range: { offset: number; length: number } | undefined, signal: AbortSignal): Promise<Buffer>;
  readDir(ref: string, path: string, signal: AbortSignal): Promise<FileStat[]>;
  statFile(ref: string, path: string, signal: AbortSignal): Promise<FileStat>;
  /** Ends the build: with the ref to export, or with an error (the Control.Solve then fails with it). */
  return(outcome: { readonly ref: string } | { readonly error: string }, signal: AbortSignal): Promise<void>;
}

type RawBridge = UnaryClient & {
  ExecProcess(md: grpc.Metadata, opts: grpc.CallOptions): grpc.ClientDuplexStream<ExecMessage, ExecMessage>;
};

interface ExecMessage {
  ProcessID?: string;
  Init?: { ContainerID: string; Meta: ProcessMeta; Fds: number[]; Tty: boolean };
  File?: { Fd?: number; EOF?: boolean; Data?: Buffer | Uint8Array };
  Resize?: { Rows: number; Cols: number };
  Started?: object;
  Exit?: { Code?: number; Error?: { code?: number; message?: string } };
  Done?: object;
  Signal?: { Name: string };
  Input?: string;
}

let bridgeConstructor: grpc.ServiceClientConstructor | undefined;

function bridgeService(): grpc.ServiceClientConstructor {
  if (!bridgeConstructor) {
    const proto = join(packageRoot(), 'proto');
    const def = loadSync(join(proto, 'gateway', 'gateway.proto'), {
      keepCase: true,
      longs: String,
      enums: Number,
      defaults: false,
      oneofs: true,
      includeDirs: [join(proto, 'gateway'), join(proto, 'control'), join(proto, 'session')],
    });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { moby: { buildkit: { v1: { frontend: { LLBBridge: grpc.ServiceClientConstructor } } } } };
    bridgeConstructor = pkg.moby.buildkit.v1.frontend.LLBBridge;
  }
  return bridgeConstructor;
}

/** The gateway of build `buildId`, over `channel` (the Control client's). */
export function gatewayClient(channel: grpc.ChannelInterface, buildId: string): GatewayClient {
  const Bridge = bridgeService();
  const raw = new Bridge('unused', grpc.credentials.createInsecure(), { channelOverride: channel }) as unknown as RawBridge;
  const metadata = (): grpc.Metadata => {
    const md = new grpc.Metadata();
    md.set('buildkit-controlapi-buildid', buildId);
    return md;
  };
  const unary = <T>(method: string, req: unknown, signal: AbortSignal): Promise<T> => unaryCall<T>(raw, method, req, metadata(), signal);
  return {
    async capabilities(signal) {
      const pong = await unary<{ FrontendAPICaps?: { ID: string; Enabled?: boolean }[] }>('Ping', {}, signal);
      return new Set((pong.FrontendAPICaps ?? []).filter((c) => c.Enabled).map((c) => c.ID));
    },
    async solve(req, signal) {
      const res = await unary<{ ref?: string; result?: { ref?: { id?: string }; refDeprecated?: string; metadata?: Record<string, Buffer> } }>(
        'Solve',
        { ...req, allowResultReturn: true, Evaluate: true },
        signal,
      );
      return { ref: res.result?.ref?.id ?? res.result?.refDeprecated ?? res.ref ?? '', metadata: res.result?.metadata ?? {} };
    },
    async newContainer(id, mounts, signal) {
      await unary('NewContainer', { ContainerID: id, Mounts: mounts.map((m) => ({ ...m, mountType: 0 })) }, signal);
    },
    async releaseContainer(id, signal) {
      await unary('ReleaseContainer', { ContainerID: id }, signal);
    },
    exec: (container, process, meta, tty, signal) => startProcess(raw.ExecProcess(metadata(), {}), container, process, meta, tty, signal),
    async readFile(ref, path, range, signal) {
      const res = await unary<{ Data?: Buffer }>(
        'ReadFile',
        { Ref: ref, FilePath: path, ...(range ? { Range: { Offset: range.offset, Length: range.length } } : {}) },
        signal,
      );
      return res.Data ?? Buffer.alloc(0);
    },
    async readDir(ref, path, signal) {
      return (await unary<{ entries?: FileStat[] }>('ReadDir', { Ref: ref, DirPath: path }, signal)).entries ?? [];
    },
    async statFile(ref, path, signal) {
      const res = await unary<{ stat?: FileStat }>('StatFile', { Ref: ref, Path: path }, signal);
      return res.stat ?? { path, mode: 0 };
    },
    async return(outcome, signal) {
      // codes.Unknown, as a frontend's failure is returned.
      const req = 'ref' in outcome ? { result: { ref: { id: outcome.ref } } } : { error: { code: 2, message: outcome.error } };
      await unary('Return', req, signal);
    },
  };
}

/** The ExecProcess stream of one process: init first, then keys, resizes and signals in; output, exit and done out. */
function startProcess(
  call: grpc.ClientDuplexStream<ExecMessage, ExecMessage>,
  container: string,
  process: string,
  meta: ProcessMeta,
  tty: { readonly columns: number; readonly rows: number } | undefined,
  signal: AbortSignal,
): GatewayProcess {
  const events = new EventEmitter<{ output: [Buffer]; exit: [number] }>();
  let code = -1;
  let resolveExited: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (resolveExited = resolve));
  const send = (msg: ExecMessage): void => {
    if (!call.writableEnded && !call.destroyed) call.write({ ProcessID: process, ...msg });
  };
  const end = (): void => {
    signal.removeEventListener('abort', close);
    resolveExited(code);
  };
  const close = (): void => {
    call.cancel();
    end();
  };
  call.on('data', (msg: ExecMessage) => {
    if (msg.File?.Data?.length) events.emit('output', Buffer.from(msg.File.Data));
    if (msg.Exit) {
      // Why a process could not run at all (no such binary) is said where its output goes.
      if (msg.Exit.Error?.message) events.emit('output', Buffer.from(`\r\n${msg.Exit.Error.message}\r\n`));
      code = msg.Exit.Code ?? 0;
      events.emit('exit', code);
      // Output may still follow until Done; our side has nothing more to send.
      call.end();
    }
    if (msg.Done) {
      call.end();
      end();
    }
  });
  call.on('error', end);
  call.on('end', end);
  signal.addEventListener('abort', close, { once: true });
  send({ Init: { ContainerID: container, Meta: meta, Fds: tty ? [0, 1] : [0, 1, 2], Tty: tty !== undefined } });
  if (tty) send({ Resize: { Rows: tty.rows, Cols: tty.columns } });
  return Object.assign(events, {
    write: (data: Uint8Array) => send({ File: { Fd: 0, Data: Buffer.from(data) } }),
    end: () => send({ File: { Fd: 0, EOF: true } }),
    resize: (size: { readonly columns: number; readonly rows: number }) => send({ Resize: { Rows: size.rows, Cols: size.columns } }),
    signal: (name: string) => send({ Signal: { Name: name } }),
    exited,
    close,
  });
}
