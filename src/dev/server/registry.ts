/**
 * The server's sessions, by id, and their recovery: a server that starts
 * after a crash finds the sessions of every engine it knew from their labels,
 * re-attaches their service containers and ends what the old server exec'd.
 */
import { readFileSync } from 'node:fs';
import { parseEngineAddress } from '../../docker/endpoint.js';
import { DockerEngine } from '../../docker/engine-api.js';
import { DEV_LABELS_VERSION, LABEL } from '../labels.js';
import { endOrphanExecs } from '../process/exec-process.js';
import { projectKey, sessionIdOf } from '../project.js';
import { discoverSessions } from '../runtime/discover.js';
import { recoveredPlan } from '../runtime/service-plan.js';
import type { ServicePlan } from '../runtime/service-runtime.js';
import type { HostDevProcess } from '../process/host-process.js';
import type { ServerPaths } from './paths.js';
import { DevSession } from './session.js';
import { writeWholeFile } from '../../docker/whole-file.js';

/** Host services by session and service: their pid and plan. */
type HostRecords = Record<string, Record<string, { pid: number; started: string | undefined; plan: ServicePlan }>>;

/** When `pid` started (clock ticks since boot, /proc/PID/stat's 22nd field); undefined without /proc or the process. */
function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after "(comm)", which may hold spaces: state is the 3rd field, starttime the 22nd.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export class SessionRegistry {
  private readonly sessions = new Map<string, DevSession>();
  private readonly engines = new Map<string, DockerEngine>();
  /** Engine address → its recovery, run once per server. */
  private readonly recoveries = new Map<string, Promise<void>>();
  /** What recovery could not keep, for `bake dev ls` to report. */
  readonly lost: string[] = [];

  /** This server's socket path: the owner label of its sessions. */
  private readonly owner: string;
  /** Where the engines' addresses are kept across server restarts. */
  private readonly enginesFile: string;
  private readonly hostsFile: string;

  constructor(
    paths: ServerPaths,
    private readonly log: (line: string) => void,
  ) {
    this.owner = paths.socket;
    this.enginesFile = paths.engines;
    this.hostsFile = paths.hosts;
  }

  get size(): number {
    return this.sessions.size;
  }

  all(): DevSession[] {
    return [...this.sessions.values()];
  }

  get(id: string): DevSession | undefined {
    return this.sessions.get(id);
  }

  /** The project's session, created on `engineAddress` if it has none (an existing one keeps its own engine). */
  async open(
    files: readonly string[],
    engineAddress: string,
    projectDir: string,
    env: Readonly<Record<string, string>>,
  ): Promise<{ session: DevSession; created: boolean }> {
    await this.recover(engineAddress);
    const id = sessionIdOf(files);
    const existing = this.sessions.get(id);
    if (existing) {
      existing.env = env;
      return { session: existing, created: false };
    }
    return { session: this.create(id, files, engineAddress, projectDir, env), created: true };
  }

  /**
   * A new build-debugging session of the project (`bake --invoke`,
   * `--on-error`): one per project, so a newer debug run ends the last one.
   * It holds builds, not containers: nothing in the engine recovers it.
   */
  async openDebug(files: readonly string[], engineAddress: string, projectDir: string, env: Readonly<Record<string, string>>): Promise<DevSession> {
    const id = `${sessionIdOf(files)}-debug`;
    const existing = this.sessions.get(id);
    if (existing) await this.stop(existing, false, `a newer debug run of the same bake files replaced session ${id}`);
    return this.create(id, files, engineAddress, projectDir, env);
  }

  /** A new session of the project, kept under `id`. */
  private create(id: string, files: readonly string[], engineAddress: string, projectDir: string, env: Readonly<Record<string, string>>): DevSession {
    const session = new DevSession(
      { id, projectKey: projectKey(files), files: [...files], engine: engineAddress, owner: this.owner },
      this.engine(engineAddress),
      projectDir,
      Date.now(),
      env,
      this.hostStarted,
    );
    this.sessions.set(id, session);
    return session;
  }

  async stop(session: DevSession, volumes: boolean, why: string): Promise<void> {
    this.sessions.delete(session.id);
    await session.stop(volumes, why);
  }

  /** Every engine this server (or an earlier one) used: recovers them all. */
  async recoverKnown(): Promise<void> {
    await Promise.all(this.knownEngines().map((e) => this.recover(e)));
  }

  /** Finds the sessions on `address` from their labels, once per server. */
  recover(address: string): Promise<void> {
    let done = this.recoveries.get(address);
    if (!done) {
      done = this.recoverEngine(address).catch((e: unknown) => {
        // Asked again next time: the engine may be up by then.
        this.recoveries.delete(address);
        this.log(`recovering sessions on ${address} failed: ${(e as Error).message}`);
      });
      this.recoveries.set(address, done);
    }
    return done;
  }

  private async recoverEngine(address: string): Promise<void> {
    const engine = this.engine(address);
    const signal = AbortSignal.timeout(60_000);
    const discovered = await discoverSessions(engine, signal);
    // Only an engine that answered is worth asking again after a restart.
    this.remember(address);
    for (const found of discovered) {
      // Another server's sessions (another user's, a test's) are not ours to adopt, nor their execs to end.
      if (this.sessions.has(found.id) || found.engine !== address || found.owner !== this.owner) continue;
      if (found.protocol !== DEV_LABELS_VERSION) {
        this.lost.push(
          `session ${found.id} was made by a bake server whose labels are of version ${found.protocol}, this one reads version ${DEV_LABELS_VERSION}: it is left as it is (remove its containers with docker rm -f, label ${LABEL.session}=${found.id})`,
        );
        continue;
      }
      const running = found.containers.filter((c) => c.state === 'running');
      // Each container's plan; its label names the environment, the container's Env holds the values.
      const plans = new Map<string, ServicePlan>();
      for (const c of found.containers) {
        const env = await engine.containers.inspect(c.id, signal).then(
          (inspected) => inspected.Config.Env ?? [],
          () => [],
        );
        const plan = recoveredPlan(c.labels[LABEL.plan], env);
        if (plan) plans.set(c.service, plan);
      }
      const projectDir = running.map((c) => plans.get(c.service)).find((p) => p)?.projectDir ?? '/';
      const session = new DevSession(
        { id: found.id, projectKey: found.projectKey, files: found.files, engine: address, owner: this.owner },
        engine,
        projectDir,
        Date.now(),
        {},
        this.hostStarted,
      );
      for (const [service, plan] of plans) session.plans.set(service, plan);
      for (const c of running) {
        // One container that went away meanwhile (or will not answer) costs its service, not the session.
        try {
          const orphans = await endOrphanExecs(engine, c.id, signal);
          for (const exec of orphans.ended)
            this.lost.push(`session ${found.id}: a process the previous server exec'd in ${c.service} (exec ${exec.slice(0, 12)}) was ended`);
          for (const exec of orphans.failed)
            this.lost.push(`session ${found.id}: a process the previous server exec'd in ${c.service} (exec ${exec.slice(0, 12)}) could not be ended`);
          await session.adopt(c.service, c.id, plans.get(c.service));
        } catch (e) {
          this.lost.push(`session ${found.id}: service ${c.service} could not be recovered (${(e as Error).message})`);
        }
      }
      await this.restartHosts(session);
      this.sessions.set(found.id, session);
      this.log(`recovered session ${found.id} on ${address}: ${[...session.processes.keys()].join(', ') || 'no running services'}`);
    }
  }

  /** Records a host service while it runs, so a server that replaces this one can end it and start it again. */
  private readonly hostStarted = (session: DevSession, plan: ServicePlan, process: HostDevProcess): void => {
    const started = processStartTicks(process.pid);
    this.updateHosts((hosts) => ((hosts[session.id] ??= {})[plan.service.name] = { pid: process.pid, started, plan }));
    void process.exited.then(() =>
      this.updateHosts((hosts) => {
        if (hosts[session.id]?.[plan.service.name]?.pid === process.pid) delete hosts[session.id]?.[plan.service.name];
      }),
    );
  };

  /**
   * The previous server's host services of a recovered session: each is ended
   * (its PTY died with that server, but a process that ignores the hang-up
   * lives on) and started again under this server.
   */
  private async restartHosts(session: DevSession): Promise<void> {
    const previous = this.readHosts()[session.id] ?? {};
    for (const [service, { pid, started, plan }] of Object.entries(previous)) {
      // The same pid and start time is the same process; a pid reused since (a reboot) is someone else's.
      if (started !== undefined && processStartTicks(pid) === started) {
        for (const target of [-pid, pid]) {
          try {
            process.kill(target, 'SIGKILL');
          } catch {
            // Gone already, or not ours.
          }
        }
      }
      try {
        await session.startHost(plan);
        this.lost.push(`session ${session.id}: host service ${service} (pid ${pid}) of the previous server was ended and started again`);
      } catch (e) {
        this.lost.push(
          `session ${session.id}: host service ${service} (pid ${pid}) of the previous server was ended; starting it again failed (${(e as Error).message})`,
        );
      }
    }
  }

  private readHosts(): HostRecords {
    try {
      return JSON.parse(readFileSync(this.hostsFile, 'utf8')) as HostRecords;
    } catch {
      return {};
    }
  }

  private updateHosts(change: (hosts: HostRecords) => void): void {
    const hosts = this.readHosts();
    change(hosts);
    this.writeState(this.hostsFile, JSON.stringify(hosts));
  }

  /**
   * Writes one of the server's state files whole, aside and then renamed: a
   * full disk leaves the last good copy, never an empty or half file. Failing
   * to keep it costs only the recovery after a crash, so it is logged, not thrown.
   */
  private writeState(file: string, text: string): void {
    try {
      writeWholeFile(file, text, { mode: 0o600 });
    } catch (e) {
      this.log(`could not keep ${file} (${(e as Error).message}): a server that replaces this one may not find everything it should end or recover`);
    }
  }

  private engine(address: string): DockerEngine {
    let engine = this.engines.get(address);
    if (!engine) this.engines.set(address, (engine = new DockerEngine(parseEngineAddress(address))));
    return engine;
  }

  private knownEngines(): string[] {
    try {
      const list: unknown = JSON.parse(readFileSync(this.enginesFile, 'utf8'));
      return Array.isArray(list) ? list.filter((e): e is string => typeof e === 'string') : [];
    } catch {
      return [];
    }
  }

  private remember(address: string): void {
    const known = this.knownEngines();
    if (!known.includes(address)) this.writeState(this.enginesFile, JSON.stringify([...known, address]));
  }
}
