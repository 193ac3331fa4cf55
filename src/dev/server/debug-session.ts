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
import { BakeFileError, type Diagnostic } from '../../core/diagnostics.js';
import { renderDiagnostic, renderError } from '../../core/error-text.js';
import { UserError } from '../../core/errors.js';
import { hostFiles } from '../../bakefile/load.js';
import { resolveOptionsFor } from '../../bakefile/pipeline.js';
import { resolveTargets, type ResolvedConfig } from '../../bakefile/resolve.js';
import { BuildFailedError } from '../../buildkit/build.js';
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
import type { DebugRequest as DebugRequestMessage } from '../protocol/generated/dev.js';
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
  return { targets: req.targets, flags, debug: { onError: req.on_error, ...invoke } };
}

/** A debug run with nothing to debug: every target built. Not a failure: what the user asked for worked. */
export class EverythingBuilt extends UserError {
  constructor(message: string) {
    super('run', message);
    this.name = 'EverythingBuilt';
  }
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
  private round: { readonly abort: AbortController; readonly ended: Promise<unknown>; readonly builders: (() => Promise<void>)[] } | undefined;

  constructor(
    readonly session: DevSession,
    readonly run: DebugRun,
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
    await Promise.all([...this.shells].map(([id, shell]) => this.keepHistory(id, shell)));
    await this.release();
    const abort = new AbortController();
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
      this.points.push(point);
      if (point.failure) {
        told.add(point.target);
        relay(errorText(point.failure.event).trimEnd());
      }
      const opened = this.open(point, 'after', point.target).then(
        (p) => firstShell(p.id),
        (e: unknown) => {
          // Nothing runs on it: the build goes (an invoked one to report its failure, where the engine solves lazily).
          this.points = this.points.filter((x) => x !== point);
          point.release(false);
          relay(`bake: no shell could open in ${point.target}: ${(e as Error).message}`);
        },
      );
      opening.push(opened);
    };
    const builders: (() => Promise<void>)[] = [];
    const heldBuilder: OpenBuilder = async (where, openSignal) => {
      const builder = await openBuilder(where, openSignal);
      return { ...builder, close: async () => void builders.push(() => builder.close()) };
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
        frontendFor: debugFrontends(
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
    const ended = running.catch(() => undefined);
    this.round = { abort, ended, builders };
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

  /** Ends the session's builds and containers (the session's end). */
  end(): Promise<void> {
    return this.release();
  }

  private async open(point: DebugPoint, state: DebugState, id: string): Promise<DevProcess> {
    const container = await BuildContainer.start(point.gateway, point.target, point.mounts(state), point.signals, this.session.ended);
    const old = this.shells.get(id);
    if (old) await this.keepHistory(id, old);
    let process: DevProcess;
    try {
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

  /** Reads shell `id`'s history from its container while it runs, if a command was run in it. */
  private async keepHistory(id: string, shell: Shell): Promise<void> {
    const process = this.session.find(id);
    if (!(process instanceof BuildProcess) || !process.entered || process.state !== 'running') return;
    const history = await shell.container.read(historyFile(withHistory(shell.point.process.env)), shell.point.process);
    if (history?.length) this.histories.set(id, history);
  }

  private shellOf(ref: string): Shell {
    const shell = this.shells.get(ref);
    if (!shell) throw new SessionCommandError(`process ${ref || '(none)'} is no shell of this debug session; ps lists them`);
    return shell;
  }

  /** Lets every held build go (an invoked target's result is exported), ends the containers and waits for the builds to return. */
  private async release(): Promise<void> {
    const round = this.round;
    this.round = undefined;
    const points = this.points.splice(0);
    this.undebuggable = [];
    const containers = new Set([...this.shells.values()].map((s) => s.container));
    await Promise.all([...this.shells.keys()].map(async (id) => this.session.find(id)?.kill()));
    this.shells.clear();
    await Promise.all([...containers].map((c) => c.release()));
    for (const p of points) p.release(p.failure === undefined);
    if (!round) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([round.ended, new Promise((resolve) => (timer = setTimeout(resolve, RETURN_WAIT_MS)))]);
    clearTimeout(timer);
    round.abort.abort(new Error('the debug session let its builds go'));
    await Promise.all(round.builders.map((close) => close().catch(() => undefined)));
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
