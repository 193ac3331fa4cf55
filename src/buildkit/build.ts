/**
 * Solves one export of a build spec: its directories as session dirs under
 * names and shared-key hints derived from their absolute paths (so the next
 * run sends only what changed), the session kept for the run (BuildKit syncs
 * a dir only once per session, §5.6), then Solve and Status side by side.
 * Nothing waits on a timer: the session registers when its Control.Session
 * stream opens (§6.1). What to build, and what comes before and after the
 * Solve (build avoidance, links, pull, push), is the run's (orchestrate/).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { bakeError } from '../core/diagnostics.js';
import type { ProgressSink } from '../core/progress.js';
import { isRemoteContext, type BuildSpec, type ExportSpec } from './build-spec.js';
import type { ControlClient, SolveRequest, SolveResponse } from './control.js';
import { BuildFailedError, type BuildResult } from './build-result.js';
import { dockerConfigDir } from './session/credentials.js';
import { EngineUnreachableError } from './builder-address.js';
import { gatewayClient, type GatewayClient, type GatewaySolveRequest } from './gateway.js';
import type { ContextWalks } from './session/context-walks.js';
import { createSession, type DirStats, type LocalDirSpec } from './session/index.js';
import { solvePlan, type Links, type NamedDir, type SessionDir } from './solve-request.js';
import { newBuildkitId } from './identity.js';
import { failureEvent, StatusTranslator, type FailureContext } from './status.js';

/** One Solve as the run asks for it. */
export interface SolveTarget {
  readonly spec: BuildSpec;
  /** The one export of this Solve: one of the spec's. */
  readonly export: ExportSpec;
  readonly dockerfile: ServedDockerfile;
  /** The text of the .dockerignore that applies to the context (`<Dockerfile>.dockerignore` first), if any. */
  readonly dockerignore: string | undefined;
  /** The context's followpaths (see SolveInput); absent: the whole context. */
  readonly contextPaths?: readonly string[] | undefined;
  /** The run's walks: the context is sent as build avoidance walked it, when it did. */
  readonly contextWalks?: ContextWalks | undefined;
  /** The spec's linked contexts, their dependencies already loaded (see Links). */
  readonly links: Links;
  readonly progress: ProgressSink;
  /** Solve through the gateway instead (build debugging): this frontend does the solving while the build is held open. */
  readonly frontend?: ClientFrontend;
}

/**
 * A client-side frontend (issue 13): the Control.Solve carries no frontend
 * and stays open while `run` solves the target through the gateway, where
 * containers can run in its result or at its failed step. `signal` is how
 * long a held build may live (a debug session's): cancelling the run does
 * not end a build that is held.
 */
export interface ClientFrontend {
  readonly signal: AbortSignal;
  run(build: GatewayBuild): Promise<FrontendOutcome>;
}

export interface GatewayBuild {
  readonly target: string;
  readonly gateway: GatewayClient;
  /** The dockerfile.v0 solve the target's Control.Solve would have asked for. */
  readonly request: GatewaySolveRequest;
}

export interface FrontendOutcome {
  readonly result: { readonly ref: string } | { readonly failure: grpc.ServiceError };
  /** Keeps the build (its containers, its session) open until it resolves: true exports the result then, false discards it. */
  readonly held?: Promise<boolean>;
  /** Told the held build's end once it is let go: its Return and its Solve, done or failed. */
  readonly returned?: (ended: Promise<unknown>) => void;
}

/** The Dockerfile a Solve serves, and what a failure shows of it. */
export interface ServedDockerfile {
  /** The file the frontend reads: the user's, or one the run wrote (dockerfile-inline, a copy with links rewritten). */
  readonly path: string;
  /** The user's Dockerfile and what was served instead; undefined when it is missing (the frontend reports that). */
  readonly shown: FailureContext['dockerfile'];
}

/** What the Solves of a run share: made once per run (orchestrate/builder.ts). */
export interface SolveConnection {
  readonly client: ControlClient;
  /** The builder as the user wrote it, for messages. */
  readonly address: string;
  /** The builder is a Docker engine: `moby` loads into its image store (solve-request.ts). */
  readonly imageStore: boolean;
  /** What the session reads: secrets from variables, DOCKER_CONFIG. */
  readonly env: (name: string) => string | undefined;
  /** Where each Solve's session is kept open until the run ends. */
  readonly sessions: RunSessions;
}

/**
 * Solves once more, from the build cache, after two failures that are not
 * the build's: BuildKit before v0.9 sometimes fails a step under many
 * concurrent solves with "flightcontrol: exceeded retry timeout"
 * (moby/buildkit#990, #1822), a race in the engine; and a step may read a
 * context path the Dockerfile does not name (an ONBUILD instruction of the
 * base image, which `docker build`'s frontend sees and bake's reading of the
 * Dockerfile cannot), so the context sent only the named paths: the second
 * solve gets the whole context. A second failure is the user's to see.
 */
export async function solveTarget(conn: SolveConnection, req: SolveTarget, signal: AbortSignal): Promise<BuildResult> {
  try {
    return await solveOnce(conn, req, signal);
  } catch (e) {
    if (!(e instanceof BuildFailedError) || signal.aborted) throw e;
    const name = req.spec.name;
    const unsent = req.contextPaths === undefined ? undefined : unsentContextPath(e.event.message, req.spec.context);
    const why = TRANSIENT_ENGINE_FAILURE.test(e.event.message)
      ? `BuildKit failed with its transient "${e.event.message}" (moby/buildkit#1822); building ${name} once more`
      : unsent !== undefined
        ? `${name} reads ${unsent}, which its Dockerfile does not name (an ONBUILD instruction of its base image does), so it was not sent; building ${name} again with the whole context`
        : undefined;
    if (why === undefined) throw e;
    req.progress({ kind: 'warning', target: name, vertex: e.event.vertex ?? 'bake:retry', message: why, detail: [] });
    if (unsent === undefined) return solveOnce(conn, req, signal);
    return { ...(await solveOnce(conn, { ...req, contextPaths: undefined }, signal)), readWholeContext: true };
  }
}

const TRANSIENT_ENGINE_FAILURE = /flightcontrol: exceeded retry timeout/;
/** A source BuildKit did not find in the context: `"/app.txt": not found` (v0.13), `"/app.txt" not found: not found` (v0.8). */
const MISSING_SOURCE = /"(\/[^"]*)":? not found/;

/** The context path the failure names, when the context directory has it: sent, the step would have found it. */
function unsentContextPath(message: string, contextDir: string): string | undefined {
  const path = MISSING_SOURCE.exec(message)?.[1];
  return path !== undefined && existsSync(join(contextDir, path)) ? path : undefined;
}

async function solveOnce(conn: SolveConnection, req: SolveTarget, buildSignal: AbortSignal): Promise<BuildResult> {
  const spec = req.spec;
  if (isRemoteContext(spec.context)) {
    throw bakeError(
      `target ${spec.name} has a remote context ${spec.context}, which bake does not build yet`,
      undefined,
      'Clone it and point context at the local directory.',
    );
  }
  const dockerfilePath = req.dockerfile.path;
  const context = sessionDir(spec.context, 'context');
  const dockerfileDir = sessionDir(dirname(dockerfilePath), 'dockerfile');
  // Local directories given as named contexts: each a session dir of its own, with its own .dockerignore (as buildx's `local:`).
  const namedPaths = new Map([...spec.namedContexts].flatMap(([key, c]) => (c.kind === 'dir' ? [[key, c.path] as const] : [])));
  const namedDirs = new Map(
    [...namedPaths].map(([key, path]) => [key, { dir: sessionDir(path, 'context'), dockerignore: readIfExists(join(path, '.dockerignore')) }] as const),
  );
  const plan = solvePlan({
    spec,
    export: req.export,
    ref: newBuildkitId(),
    context,
    dockerfileDir,
    dockerfileName: basename(dockerfilePath),
    dockerignore: req.dockerignore,
    contextPaths: req.contextPaths,
    imageStore: conn.imageStore,
    links: req.links,
    namedDirs,
  });
  // A dir's name is its path's: the context, last, keeps the run's walks when the Dockerfile or a named context shares its directory.
  const dirs = new Map<string, LocalDirSpec>([
    [dockerfileDir.name, { path: dirname(dockerfilePath) }],
    ...[...namedPaths].map(([key, path]) => [(namedDirs.get(key) as NamedDir).dir.name, { path }] as const),
    [context.name, { path: spec.context, ...(req.contextWalks && { walks: req.contextWalks }) }],
  ]);
  const session = createSession({
    name: basename(spec.context) || 'bake',
    sharedKey: machineKey(),
    dirs,
    secrets: plan.secrets,
    ssh: plan.ssh,
    ...(plan.fileSend ? { fileSend: plan.fileSend } : {}),
    // Registry credentials, from the docker CLI's config as buildx reads them: for base images and for pushes.
    dockerConfigDir: dockerConfigDir(conn.env),
    env: conn.env,
  });
  const stop = new AbortController();
  // A build a frontend may hold lives as long as the frontend lets it; until held, cancelling the run cancels it too.
  const lifetime = req.frontend ? unlessHeld(buildSignal, req.frontend.signal) : { signal: buildSignal, hold: () => undefined };
  const signal = AbortSignal.any([lifetime.signal, stop.signal]);
  // The session outlives this solve (RunSessions): only the run's end or Ctrl-C closes it.
  const stream = await conn.client.session(session.metadata(), lifetime.signal);
  session.serve(stream);
  conn.sessions.hold(async () => {
    stream.end();
    await session.close();
  });
  const request = { ...plan.request, Session: session.id };
  const stats = (dir: SessionDir): DirStats => session.stats.get(dir.name) ?? { files: 0, bytes: 0, requests: 0 };
  const sent = (): BuildResult['sent'] => ({ context: stats(context), dockerfile: stats(dockerfileDir) });
  const failure = (e: grpc.ServiceError, failed: { id: string; name: string } | undefined): Error =>
    solveFailure(withTransferFailure(e, session.stats), spec.name, conn.address, sent(), {
      ...(failed ? { vertex: failed } : {}),
      ...(req.dockerfile.shown ? { dockerfile: req.dockerfile.shown } : {}),
    });
  if (req.frontend) {
    const held = await solveThroughGateway(conn.client, request, spec.name, req.frontend, req.progress, lifetime.hold, signal);
    if ('failure' in held) throw failure(held.failure, held.failed);
    return { exporterResponse: held.exporterResponse, sent: sent() };
  }
  try {
    const solved = conn.client.solve(request, signal);
    // Status needs the job, which Solve creates; BuildKit waits up to 3 s for it, so it can start at once.
    const status = followStatus(conn.client, request.Ref, spec.name, req.progress, signal);
    let response;
    try {
      response = await solved;
    } catch (e) {
      throw failure(e as grpc.ServiceError, await status);
    }
    await status;
    return { exporterResponse: response.ExporterResponse ?? {}, sent: sent() };
  } finally {
    stop.abort();
  }
}

/**
 * The build as a client-side frontend runs it: a Control.Solve without a
 * frontend, held open while the frontend solves through the gateway; then
 * the result is returned (and exported) or the failure reported. A held
 * failure is reported at once, and the build stays open in the background
 * until the frontend lets it go.
 */
async function solveThroughGateway(
  client: ControlClient,
  request: SolveRequest,
  target: string,
  frontend: ClientFrontend,
  progress: ProgressSink,
  hold: () => void,
  signal: AbortSignal,
): Promise<{ exporterResponse: Record<string, string> } | { failure: grpc.ServiceError; failed?: { id: string; name: string } | undefined }> {
  const { Frontend = 'dockerfile.v0', FrontendAttrs = {}, FrontendInputs, ...held } = request;
  const solved = client.solve(held, signal);
  // Its failure is read after the frontend's return; one that comes first (the session broke) must not go unhandled meanwhile.
  solved.catch(() => undefined);
  // Progress stops at a held failure: the run has reported it and goes on without this target.
  const following = new AbortController();
  const status = followStatus(client, request.Ref, target, progress, AbortSignal.any([signal, following.signal]));
  const gateway = gatewayClient(client.channel(), request.Ref);
  const outcome = await frontend.run({
    target,
    gateway,
    request: { Frontend, FrontendOpt: FrontendAttrs, ...(FrontendInputs ? { FrontendInputs } : {}) },
  });
  const give = (keep: boolean): Promise<SolveResponse> =>
    gateway.return('ref' in outcome.result && keep ? { ref: outcome.result.ref } : { error: 'the debug session ended' }, signal).then(() => solved);
  if (outcome.held) hold();
  if ('failure' in outcome.result) {
    const failure = outcome.result.failure;
    if (outcome.held) {
      following.abort();
      const ended = outcome.held.then(give);
      outcome.returned?.(ended);
      ended.catch(() => undefined);
      return { failure };
    }
    await give(false).catch(() => undefined);
    return { failure, failed: await status };
  }
  const keep = (await outcome.held) ?? true;
  const giving = give(keep);
  outcome.returned?.(giving);
  let response: SolveResponse;
  try {
    response = await giving;
  } catch (e) {
    // A discarded result fails the Solve on purpose. A kept one fails where the engine solves lazily (BuildKit v0.8 evaluates at the export).
    if (!keep) return { exporterResponse: {} };
    return { failure: e as grpc.ServiceError, failed: await status };
  }
  await status;
  return { exporterResponse: response.ExporterResponse ?? {} };
}

/**
 * The signal of a build that may be held: aborted with `run` until `hold()`
 * is called, and with `holder` always.
 */
function unlessHeld(run: AbortSignal, holder: AbortSignal): { signal: AbortSignal; hold: () => void } {
  const controller = new AbortController();
  let held = false;
  const onRun = (): void => {
    if (!held) controller.abort(run.reason);
  };
  run.addEventListener('abort', onRun, { once: true });
  if (run.aborted) onRun();
  return {
    signal: AbortSignal.any([controller.signal, holder]),
    hold: () => {
      held = true;
      run.removeEventListener('abort', onRun);
    },
  };
}

/** The docker CLI's config dir, where registry credentials come from, as buildx reads them. */

/**
 * The sessions of a run, closed together once all its solves ended. BuildKit
 * v0.8 transfers a directory that several targets share over any one of
 * their sessions (protocol §8): closing that session when its own target is
 * done would restart the others' transfer, or fail it ("flightcontrol:
 * exceeded retry timeout" under load).
 */
export class RunSessions {
  readonly #closes: (() => Promise<void>)[] = [];

  hold(close: () => Promise<void>): void {
    this.#closes.push(close);
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#closes.splice(0).map((close) => close()));
  }
}

/** Forwards the job's progress until it ends; resolves with the step that failed, if one did. */
async function followStatus(
  client: ControlClient,
  ref: string,
  target: string,
  progress: ProgressSink,
  signal: AbortSignal,
): Promise<{ id: string; name: string } | undefined> {
  const translate = new StatusTranslator(target);
  let failed: { id: string; name: string } | undefined;
  try {
    for await (const res of client.status(ref, signal)) {
      for (const event of translate.events(res)) {
        if (event.kind === 'vertex' && event.error && !failed) failed = { id: event.id, name: event.name };
        progress(event);
      }
    }
  } catch {
    // The stream ends with the job; its errors are the Solve's, reported from there.
  }
  return failed;
}

function solveFailure(e: grpc.ServiceError, target: string, address: string, sent: BuildResult['sent'], context: FailureContext): Error {
  if (e.code === grpc.status.UNAVAILABLE) return new EngineUnreachableError(address, e.details);
  if (/exporter "moby" could not be found/.test(e.details ?? '')) {
    return bakeError(
      `the builder at ${address} cannot load images into Docker`,
      undefined,
      'Use --builder docker, or give the target an output of type image, local, tar or oci.',
    );
  }
  const missing = /exporter "([^"]+)" could not be found/.exec(e.details ?? '')?.[1];
  if (missing) {
    return bakeError(
      `the builder at ${address} has no ${missing} exporter`,
      undefined,
      missing === 'image'
        ? 'Load into Docker instead (type=docker), or use a standalone BuildKit.'
        : 'Use an output it has (docker, local, tar), or a standalone BuildKit, which has image, oci and docker.',
    );
  }
  return new BuildFailedError(failureEvent(target, e, context), sent);
}

/**
 * The solve's error, its message replaced by the session's own account when a
 * transfer failed on bake's side (a context file removed while being sent):
 * the daemon then often reports only "context canceled".
 */
function withTransferFailure(e: grpc.ServiceError, stats: ReadonlyMap<string, DirStats>): grpc.ServiceError {
  const own = [...stats.values()].find((s) => s.failure !== undefined)?.failure;
  return own === undefined ? e : { ...e, details: own, message: own };
}

/**
 * A session dir for an absolute path: the name is unique per path, and the
 * hint also names the use, because the context and the Dockerfile dir send
 * different subsets of one directory and each must find its own kept copy.
 */
function sessionDir(path: string, use: 'context' | 'dockerfile'): SessionDir {
  const name = `dir-${createHash('sha256').update(path).digest('hex').slice(0, 20)}`;
  return { name, sharedKeyHint: `${name}-${use}` };
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The session's shared key: stable per machine and user, so kept copies outlive runs (§1a, §5.6). */
function machineKey(): string {
  return createHash('sha256').update(`${hostname()}:${userInfo().uid}`).digest('hex').slice(0, 32);
}
