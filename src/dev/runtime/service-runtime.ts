/**
 * A dev session's services in the engine: its network, the project's named
 * volumes, and one container per service, started in depends_on order and
 * kept when nothing about them changed.
 */
import { randomBytes } from 'node:crypto';
import type { DockerEngine } from '../../docker/engine-api.js';
import { BRIDGE_PREFIX } from '../../docker/engine-paths.js';
import { EngineApiError, isConflict, isNotFound } from '../../docker/errors.js';
import { labelFilters } from '../../docker/filters.js';
import type { ContainerSpec, ContainerSummary } from '../../docker/types.js';
import { LABEL } from '../labels.js';
import { containerSpec, namedVolumes, type ClientContext, type ServicePlan } from './container-spec.js';
import { DevRuntimeError } from './errors.js';
import { waitUntilUp } from './readiness.js';
import { containerName, networkName, sessionLabels, type SessionIdentity } from './session-objects.js';

export type { ClientContext, ServicePlan } from './container-spec.js';
export type { SessionIdentity } from './session-objects.js';

/** What the server does around starting services. */
export interface StartHooks {
  /** The service's container (if it has one) is about to be removed for a new one: what to keep of it, read now. */
  replacing(service: string): Promise<void>;
  /** The container exists and is about to start: attach now, so no output is lost. */
  created(service: string, containerId: string): Promise<void>;
  /** Starts a runs_on = "host" service; resolves once it runs. */
  startHost(plan: ServicePlan): Promise<void>;
  /** Progress of one service ("creating", "waiting for health check", "healthy"…). */
  status(service: string, message: string): void;
}

export interface UpOptions {
  /** How long a dependency's health check may take to pass. */
  readonly healthTimeoutMs: number;
}

export interface UpResult {
  /** Service name → container ID, for every service that runs in a container. */
  readonly containers: Map<string, string>;
  /** The services whose container was created by this call (the others were kept as they ran). */
  readonly recreated: string[];
}

export class ServiceRuntime {
  constructor(
    private readonly engine: DockerEngine,
    private readonly session: SessionIdentity,
    /** The client's environment and home: null-valued variables and `~` in volumes read them. */
    private readonly client: ClientContext,
  ) {}

  /**
   * Brings the services to `plans`. Each starts as soon as everything it
   * depends on is up (running, and healthy when it has a health check), so
   * independent services start together. A running container with the same
   * image and spec is kept; any other is replaced. Fails with a
   * DevRuntimeError when a dependency exits or stays unhealthy.
   */
  async up(plans: readonly ServicePlan[], hooks: StartHooks, options: UpOptions, signal: AbortSignal): Promise<UpResult> {
    const order = dependencyOrder(plans);
    // Every spec first: a malformed port or volume fails before anything is made.
    const specs = new Map(plans.flatMap((p) => (p.service.runs_on === 'host' ? [] : [[p.service.name, containerSpec(p, this.session, this.client)] as const])));
    await this.prepare(plans, signal);
    const running = new Map((await this.containersWithState(signal)).filter((c) => c.State === 'running').map((c) => [c.Labels[LABEL.service] ?? '', c]));
    const dependedOn = new Set(plans.flatMap((p) => p.service.depends_on ?? []));

    // One failure stops the rest: nothing is created after `up` has failed.
    const failed = new AbortController();
    const local = AbortSignal.any([signal, failed.signal]);
    const result: UpResult = { containers: new Map(), recreated: [] };
    /** Resolves once the service is up for its dependents; only for services something depends on. */
    const ready = new Map<string, Promise<unknown>>();
    const tasks = order.map((plan) => {
      const name = plan.service.name;
      const deps = plan.service.depends_on ?? [];
      if (deps.length) hooks.status(name, `waiting for ${deps.join(', ')}`);
      const started = Promise.all(deps.map((d) => ready.get(d) ?? Promise.resolve())).then(() =>
        this.startService(plan, specs.get(name), running.get(name), hooks, result, local),
      );
      if (dependedOn.has(name)) {
        const status = (message: string): void => hooks.status(name, message);
        ready.set(
          name,
          started.then((id) => (id === undefined ? undefined : waitUntilUp(this.engine, name, id, { timeoutMs: options.healthTimeoutMs, status }, local))),
        );
      }
      return started.catch((e: unknown) => {
        failed.abort(e);
        throw e;
      });
    });
    await Promise.allSettled(tasks);
    // The first failure is the one to report; the others are mostly its abort.
    if (failed.signal.aborted) throw failed.signal.reason;
    return result;
  }

  /**
   * A new container for `plan` from `plan.image` (rollback, or a rebuilt
   * image): the old one goes, with what changed inside it. Returns its ID.
   */
  async recreate(plan: ServicePlan, hooks: Pick<StartHooks, 'replacing' | 'created' | 'status'>, signal: AbortSignal): Promise<string> {
    await this.prepare([plan], signal);
    await this.imageId(plan, hooks, signal);
    return this.createAndStart(plan.service.name, containerSpec(plan, this.session, this.client), true, hooks, signal);
  }

  /** Starts the service's existing container; a running one is left as it is. */
  async start(service: string, signal: AbortSignal): Promise<void> {
    await this.unlessUnchanged(this.engine.containers.start(await this.requireContainer(service, signal), signal));
  }

  /** Stops the service's container (SIGTERM, then SIGKILL after the engine's grace period); a stopped one is left as it is. */
  async stop(service: string, signal: AbortSignal): Promise<void> {
    await this.unlessUnchanged(this.engine.containers.stop(await this.requireContainer(service, signal), undefined, signal));
  }

  /** The service's container in this session, running or not (its State as inspect reads it). */
  async containerOf(service: string, signal: AbortSignal): Promise<ContainerSummary | undefined> {
    return (await this.containersWithState(signal, service))[0];
  }

  /**
   * Removes the session's containers and network; with `volumes`, the
   * project's named volumes too. Anything already gone is skipped.
   */
  async down(options: { readonly volumes: boolean }, signal: AbortSignal): Promise<void> {
    await Promise.all(
      (await this.listContainers(signal)).map((c) => ignoreNotFound(this.engine.containers.remove(c.Id, { force: true, volumes: true }, signal))),
    );
    await ignoreNotFound(this.engine.networks.remove(networkName(this.session), signal));
    if (options.volumes) await removeProjectVolumes(this.engine, this.session.projectKey, signal);
  }

  /** The session's network and the named volumes `plans` mount, labelled, created when missing. */
  private async prepare(plans: readonly ServicePlan[], signal: AbortSignal): Promise<void> {
    const labels = sessionLabels(this.session);
    const network = networkName(this.session);
    if (!(await exists(this.engine.networks.inspect(network, signal))))
      await this.engine.networks.create({ Name: network, Driver: 'bridge', Labels: labels, Options: { [BRIDGE_NAME_OPTION]: bridgeName() } }, signal);
    const volumes = new Set(plans.flatMap((p) => (p.service.runs_on === 'host' ? [] : namedVolumes(p.service, this.session))));
    await Promise.all(
      [...volumes].map(async (name) => {
        if (!(await exists(this.engine.volumes.inspect(name, signal)))) await this.engine.volumes.create({ Name: name, Labels: labels }, signal);
      }),
    );
  }

  /** Starts one service (its dependencies are up); returns its container ID, or undefined for a host service. */
  private async startService(
    plan: ServicePlan,
    spec: ContainerSpec | undefined,
    running: ContainerSummary | undefined,
    hooks: StartHooks,
    result: UpResult,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const name = plan.service.name;
    if (spec === undefined) {
      hooks.status(name, 'starting on the host');
      await hooks.startHost(plan);
      hooks.status(name, 'started');
      return undefined;
    }
    const imageId = await this.imageId(plan, hooks, signal);
    let id: string;
    if (running && running.ImageID === imageId && running.Labels[LABEL.config] === spec.Labels?.[LABEL.config]) {
      hooks.status(name, 'running (unchanged)');
      id = running.Id;
    } else {
      id = await this.createAndStart(name, spec, running !== undefined, hooks, signal);
      result.recreated.push(name);
    }
    result.containers.set(name, id);
    return id;
  }

  /**
   * Replaces the service's container by a new one and starts it, with
   * `hooks.created` in between (`replacing`: one of the service runs). The
   * old one is removed while the new one is created and started under a
   * name of its own, then renamed (a rebuild's recreate then costs the
   * longer of the two, not both: issue 15's watch); a service that
   * publishes host ports is replaced in turn, since the old container holds
   * its ports until it is gone.
   */
  private async createAndStart(
    name: string,
    spec: ContainerSpec,
    replacing: boolean,
    hooks: Pick<StartHooks, 'replacing' | 'created' | 'status'>,
    signal: AbortSignal,
  ): Promise<string> {
    await hooks.replacing(name);
    const final = containerName(this.session, name);
    const next = `${final}-next`;
    // By name, not by label: a container of that name blocks the create whoever made it (an interrupted replace's among them).
    const removeNamed = (n: string): Promise<void> => ignoreNotFound(this.engine.containers.remove(n, { force: true, volumes: true }, signal));
    if (!replacing) {
      // No container of the service runs (every service of a cold or warm up): made under its own name at once, without
      // the rename a replace needs, while an interrupted replace's leftover goes. One of that name after all (a stopped
      // container, another's) is replaced below.
      hooks.status(name, 'creating');
      const [id] = await Promise.all([
        this.engine.containers.create(spec, final, signal).catch((e: unknown) => {
          if (isConflict(e)) return undefined;
          throw e;
        }),
        removeNamed(next),
      ]);
      if (id !== undefined) {
        await this.startCreated(name, id, hooks, signal);
        return id;
      }
    }
    const publishes = Object.keys(spec.HostConfig?.PortBindings ?? {}).length > 0;
    await (publishes ? Promise.all([removeNamed(next), removeNamed(final)]) : removeNamed(next));
    hooks.status(name, 'creating');
    const id = await this.engine.containers.create(spec, publishes ? final : next, signal);
    const removing = publishes ? Promise.resolve() : removeNamed(final);
    try {
      await this.startCreated(name, id, hooks, signal);
    } finally {
      await removing;
      if (!publishes) await this.engine.containers.rename(id, final, signal);
    }
    return id;
  }

  /** A container just created: `hooks.created` (which attaches to it), then started. */
  private async startCreated(name: string, id: string, hooks: Pick<StartHooks, 'created' | 'status'>, signal: AbortSignal): Promise<void> {
    await hooks.created(name, id);
    hooks.status(name, 'starting');
    await this.startContainer(name, id, signal);
  }

  private async startContainer(name: string, id: string, signal: AbortSignal): Promise<void> {
    try {
      await this.engine.containers.start(id, signal);
    } catch (e) {
      if (!(e instanceof EngineApiError)) throw e;
      const fix = /port is already allocated|address already in use/.test(e.message)
        ? `Another program (or another session) holds that port: stop it, or change the ports of service "${name}" in the bake file.`
        : `Check service "${name}" in the bake file (its command, volumes and ports) against the engine's message.`;
      throw new DevRuntimeError(`service "${name}" could not start: ${e.message}`, fix);
    }
  }

  /**
   * The image ID `plan.image` names, pulled first when the engine does not
   * have it. Containers are created from the name (so `docker ps` shows it);
   * were the tag moved in between, the next `up` sees another ID and recreates.
   */
  private async imageId(plan: ServicePlan, hooks: Pick<StartHooks, 'status'>, signal: AbortSignal): Promise<string> {
    const ref = plan.image as string;
    const inspect = (): Promise<string> => this.engine.images.inspect(ref, signal).then((i) => i.Id);
    try {
      return await inspect();
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    hooks.status(plan.service.name, `pulling ${ref}`);
    try {
      await this.engine.images.pull(ref, undefined, undefined, signal);
    } catch (e) {
      if (!(e instanceof EngineApiError)) throw e;
      throw new DevRuntimeError(
        `the image "${ref}" of service "${plan.service.name}" is not in the engine and pulling it failed: ${e.message}`,
        'Check the image name, or pull it yourself with `docker pull` (for a private registry, after `docker login`).',
      );
    }
    return inspect();
  }

  private async requireContainer(service: string, signal: AbortSignal): Promise<string> {
    const container = await this.containerOf(service, signal);
    if (!container)
      throw new DevRuntimeError(`service "${service}" has no container in session ${this.session.id}`, 'Start the session with `bake dev` to create it.');
    return container.Id;
  }

  /**
   * The session's containers with the State that inspect reports: right after
   * a stop returns, Docker 26's container list still says `running` for about
   * 300 ms, where inspect already says `exited`. One that went meanwhile is left out.
   */
  private async containersWithState(signal: AbortSignal, service?: string): Promise<ContainerSummary[]> {
    const listed = await Promise.all(
      (await this.listContainers(signal, service)).map(async (c) => {
        try {
          return { ...c, State: (await this.engine.containers.inspect(c.Id, signal)).State.Status };
        } catch (e) {
          if (isNotFound(e)) return undefined;
          throw e;
        }
      }),
    );
    return listed.filter((c) => c !== undefined);
  }

  /** The session's containers (one service's with `service`), as the engine lists them. */
  private listContainers(signal: AbortSignal, service?: string): Promise<ContainerSummary[]> {
    const labels = { [LABEL.session]: this.session.id, ...(service !== undefined && { [LABEL.service]: service }) };
    return this.engine.containers.list({ label: labelFilters(labels) }, signal);
  }

  /** The engine answers 304 to starting a running container or stopping a stopped one: nothing to do. */
  private async unlessUnchanged(call: Promise<void>): Promise<void> {
    try {
      await call;
    } catch (e) {
      if (!(e instanceof EngineApiError && e.status === 304)) throw e;
    }
  }
}

/** `plans` with every service after those it depends on; a missing dependency or a cycle is a caller's bug. */
function dependencyOrder(plans: readonly ServicePlan[]): ServicePlan[] {
  const byName = new Map(plans.map((p) => [p.service.name, p]));
  const order: ServicePlan[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, from: string): void => {
    const plan = byName.get(name);
    if (!plan) throw new Error(`service "${from}" depends on "${name}", which is not in the plans`);
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`depends_on cycle through service "${name}"`);
    state.set(name, 'visiting');
    for (const dep of plan.service.depends_on ?? []) visit(dep, name);
    state.set(name, 'done');
    order.push(plan);
  };
  for (const p of plans) visit(p.service.name, p.service.name);
  return order;
}

/** False when the inspect answers 404. */
async function exists(inspect: Promise<unknown>): Promise<boolean> {
  try {
    await inspect;
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** Removes the named volumes of the project `projectKey` (they outlive its sessions); resolves with their names. */
export async function removeProjectVolumes(engine: DockerEngine, projectKey: string, signal: AbortSignal): Promise<string[]> {
  const volumes = await engine.volumes.list({ label: labelFilters({ [LABEL.project]: projectKey }) }, signal);
  await Promise.all(volumes.map((v) => ignoreNotFound(engine.volumes.remove(v.Name, {}, signal))));
  return volumes.map((v) => v.Name);
}

async function ignoreNotFound(call: Promise<void>): Promise<void> {
  try {
    await call;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

const BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name';

/**
 * A session network's bridge carries bake's prefix, so the embedded engine's
 * one firewall rule lets its services reach each other beside another Docker
 * (engine-manager.ts); random, as Linux names are 15 characters at most and
 * must not clash across engines on one host.
 */
function bridgeName(): string {
  return `${BRIDGE_PREFIX}-${randomBytes(5).toString('hex')}`;
}
