/**
 * A typed client of BuildKit's `moby.buildkit.v1.Control` service (protocol
 * §2), loaded from the hand-written protos in the repository's `proto/` dir.
 * Every call takes an AbortSignal; aborting cancels the RPC.
 */
import { join } from 'node:path';
import { Duplex as DuplexStream, type Duplex } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { EngineUnreachableError } from './builder-address.js';
import { hijackSession, RefusedUpgradeError, type Dialed } from './dial.js';
import { packageRoot } from './package-root.js';
import { unaryCall, type UnaryClient } from './unary.js';

/** Wire shapes with proto-loader's options below: keepCase, int64 as numbers, bytes as Buffers, unset fields absent. */
export interface Timestamp {
  readonly seconds?: number;
  readonly nanos?: number;
}

export interface OpMetadata {
  readonly ignore_cache?: boolean;
  readonly description?: Record<string, string>;
  readonly caps?: Record<string, boolean>;
}

export interface Definition {
  readonly def: readonly Uint8Array[];
  readonly metadata: Record<string, OpMetadata>;
}

export interface CacheOptionsEntry {
  readonly Type: string;
  readonly Attrs: Record<string, string>;
}

export interface SolveRequest {
  readonly Ref: string;
  readonly Definition?: Definition;
  readonly Exporter?: string;
  readonly ExporterAttrs?: Record<string, string>;
  readonly Session?: string;
  readonly Frontend?: string;
  readonly FrontendAttrs?: Record<string, string>;
  readonly Cache?: { readonly Exports?: readonly CacheOptionsEntry[]; readonly Imports?: readonly CacheOptionsEntry[] };
  readonly Entitlements?: readonly string[];
  readonly FrontendInputs?: Record<string, Definition>;
}

export interface SolveResponse {
  readonly ExporterResponse?: Record<string, string>;
}

export interface Vertex {
  readonly digest: string;
  readonly inputs?: string[];
  readonly name?: string;
  readonly cached?: boolean;
  readonly started?: Timestamp;
  readonly completed?: Timestamp;
  readonly error?: string;
}

export interface VertexStatus {
  readonly ID: string;
  readonly vertex: string;
  readonly name?: string;
  readonly current?: number;
  readonly total?: number;
  readonly timestamp?: Timestamp;
  readonly started?: Timestamp;
  readonly completed?: Timestamp;
}

export interface VertexLog {
  readonly vertex: string;
  readonly timestamp?: Timestamp;
  readonly stream?: number;
  readonly msg?: Buffer;
}

export interface VertexWarning {
  readonly vertex: string;
  readonly level?: number;
  readonly short?: Buffer;
  readonly detail?: Buffer[];
  readonly url?: string;
}

export interface StatusResponse {
  readonly vertexes?: Vertex[];
  readonly statuses?: VertexStatus[];
  readonly logs?: VertexLog[];
  readonly warnings?: VertexWarning[];
}

export interface WorkerRecord {
  readonly ID: string;
  readonly Labels?: Record<string, string>;
  readonly platforms?: { Architecture?: string; OS?: string; Variant?: string }[];
}

export interface UsageRecord {
  readonly ID: string;
  readonly Size?: number;
  readonly Description?: string;
  readonly RecordType?: string;
}

export interface BuildkitVersion {
  readonly package?: string;
  readonly version?: string;
  readonly revision?: string;
}

/** The Control service with promise calls; streams are node streams. */
export interface ControlClient {
  solve(req: SolveRequest, signal: AbortSignal): Promise<SolveResponse>;
  /** The job's progress, until it ends. The job must exist within 3 s (start Solve first). */
  status(ref: string, signal: AbortSignal): AsyncIterable<StatusResponse>;
  /**
   * The connection a session is served on, registered with the daemon once this resolves: on a Docker
   * engine its `/session` hijack, else (or where the engine refuses it) a Control.Session stream with
   * the session's headers as metadata (protocol §1a, §1b).
   */
  session(metadata: Record<string, string | readonly string[]>, signal: AbortSignal): Promise<Duplex>;
  listWorkers(signal: AbortSignal): Promise<WorkerRecord[]>;
  diskUsage(signal: AbortSignal): Promise<UsageRecord[]>;
  /** BuildKit v0.11+; older engines answer UNIMPLEMENTED. */
  info(signal: AbortSignal): Promise<BuildkitVersion | undefined>;
  /** The connection's channel: the gateway (gateway.ts) calls over it. */
  channel(): grpc.ChannelInterface;
  close(): void;
}

type RawClient = UnaryClient & {
  Status(req: unknown, opts: grpc.CallOptions): grpc.ClientReadableStream<StatusResponse>;
  Session(md: grpc.Metadata, opts: grpc.CallOptions): grpc.ClientDuplexStream<{ data: Uint8Array }, { data?: Buffer }>;
};

let serviceConstructor: grpc.ServiceClientConstructor | undefined;

/** The Control service's client constructor, loaded once (tests call methods bake itself does not, such as ListenBuildHistory). */
export function controlService(): grpc.ServiceClientConstructor {
  if (!serviceConstructor) {
    const dir = join(packageRoot(), 'proto', 'control');
    const def = loadSync(join(dir, 'control.proto'), { keepCase: true, longs: Number, defaults: false, oneofs: true, includeDirs: [dir] });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { moby: { buildkit: { v1: { Control: grpc.ServiceClientConstructor } } } };
    serviceConstructor = pkg.moby.buildkit.v1.Control;
  }
  return serviceConstructor;
}

export function controlClient(dialed: Dialed): ControlClient {
  // Made on first use: loading the protos costs ~50 ms that a run whose targets are all up to date never needs.
  let made: RawClient | undefined;
  const raw = (): RawClient => {
    if (!made) {
      const Control = controlService();
      // Messages carry whole Definitions and log bursts of 1 MiB; lift grpc-js's 4 MiB receive cap.
      made = new Control(dialed.target, dialed.credentials, {
        ...dialed.options,
        'grpc.max_receive_message_length': -1,
        'grpc.max_send_message_length': -1,
      }) as unknown as RawClient;
    }
    return made;
  };
  const unary = <T>(method: string, req: unknown, signal: AbortSignal): Promise<T> => unaryCall<T>(raw(), method, req, new grpc.Metadata(), signal);
  // Until the engine refuses a `/session` upgrade (a proxy in between may only pass /grpc).
  let hijackable = true;
  return {
    solve: (req, signal) => unary<SolveResponse>('Solve', req, signal),
    status(ref, signal) {
      const call = raw().Status({ Ref: ref }, {});
      signal.addEventListener('abort', () => call.cancel(), { once: true });
      return call;
    },
    async session(metadata, signal) {
      if (dialed.engine && hijackable) {
        try {
          return await hijackSession(dialed.engine, metadata, signal);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ECONNREFUSED' || (e as NodeJS.ErrnoException).code === 'ENOENT')
            throw new EngineUnreachableError(dialed.address);
          if (!(e instanceof RefusedUpgradeError)) throw e;
          hijackable = false;
        }
      }
      const md = new grpc.Metadata();
      for (const [k, v] of Object.entries(metadata)) for (const x of typeof v === 'string' ? [v] : v) md.add(k, x);
      const call = raw().Session(md, {});
      signal.addEventListener('abort', () => call.cancel(), { once: true });
      return bytesDuplex(call);
    },
    listWorkers: async (signal) => (await unary<{ record?: WorkerRecord[] }>('ListWorkers', {}, signal)).record ?? [],
    diskUsage: async (signal) => (await unary<{ record?: UsageRecord[] }>('DiskUsage', {}, signal)).record ?? [],
    async info(signal) {
      try {
        return (await unary<{ buildkitVersion?: BuildkitVersion }>('Info', {}, signal)).buildkitVersion ?? {};
      } catch (e) {
        if ((e as grpc.ServiceError).code === grpc.status.UNIMPLEMENTED) return undefined;
        throw e;
      }
    },
    channel: () => raw().getChannel(),
    close: () => made?.close(),
  };
}

/** A bidi stream of BytesMessage as a byte Duplex: write → {data}, {data} → push, end ↔ end (protocol §1c). */
function bytesDuplex(call: grpc.ClientDuplexStream<{ data: Uint8Array }, { data?: Buffer }>): Duplex {
  const duplex: Duplex = new DuplexStream({
    write(chunk: Buffer, _enc, cb) {
      call.write({ data: chunk }, cb);
    },
    final(cb) {
      call.end();
      cb();
    },
    read() {
      call.resume();
    },
    destroy(err, cb) {
      call.cancel();
      cb(err);
    },
  });
  call.on('data', (m: { data?: Buffer }) => {
    if (m.data?.length && !duplex.push(m.data)) call.pause();
  });
  call.on('end', () => duplex.push(null));
  // A cancelled or failed call ends the session's connection like a closed socket.
  call.on('error', () => duplex.push(null));
  return duplex;
}
