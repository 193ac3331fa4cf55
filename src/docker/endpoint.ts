/**
 * Which Docker engine bake talks to, and why: DOCKER_HOST when set, else the
 * docker CLI's current context when it is not `default`, else the embedded
 * engine when it runs, else the system socket (product §5).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EngineAddressError } from './errors.js';
import { enginePaths, type EnginePaths } from './engine-paths.js';

/** An address the Engine API answers on. */
export type EngineEndpoint =
  | { readonly kind: 'unix'; readonly socketPath: string; readonly address: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly address: string };

export type EndpointSource = 'DOCKER_HOST' | 'context' | 'embedded' | 'system' | 'none';

export interface ResolvedEndpoint {
  readonly endpoint: EngineEndpoint;
  readonly source: EndpointSource;
  /** One sentence for `bake engine status`. */
  readonly reason: string;
}

export const SYSTEM_SOCKET = '/var/run/docker.sock';

/** Parses `unix:///path` or `tcp://host:port` (docker's default port 2375 when none is given). */
export function parseEngineAddress(address: string): EngineEndpoint {
  if (address.startsWith('unix://')) {
    const socketPath = address.slice('unix://'.length);
    if (!socketPath.startsWith('/'))
      throw new EngineAddressError(`invalid engine address ${address}: the socket path must be absolute`, 'Write DOCKER_HOST=unix:///path/to/docker.sock.');
    return { kind: 'unix', socketPath, address };
  }
  if (address.startsWith('tcp://')) {
    const url = tcpUrl(address);
    const port = url.port === '' ? 2375 : Number(url.port);
    return { kind: 'tcp', host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port, address };
  }
  throw new EngineAddressError(`unsupported engine address ${address}`, 'Set DOCKER_HOST to unix:///path/to/docker.sock or tcp://host:port.');
}

/** `tcp://` alone is localhost:2375, as for docker; a host or port URL syntax refuses is the user's to fix, not a bug of bake's. */
function tcpUrl(address: string): URL {
  try {
    return new URL(address);
  } catch {
    throw new EngineAddressError(
      `invalid engine address ${address}: its host or port cannot be read`,
      'Write DOCKER_HOST=tcp://host:port, e.g. tcp://127.0.0.1:2375.',
    );
  }
}

/** What resolution needs to know about the machine; tests pass their own. */
export interface EndpointProbe {
  embeddedRunning(paths: EnginePaths): boolean;
  socketExists(path: string): boolean;
  /** The docker CLI's selected context other than `default`, with its engine address. */
  dockerContext(env: Readonly<Record<string, string | undefined>>): { readonly name: string; readonly host: string } | undefined;
}

export const machineProbe: EndpointProbe = {
  embeddedRunning: (paths) => existsSync(paths.socket) && embeddedPid(paths) !== undefined,
  socketExists: (path) => existsSync(path),
  dockerContext,
};

/**
 * The docker CLI's context: DOCKER_CONTEXT, else `currentContext` in its
 * config.json; its address is in contexts/meta/<sha256 of the name>/meta.json.
 */
function dockerContext(env: Readonly<Record<string, string | undefined>>): { name: string; host: string } | undefined {
  const configDir = env['DOCKER_CONFIG'] || join(env['HOME'] || homedir(), '.docker');
  const readJson = (path: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  const name = env['DOCKER_CONTEXT'] || (readJson(join(configDir, 'config.json'))?.['currentContext'] as string | undefined);
  if (!name || name === 'default') return undefined;
  const meta = readJson(join(configDir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'), 'meta.json'));
  const host = (meta?.['Endpoints'] as { docker?: { Host?: string } } | undefined)?.docker?.Host;
  if (!host)
    throw new EngineAddressError(
      `the docker context ${name} is selected but was not found in ${configDir}`,
      `Select an existing context (docker context use default), or unset DOCKER_CONTEXT.`,
    );
  return { name, host };
}

/** The engine every bake command uses. Cheap: no connection is made. */
export function resolveEngineEndpoint(env: Readonly<Record<string, string | undefined>>, probe: EndpointProbe = machineProbe): ResolvedEndpoint {
  const host = env['DOCKER_HOST'];
  if (host) return { endpoint: parseEngineAddress(host), source: 'DOCKER_HOST', reason: 'DOCKER_HOST is set' };
  const context = probe.dockerContext(env);
  if (context) return { endpoint: parseEngineAddress(context.host), source: 'context', reason: `the docker context ${context.name} is selected` };
  const paths = enginePaths(env, homedir());
  if (probe.embeddedRunning(paths)) {
    return { endpoint: parseEngineAddress(`unix://${paths.socket}`), source: 'embedded', reason: `the embedded engine runs (state in ${paths.stateDir})` };
  }
  const system = parseEngineAddress(`unix://${SYSTEM_SOCKET}`);
  if (probe.socketExists(SYSTEM_SOCKET)) return { endpoint: system, source: 'system', reason: `the system socket ${SYSTEM_SOCKET} exists` };
  return { endpoint: system, source: 'none', reason: `DOCKER_HOST is unset, the embedded engine is not running and ${SYSTEM_SOCKET} does not exist` };
}

/**
 * The pid of the embedded engine's dockerd when it runs. The pidfile's pid
 * must be that dockerd: after a crash the file stays, and its pid may since
 * belong to another process that `stop` must never signal.
 */
export function embeddedPid(paths: EnginePaths): number | undefined {
  try {
    const pid = Number(readFileSync(paths.pidFile, 'utf8').trim());
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.includes(`--pidfile=${paths.pidFile}`) ? pid : undefined;
  } catch {
    return undefined;
  }
}
