/**
 * `bake dev --watch` and the monitor's `watch on|off` (issue 15) in the
 * server, where it outlives any terminal: the session's watch rules read
 * from its bake files as they are now, host files watched (file-watcher.ts),
 * and each burst of changes planned (watch/rules.ts) and run: a sync is one
 * archive put per service (plus one `rm` for removals), a sync+restart
 * restarts the service after it, a rebuild goes through the monitor's
 * `rebuild` with only the targets hit, which recreates only the services
 * whose image changed.
 */
import { readFile, stat } from 'node:fs/promises';
import { buildSpec } from '../../orchestrate/build-spec.js';
import { dockerignoreFor } from '../../orchestrate/build-target.js';
import { runAsRoot } from '../process/exec-kill.js';
import { EngineContainerFiles } from '../process/engine-files.js';
import { containerName } from '../runtime/session-objects.js';
import { compileRules, ignoredEverywhere, planChanges, watchRoots, type Change, type CompiledRule, type ServiceBatch } from '../watch/rules.js';
import { watchFiles as chokidarFiles, type FileEvents, type FileWatcher } from './file-watcher.js';
import { rebuild, sessionPlan, type RebuildRequest } from './rebuild.js';
import { SessionCommandError, type DevSession } from './session.js';

/**
 * How long the files must be quiet before a burst is acted on. compose
 * waits 500 ms; an editor's save is over in a few, and the bar is a saved
 * file visible in the container within 300 ms, so a short window that still
 * takes a save's several events (and `git checkout`'s many) as one batch.
 */
export const QUIET_MS = 40;

/** How many of its last lines `watch` shows. */
const KEPT_LINES = 20;

export type WatchFilesFn = (roots: readonly string[], ignored: (path: string) => boolean, events: FileEvents) => Promise<FileWatcher>;

export class SessionWatch {
  private watcher: FileWatcher | undefined;
  private pending: Change[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Rebuilds run one at a time; targets hit meanwhile wait for the next. */
  private building: Promise<void> | undefined;
  private readonly waitingTargets = new Set<string>();
  private readonly lines: string[] = [];

  private constructor(
    private readonly session: DevSession,
    readonly rules: readonly CompiledRule[],
    private readonly request: RebuildRequest,
  ) {}

  /** Reads the session's watch rules and starts watching; `request` holds the build flags its rebuilds use. */
  static async start(
    session: DevSession,
    request: RebuildRequest,
    say: (line: string) => void,
    watchFiles: WatchFilesFn = chokidarFiles,
  ): Promise<SessionWatch> {
    const plan = await sessionPlan(session, request, new Map(), say, 'watch on');
    const { services, resolved } = plan.environment;
    const rules = compileRules(services, resolved.targets, session.projectDir, (_, target) =>
      dockerignoreFor(buildSpec(target, session.projectDir, undefined)),
    );
    if (!rules.length)
      throw new SessionCommandError(
        `no service of session ${session.id} has watch rules (${session.identity.files.join(', ')}); add a watch block to a service (develop.watch in a compose file), e.g. watch { action = "sync" path = "./src" target = "/app/src" }`,
      );
    const watch = new SessionWatch(session, rules, request);
    watch.watcher = await watchFiles(watchRoots(rules), (path) => ignoredEverywhere(rules, path), {
      change: (path, removed) => watch.changed({ path, removed }),
      error: (e) => watch.failed(`watching failed: ${e.message}`),
    });
    return watch;
  }

  /** What it watches, a line per rule, then what it did last. */
  describe(): string {
    const rules = this.rules.map((r) => {
      const to = r.action === 'rebuild' ? `rebuilds target ${r.buildTarget ?? ''}` : `${r.action} to ${r.containerRoot ?? ''}`;
      return `  ${r.service}: ${r.root} → ${to}`;
    });
    return [`watching (session ${this.session.id}):`, ...rules, ...(this.lines.length ? ['last:', ...this.lines.map((l) => `  ${l}`)] : [])].join('\n');
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.pending = [];
    await this.watcher?.close();
    await this.building;
  }

  private changed(change: Change): void {
    this.pending.push(change);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), QUIET_MS);
  }

  private async flush(): Promise<void> {
    const changes = this.pending;
    this.pending = [];
    const batches = planChanges(this.rules, changes);
    for (const b of batches) if (b.rebuild !== undefined) this.waitingTargets.add(b.rebuild);
    await Promise.all([...batches.filter((b) => b.rebuild === undefined).map((b) => this.sync(b)), this.rebuildWaiting()]);
  }

  /** Copies a batch into the service's container in one archive, removes what is gone, then restarts it if a rule says so. */
  private async sync(batch: ServiceBatch): Promise<void> {
    const { service } = batch;
    const signal = this.session.ended;
    try {
      const container = await this.session.runtime.containerOf(service, signal);
      if (container?.State !== 'running') {
        this.failed(`${service}: not running, ${batch.copies.length + batch.removals.length} change(s) not synced; start ${service}`);
        return;
      }
      const read = await Promise.all(batch.copies.map(async (c) => ({ ...c, file: await hostFile(c.host) })));
      const files = read.flatMap((c) => (c.file ? [{ path: c.container, ...c.file }] : []));
      // Gone by the time it is read: a removal after all.
      const removals = [...batch.removals, ...read.filter((c) => !c.file).map((c) => c.container)];
      if (files.length)
        await new EngineContainerFiles(this.session.engine, container.Id, `container ${containerName(this.session.identity, service)}`).writeAll(files, signal);
      if (removals.length) {
        const { exitCode, said } = await runAsRoot(this.session.engine, container.Id, ['rm', '-rf', '--', ...removals], signal);
        if (exitCode !== 0) this.failed(`${service}: could not remove ${removals.join(' ')} (${said || `rm exited ${exitCode}`})`);
      }
      this.note(`${service}: synced ${files.length} file(s)${removals.length ? `, removed ${removals.length}` : ''}`);
      if (batch.restart) {
        await this.session.lifecycle('restart', service);
        this.note(`${service}: restarted`);
      }
    } catch (e) {
      if (!signal.aborted) this.failed(`${service}: sync failed: ${(e as Error).message}`);
    }
  }

  /** Builds the targets hit so far (after any rebuild in flight), recreating the services whose image changed. */
  private rebuildWaiting(): Promise<void> {
    if (this.building || !this.waitingTargets.size) return this.building ?? Promise.resolve();
    const targets = [...this.waitingTargets];
    this.waitingTargets.clear();
    this.note(`rebuilding ${targets.join(', ')}`);
    // No terminal asked for this build's progress: only its failure is told, from the lines it said.
    const said: string[] = [];
    this.building = rebuild(this.session, { ...this.request, targets }, (line) => void said.push(line))
      .then(
        () => this.note(`rebuilt ${targets.join(', ')}`),
        (e: unknown) => {
          if (!this.session.ended.aborted)
            this.failed(`rebuild of ${targets.join(', ')} failed${buildFailure(said) ?? `: ${(e as Error).message}`}; the services keep running what they ran`);
        },
      )
      .finally(() => {
        this.building = undefined;
        void this.rebuildWaiting();
      });
    return this.building;
  }

  private note(line: string): void {
    this.lines.push(`${new Date().toISOString().slice(11, 19)} ${line}`);
    if (this.lines.length > KEPT_LINES) this.lines.shift();
  }

  /** A failure is kept for `watch` and told to every terminal at once: the user saved a file and waits for its effect. */
  private failed(line: string): void {
    this.note(line);
    this.session.tell({ $case: 'watch_failed', value: line });
  }
}

/**
 * Where and why a build failed, from its plain progress: ` at Dockerfile:3: process … exit code: 1`
 * (the code frame's file:line, the error line), lines maybe prefixed `[target] `; undefined without an error line.
 * A thing said may hold several lines (an error with its code frame).
 */
function buildFailure(said: readonly string[]): string | undefined {
  const lines = said.flatMap((s) => s.split('\n'));
  const last = (pattern: RegExp): string | undefined => lines.map((l) => pattern.exec(l)?.[1]).findLast((m) => m !== undefined);
  const error = last(/^(?:\[\S+\] )?error: (?:failed to build \S+: )?(.*)$/);
  if (error === undefined) return undefined;
  const where = last(/^(?:\[\S+\] )?(\S+:\d+)$/);
  return `${where === undefined ? '' : ` at ${where}`}: ${error}`;
}

/** A host file's bytes and permission bits; undefined when it is gone or not a file. */
async function hostFile(path: string): Promise<{ readonly data: Buffer; readonly mode: number } | undefined> {
  try {
    const found = await stat(path);
    if (!found.isFile()) return undefined;
    return { data: await readFile(path), mode: found.mode & 0o7777 };
  } catch {
    return undefined;
  }
}
