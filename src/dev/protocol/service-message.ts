/**
 * A bake file's service as the dev protocol carries it, and back: the
 * client sends what it resolved, the server runs the Service it reads. An
 * absent field stays absent both ways, so the server's container specs (and
 * their digests) are the same whichever client sent them.
 */
import type { HealthCheck, Service } from '../../bakefile/model.js';
import type { HealthCheck as HealthCheckMessage, Service as ServiceMessage, Words } from './generated/messages.js';

/** The message of `service`; what the server does not run by (description, inherits, image, target) stays behind. */
export function serviceMessage(service: Service): ServiceMessage {
  const words = (list: string[] | undefined): Words | undefined => (list ? { words: list } : undefined);
  return {
    name: service.name,
    command: words(service.command),
    entrypoint: words(service.entrypoint),
    environment: Object.entries(service.environment ?? {}).map(([name, value]) => ({ name, value: value ?? undefined })),
    ports: service.ports ?? [],
    volumes: service.volumes ?? [],
    depends_on: service.depends_on ?? [],
    workdir: service.workdir,
    user: service.user,
    interactive: service.interactive ?? false,
    shell: words(service.shell),
    runs_on: service.runs_on,
    healthcheck: service.healthcheck && { ...service.healthcheck, test: service.healthcheck.test ?? [] },
  };
}

/** The Service a message describes; empty lists and maps, and `interactive` false, are left out as the bake file leaves them out. */
export function serviceOf(message: ServiceMessage): Service {
  const { name, command, entrypoint, environment, ports, volumes, depends_on, workdir, user, interactive, shell, runs_on, healthcheck } = message;
  return {
    name,
    ...(command && { command: command.words }),
    ...(entrypoint && { entrypoint: entrypoint.words }),
    ...(environment.length > 0 && { environment: Object.fromEntries(environment.map((v) => [v.name, v.value ?? null])) }),
    ...(ports.length > 0 && { ports }),
    ...(volumes.length > 0 && { volumes }),
    ...(depends_on.length > 0 && { depends_on }),
    ...(workdir !== undefined && { workdir }),
    ...(user !== undefined && { user }),
    ...(interactive && { interactive }),
    ...(shell && { shell: shell.words }),
    ...(runs_on !== undefined && { runs_on }),
    ...(healthcheck && { healthcheck: healthCheckOf(healthcheck) }),
  };
}

/**
 * `service` as the server runs it when a client sends it. A service the
 * server plans itself (a rebuild) goes through this too: the fields the wire
 * leaves behind would otherwise make every service's spec look changed.
 */
export function servedService(service: Service): Service {
  return serviceOf(serviceMessage(service));
}

function healthCheckOf({ test, interval, timeout, retries, start_period }: HealthCheckMessage): HealthCheck {
  return {
    ...(test.length > 0 && { test }),
    ...(interval !== undefined && { interval }),
    ...(timeout !== undefined && { timeout }),
    ...(retries !== undefined && { retries }),
    ...(start_period !== undefined && { start_period }),
  };
}
