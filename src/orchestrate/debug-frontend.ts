/**
 * Build debugging's client-side frontend (issue 13): each target of a run is
 * solved through BuildKit's gateway, and where a debug shell may open — the
 * invoked target's result, or any target's failed step — the build is held
 * open and handed over as a DebugPoint. Who opens containers on it (the dev
 * server's debug session) decides when it is let go.
 */
import type * as grpc from '@grpc/grpc-js';
import type { ErrorEvent } from '../core/progress.js';
import type { ClientFrontend, GatewayBuild } from '../buildkit/build.js';
import type { DockerfileSpec } from '../buildkit/build-spec.js';
import type { ContainerMount, GatewayClient, ProcessMeta } from '../buildkit/gateway.js';
import { decodeDetails, failureEvent, type FailedStep } from '../buildkit/status.js';

/** What the user asked to debug. */
export interface DebugRequest {
  /** `--invoke[=CMD] TARGET`: a process in the target's result; `command` undefined: the image's shell. */
  readonly invoke?: { readonly target: string; readonly command: readonly string[] | undefined };
  /** `--on-error`: a shell at the failed step of any target. */
  readonly onError: boolean;
  /** `--break`: the Dockerfile steps to stop before (absolute paths, 1-based lines). */
  readonly breaks?: readonly DockerfileLine[];
}

export interface DockerfileLine {
  readonly path: string;
  readonly line: number;
}

/** How build debugging solves a target: through its frontend, and with `breakAt` its Dockerfile cut before the step at that line. */
export interface DebuggedTarget {
  readonly frontend: ClientFrontend;
  readonly breakAt?: DockerfileLine;
}

/** Where a container of a held build can start: a target's result, or its failed step. */
export interface DebugPoint {
  readonly target: string;
  readonly gateway: GatewayClient;
  /** The process to run first, with the image's (or the failed step's) env, working dir and user. */
  readonly process: ProcessMeta;
  /** The container's mounts: the result, or the failed step's state after it; `before`: its state before (rollback --init). */
  mounts(state: DebugState): ContainerMount[];
  /** The ref whose files `ls`/`cat` read (the root mount's). */
  fileRef(state: DebugState): string;
  /** The engine sends signals to the processes (`gateway.exec.signals`). */
  readonly signals: boolean;
  readonly failure?: DebugFailure;
  /** Where a `--break` stopped the build: the shell is in the state its step starts from. */
  readonly stoppedAt?: DockerfileLine;
  /**
   * Lets the build go: `keep` exports the result (an invoked target's), else
   * it is discarded. Resolves once the build has returned: a build solved
   * before then shares its steps, a failed one too, which would not run again.
   */
  release(keep: boolean): Promise<void>;
}

export type DebugState = 'after' | 'before';

/** What failed, as the monitor tells it. */
export interface DebugFailure {
  /** BuildKit's message and the Dockerfile lines, as the run printed them. */
  readonly event: ErrorEvent;
  /** The failed step's command. */
  readonly command: readonly string[];
  readonly exitCode: number | undefined;
}

/**
 * A failure no shell can open on: the engine sent no failed-step state
 * (BuildKit before v0.10), or the step that failed runs no process (COPY,
 * ADD: there is nothing to step into).
 */
export interface UndebuggableFailure {
  readonly target: string;
  readonly reason: 'no-state' | 'no-process';
}

/**
 * The frontend for each target of the run: the invoked target, with
 * `onError` every target, and a target whose Dockerfile has a break, are
 * solved through the gateway; a break cuts its Dockerfile before the first
 * break's step and holds the state it gives. `found` gets each debug point
 * as it comes; `undebuggable` each failure that has none.
 */
export function debugFrontends(
  request: DebugRequest,
  signal: AbortSignal,
  found: (point: DebugPoint) => void,
  undebuggable: (failure: UndebuggableFailure) => void,
  warn: (line: string) => void,
): (target: string, dockerfile: DockerfileSpec) => DebuggedTarget | undefined {
  let capabilities: Promise<ReadonlySet<string>> | undefined;
  return (target, dockerfile) => {
    const invoked = request.invoke?.target === target;
    // The first break of its Dockerfile: continue goes on to the next.
    const breakAt = dockerfile.kind === 'file' ? request.breaks?.filter((b) => b.path === dockerfile.path).sort((a, b) => a.line - b.line)[0] : undefined;
    if (!invoked && !request.onError && !breakAt) return undefined;
    const frontend: ClientFrontend = {
      signal,
      run: async (build) => {
        // Asked once per run: every build of it is on the same builder.
        const caps = await (capabilities ??= checkCapabilities(build.gateway, request, signal, warn));
        const signals = caps.has('gateway.exec.signals');
        let solved;
        try {
          solved = await build.gateway.solve(build.request, signal);
        } catch (e) {
          const failure = e as grpc.ServiceError;
          if (!request.onError || signal.aborted) return { result: { failure } };
          const raw = failure.metadata?.get('grpc-status-details-bin')[0];
          const details = raw instanceof Uint8Array ? decodeDetails(raw) : {};
          const step = details.failedStep;
          if (!step) {
            undebuggable({ target, reason: details.solved ? 'no-process' : 'no-state' });
            return { result: { failure } };
          }
          const held = hold();
          found(failurePoint(build, step, failure, signals, held.release));
          return { result: { failure }, held: held.released, returned: held.returned };
        }
        if (!invoked && !breakAt) return { result: { ref: solved.ref } };
        const held = hold();
        // A break's state is a cut build's: a shell runs in it, never its command, and it is never exported as the target.
        const command = breakAt ? undefined : request.invoke?.command;
        found({ ...resultPoint(build, solved.ref, imageConfig(solved.metadata), command, signals, held.release), ...(breakAt ? { stoppedAt: breakAt } : {}) });
        return { result: { ref: solved.ref }, held: held.released, returned: held.returned };
      },
    };
    return { frontend, ...(breakAt ? { breakAt } : {}) };
  };
}

/**
 * What the engine's gateway says it can do, told before the build: no
 * `gateway.exec`, no process can run in a build (--invoke fails); no
 * `gateway.exec.signals`, a BuildKit before v0.10, whose failures carry no
 * failed-step state either (errdefs.Solve came in the same release).
 */
async function checkCapabilities(
  gateway: GatewayClient,
  request: DebugRequest,
  signal: AbortSignal,
  warn: (line: string) => void,
): Promise<ReadonlySet<string>> {
  const caps = await gateway.capabilities(signal);
  if (!caps.has('gateway.exec'))
    warn("this builder's gateway cannot run processes (no gateway.exec capability): no debug shell can open on it; Docker 20.10+ (BuildKit 0.8+) can");
  else if (request.onError && !caps.has('gateway.exec.signals'))
    warn(
      "this builder's BuildKit predates 0.10 (no gateway.exec.signals capability): its failures carry no failed-step state, so a failure is reported but no shell opens at it; Docker 23+ (BuildKit 0.10+) has both",
    );
  return caps;
}

/** A held build: `release(keep)` lets it go and resolves once the builder says it `returned`. */
function hold(): { released: Promise<boolean>; release: (keep: boolean) => Promise<void>; returned: (ended: Promise<unknown>) => void } {
  let letGo: (keep: boolean) => void = () => undefined;
  const released = new Promise<boolean>((resolve) => (letGo = resolve));
  let returned: (ended: Promise<unknown>) => void = () => undefined;
  const ended = new Promise<void>(
    (resolve) =>
      (returned = (e) =>
        void e.then(
          () => resolve(),
          () => resolve(),
        )),
  );
  return {
    released,
    release: (keep) => {
      letGo(keep);
      return ended;
    },
    returned,
  };
}

/** The parts of an image config a process starts with. */
interface ImageConfig {
  readonly Env?: string[];
  readonly WorkingDir?: string;
  readonly User?: string;
  readonly Shell?: string[];
}

function imageConfig(metadata: Readonly<Record<string, Buffer>>): ImageConfig {
  const raw = metadata['containerimage.config'];
  if (!raw) return {};
  try {
    return (JSON.parse(raw.toString('utf8')) as { config?: ImageConfig }).config ?? {};
  } catch {
    return {};
  }
}

/** The image's shell (its SHELL instruction's program), else /bin/sh. */
function shellOf(config: ImageConfig): string[] {
  return [config.Shell?.[0] ?? '/bin/sh'];
}

function resultPoint(
  build: GatewayBuild,
  ref: string,
  config: ImageConfig,
  command: readonly string[] | undefined,
  signals: boolean,
  release: (keep: boolean) => Promise<void>,
): DebugPoint {
  return {
    target: build.target,
    gateway: build.gateway,
    process: {
      args: command ?? shellOf(config),
      env: config.Env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      cwd: config.WorkingDir || '/',
      ...(config.User ? { user: config.User } : {}),
    },
    mounts: () => [{ dest: '/', resultID: ref }],
    fileRef: () => ref,
    signals,
    release,
  };
}

function failurePoint(
  build: GatewayBuild,
  step: FailedStep,
  error: grpc.ServiceError,
  signals: boolean,
  release: (keep: boolean) => Promise<void>,
): DebugPoint {
  const details = decodeDetails(error.metadata.get('grpc-status-details-bin')[0] as Uint8Array);
  // Mounts without a state (scratch, tmpfs, secrets) cannot be opened again; the step's root and bind mounts can.
  const mounts = (state: DebugState): ContainerMount[] =>
    step.mounts.flatMap((m, i) => {
      const resultID = state === 'after' ? step.mountIDs[i] : step.inputIDs[m.input];
      if (!resultID) return [];
      return [{ dest: m.dest, resultID, ...(m.selector ? { selector: m.selector } : {}), ...(m.readonly ? { readonly: true } : {}) }];
    });
  return {
    target: build.target,
    gateway: build.gateway,
    process: { ...step.meta, args: ['/bin/sh'] },
    mounts,
    fileRef: (state) => mounts(state).find((m) => m.dest === '/')?.resultID ?? '',
    signals,
    failure: { event: failureEvent(build.target, error), command: step.meta.args, exitCode: details.exitCode },
    release,
  };
}
