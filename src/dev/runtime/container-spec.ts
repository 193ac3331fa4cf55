/**
 * How a service runs as a container: the body of POST /containers/create
 * for one service of a session. Pure: everything it depends on comes in.
 */
import { withHistory } from '../process/shell-history.js';
import { createHash } from 'node:crypto';
import { isAbsolute, join, resolve } from 'node:path';
import type { HealthCheck, Service } from '../../bakefile/model.js';
import type { ContainerSpec, HealthConfig, PortBinding } from '../../docker/types.js';
import { LABEL } from '../labels.js';
import { durationNanos, parsePort, parseVolume, type VolumeMount } from '../../bakefile/compose-syntax.js';
import { DevRuntimeError } from './errors.js';
import { planLabel, type ServicePlan } from './service-plan.js';
import { networkName, sessionLabels, volumeName, type SessionIdentity } from './session-objects.js';

export type { ServicePlan } from './service-plan.js';

/** What a spec takes from the client's side: environment variables given as null, and `~`. */
export interface ClientContext {
  /** The client's environment variable `name`, or undefined when unset. */
  readonly env: (name: string) => string | undefined;
  /** The client user's home directory. */
  readonly home: string;
}

/** The shell the interactive service runs when it sets neither command nor shell. */
const DEFAULT_SHELL = ['/bin/sh'];
const HEALTH_TEST_KINDS = new Set(['NONE', 'CMD', 'CMD-SHELL']);

/**
 * The create body of `plan`'s container. Its config label is a digest of the
 * rest of the body, so an unchanged service is recognised on the next `up`.
 */
export function containerSpec(plan: ServicePlan, session: SessionIdentity, client: ClientContext): ContainerSpec {
  const { service } = plan;
  if (plan.image === undefined) throw new Error(`service "${service.name}" runs on the host and has no container`);
  const network = networkName(session);
  const ports = (service.ports ?? []).flatMap((p) => parsePort(p, service.name));
  const mounts = (service.volumes ?? []).map((v) => parseVolume(v, service.name));
  const command = service.command ?? (service.interactive ? (service.shell ?? DEFAULT_SHELL) : undefined);
  const anonymous = mounts.flatMap((m) => (m.kind === 'anonymous' ? [m.target] : []));
  const spec: ContainerSpec = {
    Image: plan.image,
    ...(command && { Cmd: command }),
    ...(service.entrypoint && { Entrypoint: service.entrypoint }),
    // The interactive service's shell keeps its history where a rebuild can carry it into the next container.
    Env: service.interactive ? withHistory(environment(service, client)) : environment(service, client),
    ...(service.workdir !== undefined && { WorkingDir: service.workdir }),
    ...(service.user !== undefined && { User: service.user }),
    Tty: true,
    OpenStdin: true,
    Labels: {
      ...sessionLabels(session),
      [LABEL.service]: service.name,
      [LABEL.plan]: planLabel(plan),
    },
    ...(ports.length > 0 && { ExposedPorts: Object.fromEntries(ports.map((p) => [p.port, {}])) }),
    ...(anonymous.length > 0 && { Volumes: Object.fromEntries(anonymous.map((target) => [target, {}])) }),
    ...(service.healthcheck && { Healthcheck: healthConfig(service.healthcheck, service.name) }),
    ...stopping(service),
    HostConfig: {
      NetworkMode: network,
      ...(initProcess(service) && { Init: true }),
      ...(ports.length > 0 && { PortBindings: portBindings(ports) }),
      Binds: mounts.flatMap((m) => bind(m, plan.projectDir, session, client.home)),
    },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [service.name] } } },
  };
  return { ...spec, Labels: { ...spec.Labels, [LABEL.config]: configDigest(spec) } };
}

/**
 * Whether the service runs under an init process: as it says (`init`), else
 * only for the interactive service. Its PID 1 would be the shell the user
 * types in, and a shell as PID 1 has no handler for SIGTERM or SIGHUP, so
 * the kernel drops them and every stop or restart waited out the 10 s grace
 * (issue 15). Under docker-init the shell is an ordinary process that ends
 * on the hangup stopping() sends, as a shell does when its terminal closes.
 * Other services keep compose's default (no init): their PID 1 may be a
 * supervisor that must be PID 1 (s6-overlay), and `init = true` is one line.
 */
function initProcess(service: Service): boolean {
  return service.init ?? service.interactive === true;
}

/** StopSignal and StopTimeout: as the service says; the interactive service's shell is hung up (see initProcess). */
function stopping(service: Service): Pick<ContainerSpec, 'StopSignal' | 'StopTimeout'> {
  const signal = service.stop_signal ?? (service.interactive && initProcess(service) ? 'SIGHUP' : undefined);
  const grace = service.stop_grace_period;
  const nanos = grace === undefined ? undefined : durationNanos(grace);
  if (grace !== undefined && nanos === undefined)
    throw new DevRuntimeError(`invalid stop_grace_period "${grace}" of service "${service.name}"`, 'Write durations like "1s", "500ms" or "1m30s".');
  return {
    ...(signal !== undefined && { StopSignal: signal }),
    // The engine counts whole seconds: a grace period is never cut shorter than asked.
    ...(nanos !== undefined && { StopTimeout: Math.ceil(nanos / 1e9) }),
  };
}

/** The engine names of the project's named volumes `service` mounts. */
export function namedVolumes(service: Service, session: SessionIdentity): string[] {
  return (service.volumes ?? []).flatMap((v) => {
    const m = parseVolume(v, service.name);
    return m.kind === 'volume' ? [volumeName(session, m.name)] : [];
  });
}

/** sha256 of the spec as sent (without the config label itself). */
function configDigest(spec: ContainerSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex');
}

/** `KEY=VALUE`; a null value is the client's variable, left out when the client has none (as compose does). */
function environment(service: Service, client: ClientContext): string[] {
  return Object.entries(service.environment ?? {}).flatMap(([key, value]) => {
    const v = value ?? client.env(key);
    return v === undefined ? [] : [`${key}=${v}`];
  });
}

function portBindings(ports: readonly { readonly port: string; readonly binding: PortBinding }[]): Record<string, PortBinding[]> {
  const out: Record<string, PortBinding[]> = {};
  for (const p of ports) (out[p.port] ??= []).push(p.binding);
  return out;
}

function bind(mount: VolumeMount, projectDir: string, session: SessionIdentity, home: string): string[] {
  if (mount.kind === 'anonymous') return [];
  const source = mount.kind === 'volume' ? volumeName(session, mount.name) : hostPath(mount.source, projectDir, home);
  return [[source, mount.target, ...(mount.options === undefined ? [] : [mount.options])].join(':')];
}

/** A bind source: `~` is the client's home; relative paths are relative to the project directory. */
function hostPath(source: string, projectDir: string, home: string): string {
  if (source === '~') return home;
  if (source.startsWith('~/')) return join(home, source.slice(2));
  return isAbsolute(source) ? resolve(source) : resolve(projectDir, source);
}

function healthConfig(check: HealthCheck, service: string): HealthConfig {
  const duration = (key: 'interval' | 'timeout' | 'start_period'): number | undefined => {
    const text = check[key];
    if (text === undefined) return undefined;
    const ns = durationNanos(text);
    if (ns === undefined)
      throw new DevRuntimeError(`invalid ${key} "${text}" in the healthcheck of service "${service}"`, 'Write durations like "1s", "500ms" or "1m30s".');
    return ns;
  };
  const interval = duration('interval');
  const timeout = duration('timeout');
  const startPeriod = duration('start_period');
  return {
    ...(check.test && check.test.length > 0 && { Test: healthTest(check.test) }),
    ...(interval !== undefined && { Interval: interval }),
    ...(timeout !== undefined && { Timeout: timeout }),
    ...(check.retries !== undefined && { Retries: check.retries }),
    ...(startPeriod !== undefined && { StartPeriod: startPeriod }),
  };
}

/** compose's list form starts with CMD, CMD-SHELL or NONE; a bare command list is read as CMD. */
function healthTest(test: readonly string[]): readonly string[] {
  return HEALTH_TEST_KINDS.has(test[0] ?? '') ? test : ['CMD', ...test];
}
