/**
 * A build-debugging session in the server (issue 13): the session's targets
 * built through BuildKit's gateway (orchestrate/debug-frontend.ts), each
 * held build a DebugPoint, and on each a container with a shell: in the
 * invoked target's result, or in a failed step's state after it (`rollback
 * --init`: before it). The builds belong to the session, not to a client:
 * a terminal that leaves or dies changes nothing, and only the session's
 * end (or a `reload`) lets them go, which releases every container and
 * build, leaving nothing in the engine.
 */
import { basename } from 'node:path';
import { BakeFileError, type Diagnostic } from '../../core/diagnostics.js';
import { renderDiagnostic, renderError } from '../../core/error-text.js';
import { UserError } from '../../core/errors.js';
import { hostFiles } from '../../bakefile/load.js';
import { resolveOptionsFor } from '../../bakefile/pipeline.js';
import { resolveTargets, type ResolvedConfig } from '../../bakefile/resolve.js';
import { BuildFailedError } from '../../buildkit/build-result.js';
import { runBuild, type BuildRunResult } from '../../orchestrate/build-run.js';
import { openBuilder, type OpenBuilder } from '../../orchestrate/builder.js';
import { readDefinition } from '../../orchestrate/definition.js';
import { debugFrontends, type DebugPoint, type DebugRequest, type DebugState, type UndebuggableFailure } from '../../orchestrate/debug-frontend.js';
import { lineView } from '../../orchestrate/progress/lines.js';
import { plainLines } from '../../orchestrate/progress/plain.js';
import { errorText } from '../../orchestrate/progress/text.js';
import type { ProgressView } from '../../orchestrate/progress/view.js';
import { BuildContainer, BuildProcess } from '../process/build-container.js';
import { BuildStateFiles } from '../process/build-files.js';
import type { ContainerFiles } from '../process/files.js';
import { loadEmulator } from '../process/output-record.js';
import { historyFile, historyTail, withHistory } from '../process/shell-history.js';
import type { DevProcess } from '../process/process.js';
import type { ProcessMeta } from '../../buildkit/gateway.js';
import type { DebugRequest as DebugRequestMessage } from '../protocol/generated/messages.js';
import { lineWriter, parseRebuild, type RebuildRequest } from './rebuild.js';
import { SessionCommandError, type DevSession, type SessionDebugger } from './session.js';

/** What a debug session builds, and how it debugs. */
export interface DebugRun {
  readonly targets: readonly string[];
  /** The client's build flags, as `rebuild` reads them. */
  readonly flags: RebuildRequest;
  readonly debug: DebugRequest;
}

/** The debug run a request asks for; a request that does not parse is refused with one sentence. */
export function debugRun(req: DebugRequestMessage): DebugRun {
  const flags = parseRebuild(req.build_flags);
  const invoke = req.invoke_target ? { invoke: { target: req.invoke_target, command: req.invoke_command?.words } } : {};
  const breaks = req.breaks.map((b) => {
    const at = /^(\/.*):(\d+)$/.exec(b);
    if (!at) throw new SessionCommandError(`invalid break ${JSON.stringify(b)}: an absolute Dockerfile path and a line, PATH:LINE`);
    return { path: at[1] as string, line: Number(at[2]) };
  });
  return { targets: req.targets, flags, debug: { onError: req.on_error, ...invoke, ...(breaks.length ? { breaks } : {}) } };
}

/** A debug run with nothing to debug: every target built. Not a failure: what the user asked for worked. */
export class EverythingBuilt extends UserError {
  constructor(message: string) {
    super('run', message);
    this.name = 'EverythingBuilt';
  }
}

/** One build of the session's targets (the first, or a reload's). */
interface Round {
  readonly abort: AbortController;
  readonly ended: Promise<unknown>;
  readonly builders: (() => Promise<void>)[];
}

/** What a round held when a reload or the session's end took it away. */
interface TakenRound {
  readonly round: Round | undefined;
  readonly points: readonly DebugPoint[];
  readonly shells: readonly (readonly [string, Shell, DevProcess | undefined])[];
}

/** A shell (or exec'd process) of the session, and the container and held build it runs in. */
interface Shell {
  readonly point: DebugPoint;
  readonly container: BuildContainer;
  readonly state: DebugState;
}

/**
 * Starts `shell` with `history` in its history file first: the container's
 * first process is its init (a writer that exited would end the container),
 * so a /bin/sh writes the file and then becomes the shell.
 */
function restoringHistory(shell: ProcessMeta, history: Buffer): ProcessMeta {
  return {
    ...shell,
    args: ['/bin/sh', '-c', 'printf "%s" "$BAKE_HISTORY" > "$1"; unset BAKE_HISTORY; shift; exec "$@"', 'sh', historyFile(shell.env), ...shell.args],
    env: [...shell.env, `BAKE_HISTORY=${historyTail(history)}`],
  };
}

/** How long the end of a session waits for its builds to return (an invoked target's export among them). */
const RETURN_WAIT_MS = 60_000;

export class BuildDebugger implements SessionDebugger {
  private points: DebugPoint[] = [];
  private undebuggable: UndebuggableFailure[] = [];
  private readonly shells = new Map<string, Shell>();
  /** Each shell's history by its id, kept across the containers a rollback or reload replaces. */
  private readonly histories = new Map<string, Buffer>();
  /** The current round's build run, its end, and its builders (whose close waits for the round's end: a held build needs its connection). */
  private round: Round | undefined;
  /**
   * The replaced rounds, let go in the background: their processes ended
   * (histories read first: a new shell starts after), their builds returned
   * (a new build solves after: BuildKit shares a step among the builds that
   * hold it, a failed one too, which would not run again), and their
   * builders closed (the session's end waits for it).
   */
  private replaced = { processes: Promise.resolve(), builds: Promise.resolve(), builders: Promise.resolve() };

  constructor(
    readonly session: DevSession,
    // `continue` passes the breaks it stopped at.
    private run: DebugRun,
  ) {}

  /** The first shell: where a terminal goes when it names no process. */
  get interactive(): string | undefined {
    return [...this.shells.keys()].find((id) => this.session.find(id)?.state === 'running') ?? this.shells.keys().next().value;
  }

  /**
   * Builds the targets; resolves with the first shell's process id once it
   * is ready (the run goes on for the other targets). A run that ends with
   * no shell to open throws why: every target built (on-error), or failures
   * whose engine sends no failed-step state.
   */
  async build(say: (line: string) => void): Promise<string> {
    // The first shell's start is what the user waits for once a step fails: its terminal emulator loads meanwhile.
    void loadEmulator();
    // The round replaced is let go while this one builds: the user waits for the new shell, not for the old one's end.
    this.letGo(this.take());
    const { builds: replacedBuilds } = this.replaced;
    const abort = new AbortController();
    const round: Round = { abort, ended: Promise.resolve(), builders: [] };
    const signal = AbortSignal.any([this.session.ended, abort.signal]);
    // Progress goes to whoever asked until the first shell is ready; after that the run goes on quietly.
    let relay = say;
    const sources = new Map<string, string>();
    const resolved = await this.resolve(sources, (line) => relay(line));
    const invoked = this.run.debug.invoke?.target;
    if (invoked !== undefined && !resolved.targets.has(invoked))
      throw new SessionCommandError(`--invoke names target ${invoked}, which the bake files no longer build (${[...resolved.targets.keys()].join(', ')})`);
    let firstShell: (id: string) => void = () => undefined;
    const ready = new Promise<string>((resolve) => (firstShell = resolve));
    const opening: Promise<unknown>[] = [];
    /** Failures told as they are found, before a shell opens on them: the view would tell them only at the run's end. */
    const told = new Set<string>();
    const found = (point: DebugPoint): void => {
      // A replaced round's build that fails late (--keep-going) is not this round's to debug.
      if (this.round?.abort !== abort) {
        void point.release(false);
        return;
      }
      this.points.push(point);
      if (point.failure) {
        told.add(point.target);
        relay(errorText(point.failure.event).trimEnd());
      }
      if (point.stoppedAt)
        relay(
          `bake: ${point.target} stopped before the step at ${basename(point.stoppedAt.path)}:${point.stoppedAt.line}: its shell is in the state that step starts from; continue goes on`,
        );
      const opened = this.open(point, 'after', point.target).then(
        (p) => firstShell(p.id),
        (e: unknown) => {
          // Nothing runs on it: the build goes (an invoked one to report its failure, where the engine solves lazily).
          this.points = this.points.filter((x) => x !== point);
          void point.release(false);
          relay(`bake: no shell could open in ${point.target}: ${(e as Error).message}`);
        },
      );
      opening.push(opened);
    };
    const { builders } = round;
    const heldBuilder: OpenBuilder = async (where, openSignal) => {
      const builder = await openBuilder(where, openSignal);
      return {
        ...builder,
        solve: async (request, solveSignal) => {
          await replacedBuilds;
          return builder.solve(request, solveSignal);
        },
        close: async () => void builders.push(() => builder.close()),
      };
    };
    const write = lineWriter((line) => relay(line));
    let view: ProgressView | undefined;
    const running = runBuild(
      {
        resolved,
        cwd: this.session.projectDir,
        // Builds use the session's engine.
        env: { ...this.session.env, DOCKER_HOST: this.session.identity.engine },
        builder: this.run.flags.build.builder,
        maxParallelism: this.run.flags.build.maxParallelism,
        keepGoing: this.run.flags.build.keepGoing,
        debugFor: debugFrontends(
          this.run.debug,
          signal,
          found,
          (f) => this.undebuggable.push(f),
          (line) => relay(`warning: ${line}`),
        ),
      },
      async (names) => {
        const lines = lineView(names, (_, out) => plainLines(out, false), write);
        view = lines;
        return { ...lines, settled: (t, status, error) => lines.settled(t, status, told.has(t) ? undefined : error), warn: (m) => relay(`warning: ${m}`) };
      },
      signal,
      heldBuilder,
    ).then(async (result) => {
      await view?.close();
      for (const error of result.failed.values()) if (!(error instanceof BuildFailedError)) relay(renderError(error, sources));
      return result;
    });
    this.round = { ...round, ended: running.catch(() => undefined) };
    const first = await Promise.race([ready.then((id) => ({ id })), running.then((result) => ({ result }))]);
    if ('id' in first) {
      relay = () => undefined;
      return first.id;
    }
    // A point found just before the run ended may still be opening its shell.
    await Promise.all(opening);
    const id = this.interactive;
    relay = () => undefined;
    if (id !== undefined) return id;
    throw this.nothingToDebug(first.result);
  }

  /** `reload`: let the held builds go, and build again with the sources as they are now. */
  reload(say: (line: string) => void): Promise<string> {
    return this.build(say);
  }

  /** `continue`: the breaks the build stopped at are passed; it builds again, to the next break or the end. */
  continue(say: (line: string) => void): Promise<string> {
    const { breaks } = this.run.debug;
    const stopped = this.points.flatMap((p) => (p.stoppedAt ? [p.stoppedAt] : []));
    if (!stopped.length) throw new SessionCommandError('the build is stopped at no break: continue goes on from a --break; reload builds again');
    const left = breaks?.filter((b) => !stopped.some((s) => s.path === b.path && s.line >= b.line)) ?? [];
    say(left.length ? `bake: on to the next break: ${left.map((b) => `${basename(b.path)}:${b.line}`).join(', ')}` : 'bake: no break left: on to the end');
    this.run = { ...this.run, debug: { ...this.run.debug, breaks: left } };
    return this.build(say);
  }

  /** `rollback [--init]`: a fresh container on the same held build: the state after its step, or with `init` before it. */
  async rollback(ref: string, init: boolean): Promise<string> {
    const shell = this.shellOf(ref);
    if (init && !shell.point.failure) throw new SessionCommandError(`${shell.point.target} did not fail: rollback --init opens the state before a failed step`);
    const process = await this.open(shell.point, init ? 'before' : 'after', ref);
    return process.id;
  }

  /** `exec CMD…`: another process in the container of the attached shell, with its environment. */
  async exec(ref: string, command: readonly string[]): Promise<DevProcess> {
    const shell = this.shellOf(ref);
    const process = await shell.container.exec(this.session.nextProcessId(), { ...shell.point.process, args: command }, this.session.size);
    this.session.track(process);
    this.shells.set(process.id, shell);
    return process;
  }

  /**
   * The files `ls`, `cat` and `cp` reach: the held build state the attached
   * process's container started from, read through the gateway; a write
   * goes into the running container through a process in it.
   */
  filesOf(ref: string): ContainerFiles {
    const shell = this.shellOf(ref);
    const { point } = shell;
    const what = `the ${shell.state === 'before' ? 'state before the failed step' : point.failure ? 'failed step' : 'build result'} of ${point.target}`;
    return new BuildStateFiles(point.gateway, point.fileRef(shell.state), what, (path, data, mode) => shell.container.write(path, data, mode, point.process));
  }

  /** The failures (or results) the session holds, a paragraph each, as `failures` says them. */
  describe(): string {
    const held = this.points.map((p) => {
      const shells = [...this.shells].filter(([, s]) => s.point === p).map(([id, s]) => `${id} (${s.state === 'before' ? 'before the step' : 'after it'})`);
      const where = `shells: ${shells.join(', ') || 'none'}`;
      if (p.stoppedAt)
        return `${p.target}: stopped before the step at ${basename(p.stoppedAt.path)}:${p.stoppedAt.line} (--break), in the state it starts from; ${where}`;
      if (!p.failure) return `${p.target}: its result; ${where}`;
      const f = p.failure;
      const location = f.event.source ? `${f.event.source.filename}:${f.event.source.lines.find((l) => l.failing)?.line ?? '?'}` : 'its Dockerfile';
      return [
        `${p.target}: the step at ${location} failed${f.exitCode === undefined ? '' : ` with exit code ${f.exitCode}`}: ${f.command.join(' ')}; ${where}`,
        errorText(f.event).trimEnd(),
      ].join('\n');
    });
    const other = this.undebuggable.map(
      (u) => `${u.target}: failed ${u.reason === 'no-state' ? 'without a step state from the engine to open' : 'at a step that runs no process'}`,
    );
    return [...held, ...other].join('\n\n') || 'nothing is held: every target built';
  }

  /** Ends the session's builds and containers (the session's end), and waits for every round to be let go. */
  async end(): Promise<void> {
    this.letGo(this.take());
    await this.replaced.builders;
  }

  private async open(point: DebugPoint, state: DebugState, id: string): Promise<DevProcess> {
    const container = await BuildContainer.start(point.gateway, point.target, point.mounts(state), point.signals, this.session.ended);
    const old = this.shells.get(id);
    if (old) await this.keepHistory(id, old, this.session.find(id));
    let process: DevProcess;
    try {
      // The shell a reload replaced leaves its history first.
      await this.replaced.processes;
      const history = this.histories.get(id);
      const shell = { ...point.process, env: withHistory(point.process.env) };
      process = await container.exec(id, history ? restoringHistory(shell, history) : shell, this.session.size, shell.args);
    } catch (e) {
      await container.release();
      throw e;
    }
    const replaced = this.session.find(id);
    this.shells.set(id, { point, container, state });
    if (old) {
      // The replaced process ends, and its container with it once no process of the session runs there.
      await replaced?.kill();
      if (![...this.shells.values()].some((s) => s.container === old.container)) await old.container.release();
    }
    this.session.track(process);
    return process;
  }

  /** Reads shell `id`'s history from its container while `process` runs there, if a command was run in it. */
  private async keepHistory(id: string, shell: Shell, process: DevProcess | undefined): Promise<void> {
    if (!(process instanceof BuildProcess) || !process.entered || process.state !== 'running') return;
    const history = await shell.container.read(historyFile(withHistory(shell.point.process.env)), shell.point.process);
    if (history?.length) this.histories.set(id, history);
  }

  private shellOf(ref: string): Shell {
    const shell = this.shells.get(ref);
    if (!shell) throw new SessionCommandError(`process ${ref || '(none)'} is no shell of this debug session; ps lists them`);
    return shell;
  }

  /** Takes the round's builds, points and shells out of the session: the next round starts with none. */
  private take(): TakenRound {
    const taken = { round: this.round, points: this.points.splice(0), shells: [...this.shells].map(([id, s]) => [id, s, this.session.find(id)] as const) };
    this.round = undefined;
    this.undebuggable = [];
    this.shells.clear();
    return taken;
  }

  /**
   * Lets a taken round go: its shells' histories are read, its processes
   * end, its containers are released, its held builds let go (an invoked
   * target's result is exported), and its builders close once the builds
   * have returned.
   */
  private letGo({ round, points, shells }: TakenRound): void {
    const ignore = (): undefined => undefined;
    const histories = Promise.all(shells.map(([id, shell, process]) => this.keepHistory(id, shell, process).catch(ignore)));
    const processes = histories.then(() => Promise.all(shells.flatMap(([, , process]) => (process ? [process.kill()] : [])))).then(ignore, ignore);
    // Where the engine sends signals, releasing a container ends its processes too, so it need not wait for them; BuildKit 0.8 ends none.
    const signals = new Map(shells.map(([, s]) => [s.container, s.point.signals]));
    const containers = [...signals].map(([container, ends]) => (ends ? histories : processes).then(() => container.release()));
    const builds = Promise.all(containers).then(async () => {
      // The held builds return once let go; the round's other builds (--keep-going) end with the run.
      // An invoked result is exported as the target; a failed step, or a break's cut state, never is.
      const returned = Promise.all([...points.map((p) => p.release(p.failure === undefined && p.stoppedAt === undefined)), round?.ended]);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([returned, new Promise((resolve) => (timer = setTimeout(resolve, RETURN_WAIT_MS)))]);
      clearTimeout(timer);
      round?.abort.abort(new Error('the debug session let its builds go'));
    });
    const builders = builds.then(() => Promise.all(round?.builders.map((close) => close()) ?? [])).then(ignore, ignore);
    const before = this.replaced;
    const after = (a: Promise<unknown>, b: Promise<unknown>): Promise<void> => Promise.all([a, b]).then(ignore, ignore);
    this.replaced = { processes: after(before.processes, processes), builds: after(before.builds, builds), builders: after(before.builders, builders) };
  }

  /** Why a run that ended gave no shell: one sentence and its fix. */
  private nothingToDebug(result: BuildRunResult): UserError {
    if (result.interrupted) return new UserError('interrupted', 'the debug build was cancelled: the session ended');
    const ran = [...result.failed].filter(([, e]) => e instanceof BuildFailedError).map(([target]) => target);
    // A failure the frontend never saw came at the export: an engine that solves lazily, and sends no step state either.
    const reasons = new Map<string, UndebuggableFailure['reason']>(ran.map((t) => [t, 'no-state']));
    for (const u of this.undebuggable) reasons.set(u.target, u.reason);
    const noState = [...reasons].filter(([, r]) => r === 'no-state').map(([t]) => t);
    if (noState.length)
      return new UserError(
        'build',
        `${noState.join(', ')} failed, but the engine at ${this.session.identity.engine} sends no failed-step state with its errors, so no shell can open at the failed step`,
        'Docker 23+ (BuildKit 0.10+) sends it: build on a newer engine to debug the failure there, or use --invoke for a shell in a target that builds.',
      );
    if (reasons.size)
      return new UserError(
        'build',
        `${[...reasons.keys()].join(', ')} failed at a step that runs no process (COPY, ADD …), so there is no step state to open a shell in`,
        'Fix what the build says (see above); --invoke on a target that builds gives a shell in its result.',
      );
    if (result.failed.size) return new UserError('build', 'the build failed before any step ran (see above)', 'Fix what the build says, then run it again.');
    if (this.run.debug.invoke) return new UserError('run', `no shell could open in ${this.run.debug.invoke.target} (see above)`);
    return new EverythingBuilt(`every target built (${[...result.built.keys()].join(', ')}): no step failed, so there is nothing to debug`);
  }

  /** The session's targets, resolved from its bake files as they are now; a mistake in them is told with its code frame. */
  private async resolve(sources: Map<string, string>, say: (line: string) => void): Promise<ResolvedConfig> {
    const { env, projectDir: cwd } = this.session;
    const warn = (d: Diagnostic): void => say(renderDiagnostic(d, sources));
    try {
      const def = await readDefinition({ cwd, env, warn, files: this.session.identity.files, vars: this.run.flags.vars, sources, readStdin: () => '' });
      const options = resolveOptionsFor(def.evaluated, { sets: this.run.flags.sets, env: (name) => env[name], warn, files: hostFiles(cwd) });
      return resolveTargets(def.evaluated, { ...options, names: this.run.targets });
    } catch (e) {
      if (!(e instanceof BakeFileError)) throw e;
      say(renderError(e, sources));
      throw new UserError('run', `the build stopped at the error above in session ${this.session.id}'s bake files`, 'Fix the bake file, then reload.');
    }
  }
}
