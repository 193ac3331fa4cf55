/**
 * The client session: the gRPC server the daemon calls back into during a
 * build (local dirs, exporter output, secrets, SSH, registry auth). It is
 * served over the connection the caller hands in: a Duplex around a
 * `Control.Session` stream, the one session path for dockerd and buildkitd.
 */
import type { Duplex } from 'node:stream';
import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { newBuildkitId } from '../identity.js';
import { authService } from './auth.js';
import { fileSendDefinition, fileSendService } from './file-send.js';
import { fileSyncService } from './file-sync.js';
import { healthService } from './health.js';
import { sessionProtos } from './protos.js';
import { secretsService } from './secrets.js';
import type { DirStats, SessionSpec } from './spec.js';
import { sshService } from './ssh.js';

// The spec types live in spec.ts, which the attachables import without importing this barrel (no cycle).
export type { DirStats, FileSendSpec, LocalDirSpec, SecretSpec, SessionSpec } from './spec.js';

export interface BuildSession {
  readonly id: string;
  readonly methods: readonly string[];
  metadata(): Record<string, string | string[]>;
  serve(conn: Duplex): void;
  readonly stats: ReadonlyMap<string, DirStats>;
  close(): Promise<void>;
}

export function createSession(spec: SessionSpec): BuildSession {
  const protos = sessionProtos();
  const server = new Server();
  const methods: string[] = [];
  const add = (def: ServiceDefinition, impl: UntypedServiceImplementation): void => {
    server.addService(def, impl);
    // Only implemented methods are announced; the rest answer UNIMPLEMENTED.
    for (const [name, method] of Object.entries(def)) if (name in impl) methods.push(method.path);
  };

  const stats = new Map<string, DirStats>();
  const counters = (dirName: string): DirStats => {
    let s = stats.get(dirName);
    if (!s) stats.set(dirName, (s = { files: 0, bytes: 0, requests: 0 }));
    return s;
  };

  add(protos.health, healthService());
  if (spec.dirs.size > 0) add(protos.fileSync, fileSyncService(spec.dirs, counters));
  if (spec.fileSend) add(fileSendDefinition(spec.fileSend, protos.fileSend, protos.fileSync), fileSendService(spec.fileSend));
  if (spec.secrets) add(protos.secrets, secretsService(spec.secrets, spec.env ?? (() => undefined)));
  if (spec.ssh) add(protos.ssh, sshService(spec.ssh));
  if (spec.dockerConfigDir !== undefined) add(protos.auth, authService(spec.dockerConfigDir));

  const injector = server.createConnectionInjector(ServerCredentials.createInsecure());
  const id = newBuildkitId();
  let closed: Promise<void> | undefined;

  return {
    id,
    methods,
    stats,
    metadata: () => ({
      'x-docker-expose-session-uuid': id,
      'x-docker-expose-session-name': spec.name,
      'x-docker-expose-session-sharedkey': spec.sharedKey,
      'x-docker-expose-session-grpc-method': [...methods],
    }),
    serve(conn: Duplex): void {
      if (closed) throw new Error('The build session is closed; create a new one.');
      injector.injectConnection(conn);
    },
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        injector.destroy();
        server.tryShutdown(() => resolve());
        // Streams the daemon left open would hold tryShutdown forever.
        setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 1000).unref();
      });
      return closed;
    },
  };
}
