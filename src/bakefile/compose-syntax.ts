/**
 * compose's short syntax for ports, volumes and durations, read into what
 * the Engine API takes. Pure: the bake file's checks (services.ts) use it to
 * point at the attribute, `bake dev`'s container specs to build them. A
 * malformed value throws a ComposeSyntaxError naming the service.
 */
import { UserError } from '../core/errors.js';
import { parseDuration } from '../golang/duration.js';

/** Where a container port is published (the Engine API's PortBinding, field for field). */
export interface PortBinding {
  readonly HostIp: string;
  readonly HostPort: string;
}

/** A port, volume or duration compose would refuse: the sentence and the fix (services.ts adds where it is). */
export class ComposeSyntaxError extends UserError {
  constructor(message: string, fix: string) {
    super('bake-file', message, fix);
    this.name = 'ComposeSyntaxError';
  }
}

/** `[IP:][HOST[-HOST]:]CONTAINER[-CONTAINER][/PROTOCOL]`; IPv6 addresses in brackets. */
const PORT = /^(?:(\[[0-9a-fA-F:.]+\]|\d{1,3}(?:\.\d{1,3}){3}):)?(?:(\d+(?:-\d+)?)?:)?(\d+(?:-\d+)?)(?:\/(tcp|udp|sctp))?$/;

/** One container port published on the host. */
export interface PublishedPort {
  /** `PORT/PROTOCOL`, the key of ExposedPorts and PortBindings. */
  readonly port: string;
  readonly binding: PortBinding;
}

/**
 * The container ports one short-syntax entry publishes. Ranges go pairwise
 * (`9000-9001:80-81`); a host range for one container port lets the engine
 * pick a free host port in it; no host port lets it pick any.
 */
export function parsePort(text: string, service: string): PublishedPort[] {
  const m = PORT.exec(text);
  if (!m) throw portError(text, service, 'Write ports as "HOST:CONTAINER" (e.g. "8080:80"), optionally with an IP prefix and /tcp or /udp.');
  const [, ip = '', host, container = '', protocol = 'tcp'] = m;
  const hostIp = ip.replace(/^\[(.*)\]$/, '$1');
  const containerPorts = portRange(container, text, service);
  const hostPorts = host === undefined ? undefined : portRange(host, text, service);
  const hostPortOf = (k: number): string => {
    if (hostPorts === undefined) return '';
    if (containerPorts.length === 1) return host ?? '';
    return String(hostPorts[k]);
  };
  if (hostPorts && containerPorts.length > 1 && hostPorts.length !== containerPorts.length) {
    throw portError(text, service, 'Give the host and the container ranges of the same length (e.g. "9000-9001:80-81"), or one container port.');
  }
  return containerPorts.map((p, k) => ({ port: `${p}/${protocol}`, binding: { HostIp: hostIp, HostPort: hostPortOf(k) } }));
}

function portRange(text: string, port: string, service: string): number[] {
  const [first = 0, last = first] = text.split('-').map(Number);
  if (last < first || last > 65535) throw portError(port, service, 'Write a range low-high, with ports up to 65535.');
  return Array.from({ length: last - first + 1 }, (_, k) => first + k);
}

function portError(text: string, service: string, fix: string): ComposeSyntaxError {
  return new ComposeSyntaxError(`invalid port "${text}" in service "${service}"`, fix);
}

/** A volume entry: a host path, a named volume of the project, or an anonymous volume. */
export type VolumeMount =
  | { readonly kind: 'bind'; readonly source: string; readonly target: string; readonly options: string | undefined }
  | { readonly kind: 'volume'; readonly name: string; readonly target: string; readonly options: string | undefined }
  | { readonly kind: 'anonymous'; readonly target: string };

/** A volume name as the engine accepts it. */
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/**
 * `[SOURCE:]TARGET[:OPTIONS]`. As in compose, a SOURCE starting with `.`,
 * `/` or `~` is a host path; anything else names a volume.
 */
export function parseVolume(text: string, service: string): VolumeMount {
  const parts = text.split(':');
  const fail = (fix: string): never => {
    throw new ComposeSyntaxError(`invalid volume "${text}" in service "${service}"`, fix);
  };
  if (parts.length > 3 || parts.some((p) => p === '')) fail('Write volumes as "SOURCE:TARGET" or "SOURCE:TARGET:ro", e.g. "./src:/app/src".');
  const [first = '', second, options] = parts;
  if (second === undefined)
    return first.startsWith('/') ? { kind: 'anonymous', target: first } : fail('Give the path in the container, e.g. "/data", or "SOURCE:TARGET".');
  if (!second.startsWith('/')) fail(`Give an absolute path in the container, e.g. "${first}:/${second}".`);
  if (/^[.~/]/.test(first)) return { kind: 'bind', source: first, target: second, options };
  if (!VOLUME_NAME.test(first)) fail('Start host paths with ".", "/" or "~"; volume names take letters, digits, "_", "." and "-".');
  return { kind: 'volume', name: first, target: second, options };
}

/** A Go duration ("1s", "500ms", "1m30s", "0"), as Docker reads health check durations, in nanoseconds; undefined when it is not one (or negative). */
export function durationNanos(text: string): number | undefined {
  try {
    const ns = parseDuration(text);
    return ns < 0n ? undefined : Number(ns);
  } catch {
    return undefined;
  }
}
