/**
 * Builder address → a grpc-js channel to BuildKit's Control service.
 *
 * - `docker` (the default): the engine bake uses everywhere (DOCKER_HOST, else
 *   the embedded engine, else /var/run/docker.sock).
 *   dockerd serves Control after an HTTP/1.1 `POST /grpc` upgrade to h2c
 *   (protocol §1a). grpc-js cannot take a connected socket, so a private
 *   in-process unix-socket proxy does the upgrade per connection (§1c).
 * - `unix:///path`: a buildkitd socket, dialled directly.
 * - `tcp://host:port`: a remote buildkitd; TLS when the address carries
 *   `cacert`, `cert`, `key` or `servername` query options (buildx's remote
 *   driver names), e.g. `tcp://farm:1234?cacert=/ca.pem&cert=/c.pem&key=/k.pem`.
 */
import { chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, isIP, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChannelCredentials } from '@grpc/grpc-js';
import * as grpc from '@grpc/grpc-js';
import { systemErrorReason } from '../core/errors.js';
import type { EngineEndpoint } from '../docker/endpoint.js';
import { pidAlive } from '../docker/pid.js';
import { BuilderAddressError, builderAddress } from './builder-address.js';

/** Where BuildKit is, as the user wrote it and as grpc-js dials it. */
export interface Dialed {
  /** The address as the user knows it, for messages. */
  readonly address: string;
  /** The Docker engine behind the builder, when it is one: its image store loads images, and it pushes them. */
  readonly engine: EngineEndpoint | undefined;
  readonly target: string;
  readonly credentials: ChannelCredentials;
  readonly options: grpc.ChannelOptions;
  /** Stops the proxy (if any) and removes its socket. */
  close(): Promise<void>;
}

export async function dial(builder: string | undefined, env: Readonly<Record<string, string | undefined>>): Promise<Dialed> {
  const where = builderAddress(builder, env);
  if (where.kind === 'docker') return dialDocker(where.engine);
  if (where.kind === 'unix')
    return {
      address: where.address,
      engine: undefined,
      target: `unix://${where.url.pathname}`,
      credentials: grpc.credentials.createInsecure(),
      options: {},
      close: async () => {},
    };
  const servername = where.url.searchParams.get('servername');
  const options = servername ? { 'grpc.ssl_target_name_override': servername, 'grpc.default_authority': servername } : {};
  return { address: where.address, engine: undefined, target: where.url.host, credentials: tcpCredentials(where.url), options, close: async () => {} };
}

function tcpCredentials(url: URL): ChannelCredentials {
  const q = url.searchParams;
  // Unreadable files and a lone cert or key are the user's to fix: grpc-js would throw them as internal errors.
  const file = (key: string): Buffer | null => {
    const path = q.get(key);
    if (!path) return null;
    try {
      return readFileSync(path);
    } catch (e) {
      throw new BuilderAddressError(`cannot read the ${key} file ${path} of builder ${url.href}: ${systemErrorReason(e)}.`);
    }
  };
  if (!['cacert', 'cert', 'key', 'servername'].some((k) => q.has(k))) return grpc.credentials.createInsecure();
  if (!q.get('cert') !== !q.get('key'))
    throw new BuilderAddressError(`builder ${url.href} gives ${q.get('cert') ? 'cert without key' : 'key without cert'}: a client certificate needs both.`);
  // grpc-js sends the host as TLS server name even when it is an IP address, and Node then prints a
  // DEP0123 DeprecationWarning to the user's stderr on every such build: noise no bake user can act on.
  if (isIP(url.hostname.replace(/^\[(.*)\]$/, '$1'))) process.noDeprecation = true;
  return grpc.credentials.createSsl(file('cacert'), file('key'), file('cert'));
}

/** The proxy dir's name: the prefix, the pid of the bake that made it, then mkdtemp's suffix. */
const PROXY_DIR_PREFIX = 'bake-grpc-';
const PROXY_DIR = /^bake-grpc-(\d+)-/;

/**
 * dockerd: a private proxy socket (0600, in a 0700 temp dir) whose every
 * connection is upgraded with `POST /grpc` on a fresh engine connection.
 */
async function dialDocker(engine: EngineEndpoint): Promise<Dialed> {
  reapProxyDirs();
  const dir = mkdtempSync(join(tmpdir(), `${PROXY_DIR_PREFIX}${process.pid}-`));
  const path = join(dir, 'engine.sock');
  const server = createServer({ pauseOnConnect: true }, (client) => {
    client.on('error', () => client.destroy());
    upgrade(connectEngine(engine), '/grpc').then(
      (engine) => {
        engine.pipe(client);
        client.pipe(engine);
        engine.on('close', () => client.destroy());
        client.on('close', () => engine.destroy());
        client.resume();
      },
      () => client.destroy(),
    );
  });
  await listen(server, path);
  chmodSync(path, 0o600);
  return {
    address: engine.address,
    engine,
    target: `unix://${path}`,
    credentials: grpc.credentials.createInsecure(),
    options: {},
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        rmSync(dir, { recursive: true, force: true });
      }),
  };
}

/** Removes the proxy dirs of this user's bakes that died without closing them (kill -9, a crash). */
function reapProxyDirs(): void {
  const uid = process.getuid?.();
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(PROXY_DIR.exec(name)?.[1] ?? 0);
    if (!pid || pid === process.pid || pidAlive(pid)) continue;
    const path = join(tmpdir(), name);
    try {
      if (lstatSync(path).uid === uid) rmSync(path, { recursive: true, force: true });
    } catch {
      // Gone already, or another bake reaps it at the same moment.
    }
  }
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
}

/**
 * `POST path` with `Upgrade: h2c` (and extra header lines); resolves with the socket once the 101 arrived,
 * HTTP/2 bytes that came with it put back. Rejects with RefusedUpgradeError when the engine answers otherwise.
 */
function upgrade(engine: Socket, path: string, headers: readonly (readonly [string, string])[] = []): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const fail = (e: Error): void => {
      engine.destroy();
      reject(e);
    };
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      engine.off('data', onData);
      engine.off('error', fail);
      engine.off('end', refused);
      engine.pause();
      const status = head.subarray(0, head.indexOf('\r\n')).toString();
      if (!/^HTTP\/1\.[01] 101 /.test(status)) return fail(new RefusedUpgradeError(`engine refused the ${path} upgrade: ${status}`));
      const rest = head.subarray(end + 4);
      if (rest.length) engine.unshift(rest);
      resolve(engine);
    };
    const refused = (): void => fail(new RefusedUpgradeError(`engine closed the connection on the ${path} upgrade`));
    engine.on('error', fail);
    engine.on('end', refused);
    engine.on('data', onData);
    const lines = headers.map(([k, v]) => `${k}: ${v}\r\n`).join('');
    engine.write(`POST ${path} HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n${lines}\r\n`);
  });
}

export class RefusedUpgradeError extends Error {
  override name = 'RefusedUpgradeError';
}

/**
 * The session as the docker CLI opens it: `POST /session` on its own engine
 * connection, which dockerd then calls into over plain HTTP/2 (protocol §1a).
 * One HTTP/2 layer and no proxy, where Control.Session nests the session's
 * HTTP/2 inside the Control connection's: about 3× less work per byte sent.
 */
export function hijackSession(engine: EngineEndpoint, metadata: Readonly<Record<string, string | readonly string[]>>, signal: AbortSignal): Promise<Socket> {
  // Go reads one header line per value (protocol §1a), so repeated values go on repeated lines.
  const headers = Object.entries(metadata).flatMap(([k, v]) => (typeof v === 'string' ? [v] : v).map((x) => [k, x] as const));
  const socket = connectEngine(engine);
  const abort = (): void => void socket.destroy();
  signal.addEventListener('abort', abort, { once: true });
  socket.once('close', () => signal.removeEventListener('abort', abort));
  return upgrade(socket, '/session', headers);
}

function connectEngine(engine: EngineEndpoint): Socket {
  return engine.kind === 'unix' ? connect(engine.socketPath) : connect(engine.port, engine.host);
}
