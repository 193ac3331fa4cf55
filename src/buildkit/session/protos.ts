/**
 * The session's service definitions, loaded once from the repository's
 * `proto/session/` (found by walking up to package.json, so the same code
 * works from build/ and from the dist/ bundle).
 */
import { join } from 'node:path';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { packageRoot } from '../package-root.js';

export interface SessionProtos {
  readonly health: ServiceDefinition;
  readonly fileSync: ServiceDefinition;
  readonly fileSend: ServiceDefinition;
  readonly auth: ServiceDefinition;
  readonly secrets: ServiceDefinition;
  readonly ssh: ServiceDefinition;
}

let loaded: SessionProtos | undefined;

export function sessionProtos(): SessionProtos {
  if (loaded) return loaded;
  const dir = join(packageRoot(), 'proto', 'session');
  const files = ['health.proto', 'filesync.proto', 'secrets.proto', 'ssh.proto'];
  // longs as strings: modTime is nanoseconds, beyond 2^53.
  const def: PackageDefinition = loadSync(files, { includeDirs: [dir], keepCase: true, longs: String, enums: Number, defaults: true });
  const service = (name: string): ServiceDefinition => {
    const s = def[name];
    if (!s || 'format' in s) throw new Error(`The session protos lack service ${name}.`);
    return s;
  };
  loaded = {
    health: service('grpc.health.v1.Health'),
    fileSync: service('moby.filesync.v1.FileSync'),
    fileSend: service('moby.filesync.v1.FileSend'),
    auth: service('moby.filesync.v1.Auth'),
    secrets: service('moby.buildkit.secrets.v1.Secrets'),
    ssh: service('moby.sshforward.v1.SSH'),
  };
  return loaded;
}
