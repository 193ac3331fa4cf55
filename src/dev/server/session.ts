/**
 * One dev session in the server (product.md §4): a project's services on
 * one engine, the processes running in them, and which client holds the
 * terminal. Everything it creates in the engine is labelled, so a restarted
 * server can rebuild this object from the engine alone (recovered()).
 */
import { historyFile, historyTail } from '../process/shell-history.js';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { UserError } from '../../core/errors.js';
import type { Service } from '../../bakefile/model.js';
import type { DockerEngine } from '../../docker/engine-api.js';
import type { TerminalSize } from '../../docker/types.js';
import { attachContainerProcess } from '../process/container-process.js';
import { EngineContainerFiles } from '../process/engine-files.js';
import { startExecProcess } from '../process/exec-process.js';
import { startHostProcess, type HostDevProcess } from '../process/host-process.js';
import type { ContainerFiles } from '../process/files.js';
import type { DevProcess } from '../process/process.js';
import { containerName } from '../runtime/session-objects.js';
import { describeDropped, droppedPaths } from '../runtime/dropped-files.js';
import { ServiceRuntime, type ServicePlan, type SessionIdentity, type StartHooks } from '../runtime/service-runtime.js';
import type { ProcessInfo, SessionEvent, SessionInfo } from '../protocol/generated/messages.js';

/** A client's terminal showing one of this session's processes: one per process, so terminals on different processes coexist. */
export interface TerminalHolder {
  readonly clientId: string;
  /** "bake dev attach, pid 1234": told to the client it displaces. */
  readonly description: string;
  readonly processId: string;
  /** Tells this client another one took this process's terminal, and ends its attach. */
  readonly displace: (by: string) => void;
  /** Tells this client the session ended, and ends its attach. */
  readonly end: (why: string) => void;
}

/** A terminal following the session (the Follow call): told of its end and of its engine, whatever the terminal shows. */
export interface SessionFollower {
  readonly clientId: string;
  readonly tell: (event: SessionEvent['event']) => void;
  /** Ends the Follow call, after the session's end was told. */
  readonly end: () => void;
}

/** How often a followed session's engine is pinged: a user is told within this of it going away or coming back. */
const ENGINE_PING_MS = 2000;

/** A monitor request the session cannot serve: one sentence for the user. */
export class SessionCommandError extends UserError {
  constructor(message: string) {
    super('run', message);
    this.name = 'SessionCommandError';
  }
}

/** What a build-debugging session adds (server/debug-session.ts): its shells on held builds, and the monitor's commands on them. */
export interface SessionDebugger {
  /** The shell a terminal goes to when it names no process. */
  readonly interactive: string | undefined;
  /** Builds again with the current sources; resolves with the new first shell's id. */
  reload(say: (line: string) => void): Promise<string>;
  /** Passes the breaks the build stopped at and builds again, to the next break or the end; resolves with the new first shell's id. */
  continue(say: (line: string) => void): Promise<string>;
  /** A fresh shell on the held build of process `ref` (`init`: the failed step's state before it); resolves with its id. */
  rollback(ref: string, init: boolean): Promise<string>;
  /** Another process in the container of process `ref`. */
  exec(ref: string, command: readonly string[]): Promise<DevProcess>;
  /** What is held and what failed, for `failures`. */
  describe(): string;
  /** The files of the build container process `ref` runs in, for ls, cat and cp. */
  filesOf(ref: string): ContainerFiles;
  /** Lets every held build go and ends their containers (the session's end). */
  end(): Promise<void>;
}

export class DevSession {
  readonly processes = new Map<string, DevProcess>();
  readonly plans = new Map<string, ServicePlan>();
  readonly runtime: ServiceRuntime;
  /** Which client's terminal shows each process, by process id. */
  readonly holders = new Map<string, TerminalHolder>();
  private readonly followers = new Set<SessionFollower>();
  /** Pings the engine while anyone follows; undefined when no one does. */
  private engineWatch: { timer: NodeJS.Timeout; reachable: boolean } | undefined;
  size: TerminalSize = { columns: 80, rows: 24 };
  /** How long the last `up` waited for health checks: a `rebuild` waits as long. */
  healthTimeoutMs = 60_000;
  /** Set for a build-debugging session (bake --invoke, --on-error). */
  debug: SessionDebugger | undefined;
  /** Set while `bake dev --watch` (or the monitor's `watch on`) watches the project's files (server/watch.ts). */
  watching: { stop(): Promise<void>; describe(): string } | undefined;
  private nextExec = 1;
  private readonly trackListeners = new Set<(process: DevProcess) => void>();
  /** The interactive service's shell history, kept across the containers a rebuild or rollback replaces. */
  private readonly histories = new Map<string, Buffer>();
  private readonly abort = new AbortController();
  /** Up, restart and the like run one at a time: each reads what the last one left. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly identity: SessionIdentity,
    readonly engine: DockerEngine,
    readonly projectDir: string,
    readonly createdAt: number,
    /** The client environment of the last `up`: null-valued service variables and host services read it. */
    public env: Readonly<Record<string, string>>,
    /** Told of every host service started (and, through its `exited`, ended): nothing in the engine records them. */
    private readonly hostStarted: (session: DevSession, plan: ServicePlan, process: HostDevProcess) => void,
  ) {
    this.runtime = new ServiceRuntime(engine, identity, { env: (name) => this.env[name], home: homedir() });
  }

  get id(): string {
    return this.identity.id;
  }

  /** Aborted when the session ends: what runs for the session (a rebuild's build) stops then, and only then. */
  get ended(): AbortSignal {
    return this.abort.signal;
  }

  /** The interactive service's name (a debug session's shell), if the session has one. */
  get interactive(): string | undefined {
    if (this.debug) return this.debug.interactive;
    return [...this.plans.values()].find((p) => p.service.interactive)?.service.name;
  }

  /** Runs `task` after every earlier one: two `up`s never interleave their container changes. */
  serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Brings the services to `plans`: starts what is missing, recreates what
   * changed (image or spec), keeps the rest and their processes.
   */
  up(plans: readonly ServicePlan[], healthTimeoutMs: number, status: (line: string) => void): Promise<void> {
    this.healthTimeoutMs = healthTimeoutMs;
    return this.serially(async () => {
      for (const p of plans) this.plans.set(p.service.name, p);
      await this.runtime.up(plans, this.hooks(status), { healthTimeoutMs }, this.abort.signal);
    });
  }

  /** The process `ref` names: a service's main process has the service's name as its id, an exec'd one a number. */
  find(ref: string): DevProcess | undefined {
    return this.processes.get(ref);
  }

  /** Where a terminal goes when the client names no process: the interactive service, else the first running process. */
  defaultProcess(): DevProcess | undefined {
    const interactive = this.interactive;
    const main = interactive === undefined ? undefined : this.processes.get(interactive);
    if (main?.state === 'running') return main;
    return [...this.processes.values()].find((p) => p.state === 'running');
  }

  /** `exec [SERVICE] CMD…`: a new process with a TTY in the service's container. */
  async exec(service: string, command: readonly string[]): Promise<DevProcess> {
    const plan = this.plans.get(service);
    if (!plan && !this.processes.has(service)) throw new SessionCommandError(`session ${this.id} has no service "${service}"; ps lists them`);
    if (plan?.service.runs_on === 'host') throw new SessionCommandError(`service ${service} runs on the host; exec runs in service containers`);
    const container = await this.runtime.containerOf(service, this.abort.signal);
    if (!container || container.State !== 'running') throw new SessionCommandError(`service ${service} is not running; start it with: start ${service}`);
    const process = await startExecProcess(this.engine, container.Id, { id: this.nextProcessId(), service, command, size: this.size });
    this.track(process);
    return process;
  }

  /**
   * The files of the container `ref` (a process id or a service) runs in,
   * for the monitor's ls, cat and cp: a process exec'd in a service has its
   * service's. Its container may be stopped: the engine reads it all the same.
   */
  async filesOf(ref: string): Promise<ContainerFiles> {
    // A debug session's shells run in build containers, whose files come through BuildKit's gateway.
    if (this.debug) return this.debug.filesOf(ref);
    const process = this.find(ref);
    const service = process?.service ?? (this.plans.has(ref) ? ref : undefined);
    if (service === undefined) throw new SessionCommandError(`session ${this.id} has no service or process "${ref}"; ps lists them`);
    if (process?.kind === 'host' || this.plans.get(service)?.service.runs_on === 'host')
      throw new SessionCommandError(`service ${service} runs on the host; its files are yours already`);
    const container = await this.runtime.containerOf(service, this.abort.signal);
    if (!container) throw new SessionCommandError(`service ${service} has no container; rebuild creates it`);
    return new EngineContainerFiles(this.engine, container.Id, `container ${containerName(this.identity, service)}`);
  }

  /** `restart|stop|start SERVICE`. */
  lifecycle(action: 'restart' | 'stop' | 'start', service: string): Promise<void> {
    return this.serially(async () => {
      const plan = this.planOf(service);
      if (plan.service.runs_on === 'host') {
        if (action !== 'start') await this.processes.get(service)?.kill();
        if (action !== 'stop') await this.startHost(plan);
        return;
      }
      const container = await this.runtime.containerOf(service, this.abort.signal);
      if (!container) throw new SessionCommandError(`service ${service} has no container; rebuild creates it`);
      // Started already: its process, output and screen stay as they are.
      if (action === 'start' && container.State === 'running') return;
      if (action !== 'start') await this.runtime.stop(service, this.abort.signal);
      if (action === 'stop') return;
      // Attached before the start, so the first output is kept.
      await this.attachMain(service, container.Id, false);
      await this.runtime.start(service, this.abort.signal);
    });
  }

  /** `rollback SERVICE`: a new container from the service's image; changes made inside are gone. */
  rollback(service: string, status: (line: string) => void): Promise<void> {
    return this.serially(async () => {
      const plan = this.planOf(service);
      if (plan.service.runs_on === 'host') throw new SessionCommandError(`service ${service} runs on the host; rollback recreates containers`);
      await this.runtime.recreate(plan, this.hooks(status), this.abort.signal);
    });
  }

  /** Ends the session: every process, then its containers and network (named volumes too with `volumes`). */
  async stop(volumes: boolean, why: string): Promise<void> {
    for (const holder of this.holders.values()) holder.end(why);
    this.holders.clear();
    for (const follower of this.followers) {
      follower.tell({ $case: 'session_ended', value: why });
      follower.end();
    }
    this.unfollowAll();
    this.abort.abort(new Error(why));
    await this.watching?.stop();
    this.watching = undefined;
    await this.debug?.end();
    // An up or rollback in flight may still create a container: it settles (aborted) before the session is taken down.
    await this.queue;
    await Promise.all([...this.processes.values()].filter((p) => p.kind !== 'service').map((p) => p.kill().catch(() => undefined)));
    await this.runtime.down({ volumes }, AbortSignal.timeout(60_000));
    for (const p of this.processes.values()) p.output.dispose();
    this.processes.clear();
  }

  /** Adopts a running service container found by its labels (a restarted server). */
  async adopt(service: string, containerId: string, plan: ServicePlan | undefined): Promise<void> {
    if (plan) this.plans.set(service, plan);
    await this.attachMain(service, containerId, true);
  }

  info(): SessionInfo {
    const services = [...this.plans.values()].map((p) => {
      const main = this.processes.get(p.service.name);
      return {
        name: p.service.name,
        state: main?.state ?? 'stopped',
        container: p.service.runs_on === 'host' ? '' : containerName(this.identity, p.service.name),
        image: p.image ?? '',
      };
    });
    return {
      id: this.id,
      files: [...this.identity.files],
      engine: this.identity.engine,
      services,
      processes: [...this.processes.values()].map((p) => this.processInfo(p)),
      clients: new Set([...this.holders.values(), ...this.followers].map((c) => c.clientId)).size,
      interactive: this.interactive ?? '',
      created_ms: this.createdAt,
      project_dir: this.projectDir,
      kind: this.debug ? 'debug' : 'dev',
    };
  }

  processInfo(p: DevProcess): ProcessInfo {
    return {
      id: p.id,
      service: p.service,
      command: [...p.command],
      state: p.state,
      exit_code: p.exitCode ?? 0,
      exited: p.exitCode !== undefined,
      started_at_ms: p.startedAt,
      attached_by: this.holders.get(p.id)?.description ?? '',
      kind: p.kind,
    };
  }

  /** Tells `follower` of the session from now on; returns its unfollow. The first follower starts the engine's pings. */
  follow(follower: SessionFollower): () => void {
    this.followers.add(follower);
    if (!this.engineWatch) {
      const watch = { timer: setInterval(() => void this.pingEngine(watch), ENGINE_PING_MS), reachable: true };
      this.engineWatch = watch;
    }
    return () => {
      this.followers.delete(follower);
      if (!this.followers.size) this.unfollowAll();
    };
  }

  /** Tells every terminal that follows the session (whatever it shows). */
  tell(event: SessionEvent['event']): void {
    for (const follower of this.followers) follower.tell(event);
  }

  private unfollowAll(): void {
    this.followers.clear();
    if (this.engineWatch) clearInterval(this.engineWatch.timer);
    this.engineWatch = undefined;
  }

  /** One ping; a change (gone, or back) is told to every follower. */
  private async pingEngine(watch: { reachable: boolean }): Promise<void> {
    const why = await this.engine.ping(AbortSignal.timeout(ENGINE_PING_MS)).then(
      (ok) => (ok ? undefined : 'its /_ping does not answer OK'),
      (e: unknown) => (e as Error).message,
    );
    if (this.engineWatch !== watch || (why === undefined) === watch.reachable) return;
    watch.reachable = why === undefined;
    this.tell(why === undefined ? { $case: 'engine_back', value: true } : { $case: 'engine_unreachable', value: why });
  }

  private planOf(service: string): ServicePlan {
    const plan = this.plans.get(service);
    if (!plan) throw new SessionCommandError(`session ${this.id} has no service "${service}"; ps lists them`);
    return plan;
  }

  private hooks(status: (line: string) => void): StartHooks {
    return {
      replacing: async (service) => {
        const kept = await this.keepHistory(service);
        await this.tellDropped(service, kept, status);
      },
      created: async (service, containerId) => {
        await this.restoreHistory(service, containerId);
        await this.attachMain(service, containerId, false);
      },
      startHost: (plan) => this.startHost(plan),
      status: (service, message) => status(`${service}: ${message}`),
    };
  }

  /** The interactive service's shell history, read from the container a rebuild or rollback replaces (shell-history.ts); resolves with its path. */
  private async keepHistory(service: string): Promise<string | undefined> {
    if (service !== this.interactive) return undefined;
    const container = await this.runtime.containerOf(service, this.abort.signal);
    if (container?.State !== 'running') return undefined;
    const env = (await this.engine.containers.inspect(container.Id, this.abort.signal)).Config.Env ?? [];
    const files = new EngineContainerFiles(this.engine, container.Id, `container ${containerName(this.identity, service)}`);
    const path = historyFile(env);
    // No history file (a shell that keeps none, nothing typed yet) is nothing to keep.
    const history = await files.read(path, this.abort.signal).catch(() => undefined);
    if (history?.length) this.histories.set(service, history);
    return path;
  }

  /** Says which files made inside the service's container its replacement drops: rollback says it does, a rebuild must too. */
  private async tellDropped(service: string, kept: string | undefined, status: (line: string) => void): Promise<void> {
    const container = await this.runtime.containerOf(service, this.abort.signal);
    if (!container) return;
    // A container the engine cannot list changes of (gone meanwhile) has nothing to tell.
    const changes = await this.engine.containers.changes(container.Id, this.abort.signal).catch(() => []);
    const dropped = droppedPaths(changes, kept === undefined ? [] : [kept]);
    if (dropped.length) status(`${service}: ${describeDropped(dropped)}`);
  }

  /** Puts the kept history into the new container of the service, before its shell starts. */
  private async restoreHistory(service: string, containerId: string): Promise<void> {
    const history = this.histories.get(service);
    if (!history) return;
    const env = (await this.engine.containers.inspect(containerId, this.abort.signal)).Config.Env ?? [];
    const files = new EngineContainerFiles(this.engine, containerId, `container ${containerName(this.identity, service)}`);
    // An image without the file's directory keeps no history; the service starts all the same.
    await files.write(historyFile(env), Buffer.from(historyTail(history)), 0o600, this.abort.signal).catch(() => undefined);
  }

  private async attachMain(service: string, containerId: string, recovering: boolean): Promise<void> {
    const inspect = await this.engine.containers.inspect(containerId, this.abort.signal);
    const command = [inspect.Path, ...inspect.Args];
    const startedAt = recovering ? Date.parse(inspect.State.StartedAt) : Date.now();
    this.track(await attachContainerProcess(this.engine, containerId, { service, command, startedAt, size: this.size, recovering }));
  }

  /** Starts a host service, unless it runs already (every `up` asks for each service). */
  async startHost(plan: ServicePlan): Promise<void> {
    const s: Service = plan.service;
    if (this.processes.get(s.name)?.state === 'running') return;
    const env = { ...this.env, ...Object.fromEntries(Object.entries(s.environment ?? {}).flatMap(([k, v]) => (v === null ? [] : [[k, v]]))) };
    const cwd = resolve(plan.projectDir, s.workdir ?? '.');
    // The bake file and the server's request check both require a host service's command.
    const process = await startHostProcess({ id: s.name, service: s.name, command: s.command ?? [], cwd, env, size: this.size });
    this.track(process);
    this.hostStarted(this, plan, process);
  }

  /** The id of the next process exec'd in the session: "1", "2", … */
  nextProcessId(): string {
    return String(this.nextExec++);
  }

  /**
   * Calls `listener` with each process the session keeps from now on (a
   * restarted or recreated service's new main process among them), until
   * the returned function is called: how output keeps streaming across a
   * watch's restarts.
   */
  onTracked(listener: (process: DevProcess) => void): () => void {
    this.trackListeners.add(listener);
    return () => void this.trackListeners.delete(listener);
  }

  /** Keeps a process of the session (a new one takes the place of the process with its id). */
  track(process: DevProcess): void {
    const old = this.processes.get(process.id);
    if (old && old !== process) old.output.dispose();
    this.processes.set(process.id, process);
    for (const listener of this.trackListeners) listener(process);
    // An ended process keeps its output for logs (the byte ring); its emulator, only for redraws, can go.
    void process.exited.then(() => process.output.dispose());
  }
}
