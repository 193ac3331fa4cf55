/**
 * Builds one target: a fresh session for the run (BuildKit syncs a dir only
 * once per session, §5.6), its directories under names and shared-key hints
 * derived from their absolute paths (so the next run sends only what
 * changed), then Solve and Status side by side. Nothing waits on a timer:
 * the session registers when its Control.Session stream opens (§6.1).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir, hostname, tmpdir, userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { bakeError } from '../core/diagnostics.js';
import { UserError } from '../core/errors.js';
import type { ErrorEvent, ProgressSink } from '../core/progress.js';
import type { Target } from '../bakefile/model.js';
import type { ControlClient } from './control.js';
import { EngineUnreachableError } from './dial.js';
import { createSession, type DirStats, type LocalDirSpec } from './session/index.js';
import { isRemoteContext, solvePlan, type Links, type NamedDir, type SessionDir } from './solve-request.js';
import { newBuildkitId } from './identity.js';
import { failureEvent, StatusTranslator, type FailureContext } from './status.js';
import type { EngineEndpoint } from '../docker/endpoint.js';
import { DockerEngine } from '../docker/engine-api.js';
import { EngineError } from '../docker/errors.js';
import { registryHost } from '../docker/images.js';
import type { RegistryAuth } from '../docker/types.js';
import { credentials } from './session/auth.js';
import { rewriteDockerfile } from '../dockerfile/links.js';
import { bakeStateDir } from '../docker/engine-paths.js';
import { alwaysBuilt, checkUpToDate, type UpToDate } from './up-to-date.js';

export interface BuildRequest {
  readonly target: Target;
  /** The directory relative context and output paths start from. */
  readonly cwd: string;
  /** The builder as the user wrote it, for messages. */
  readonly address: string;
  /** The Docker engine behind the builder, if it is one (see Dialed.engine). */
  readonly engine: EngineEndpoint | undefined;
  readonly env: (name: string) => string | undefined;
  readonly progress: ProgressSink;
  readonly signal: AbortSignal;
  /** The target's `target:` contexts, their dependencies already loaded (see Links). */
  readonly links: Links;
  /** The run's context digests for build avoidance (up-to-date.ts), shared by its targets. */
  readonly contextDigests: Map<string, Promise<string>>;
  /** Where the build's session is kept open until the run ends. */
  readonly sessions: RunSessions;
}

export interface BuildResult {
  /** What the exporter answered (`containerimage.digest` = the image ID for `moby`). */
  readonly exporterResponse: Readonly<Record<string, string>>;
  /** What our session sent for the context and the Dockerfile dir (zero when the daemon's kept copy was current). */
  readonly sent: Readonly<Record<'context' | 'dockerfile', DirStats>>;
}

/** The build ran and failed; the event holds BuildKit's message and the Dockerfile lines, `sent` what the session sent before (progress prints it as for a success). */
export class BuildFailedError extends UserError {
  constructor(
    readonly event: ErrorEvent,
    readonly sent: BuildResult['sent'],
  ) {
    super('build', event.message);
    this.name = 'BuildFailedError';
  }
}

/**
 * Builds a target. BuildKit before v0.13 takes one exporter per Solve, so a
 * target with several outputs is solved once per output, one after another:
 * the repeats come from the build cache and send only changed files.
 */
export async function buildTarget(client: ControlClient, req: BuildRequest): Promise<BuildResult> {
  const check = req.engine ? await checkTarget(req, req.engine) : undefined;
  if (check?.kind === 'hit') {
    const now = Date.now();
    req.progress({ kind: 'vertex', target: req.target.name, id: 'bake:up-to-date', name: '[bake] up to date: no input changed since its last build', cached: true, started: now, completed: now });
    const none = { files: 0, bytes: 0, requests: 0 };
    return { exporterResponse: check.exporterResponse, sent: { context: none, dockerfile: none } };
  }
  const result = await solveTarget(client, req);
  check?.record(result.exporterResponse);
  return result;
}

/** Build avoidance (up-to-date.ts) on a Docker engine: its image store is where the last build's image must still be. */
async function checkTarget(req: BuildRequest, endpoint: EngineEndpoint): Promise<UpToDate | undefined> {
  const t = req.target;
  if (alwaysBuilt(t) !== undefined) return undefined;
  const contextPath = resolve(req.cwd, t.context ?? '.');
  const userPath = userDockerfile(req);
  const engine = new DockerEngine(endpoint);
  try {
    return await checkUpToDate({
      target: t,
      contextPath,
      dockerfile: t['dockerfile-inline'] ?? readIfExists(userPath),
      dockerignore: dockerignoreFor(userPath, contextPath),
      engineAddress: req.address,
      engine,
      stateDir: join(bakeStateDir({ XDG_STATE_HOME: req.env('XDG_STATE_HOME'), HOME: req.env('HOME') }, homedir()), 'up-to-date'),
      contextDigests: req.contextDigests,
      signal: req.signal,
    });
  } catch (e) {
    // The same sentence as when BuildKit cannot be reached: this is the engine's first call of the run.
    if (e instanceof EngineError) throw new EngineUnreachableError(req.address);
    throw e;
  } finally {
    engine.close();
  }
}

/** The .dockerignore that applies: `<Dockerfile>.dockerignore` first, then the context's. */
function dockerignoreFor(dockerfilePath: string, contextPath: string): string | undefined {
  return readIfExists(`${dockerfilePath}.dockerignore`) ?? readIfExists(join(contextPath, '.dockerignore'));
}

async function solveTarget(client: ControlClient, req: BuildRequest): Promise<BuildResult> {
  const t = req.target;
  // A missing Dockerfile is left for the frontend to report, as without links.
  const source = req.links.refs.size ? (t['dockerfile-inline'] ?? readIfExists(userDockerfile(req))) : undefined;
  const linked = source === undefined ? undefined : rewriteDockerfile(source, req.links.refs, t.args ?? {});
  if (linked && t.pull && req.engine) await pullImages(linked.images, req, req.engine);
  // Without named contexts the internal tags reach the frontend only through the Dockerfile's own references: a copy rewritten
  // for this build, in a dir of its own, since the tags are the run's (dockerfile/links.ts) and the copy goes when the build ends.
  const dir = linked && !req.links.namedContexts ? mkdtempSync(join(tmpdir(), 'bake-linked-')) : undefined;
  try {
    const rewritten = dir && linked ? { path: join(dir, basename(userDockerfile(req))), text: linked.text } : undefined;
    if (rewritten) writeFileSync(rewritten.path, rewritten.text);
    const outputs = t.output ?? [];
    if (outputs.length <= 1) return await solveRetrying(client, req, rewritten);
    const results: BuildResult[] = [];
    for (const output of outputs) results.push(await solveRetrying(client, { ...req, target: { ...t, output: [output] } }, rewritten));
    const total = (use: 'context' | 'dockerfile'): DirStats =>
      results.reduce((sum, r) => ({ files: sum.files + r.sent[use].files, bytes: sum.bytes + r.sent[use].bytes, requests: sum.requests + r.sent[use].requests }), { files: 0, bytes: 0, requests: 0 });
    return { exporterResponse: Object.assign({}, ...results.map((r) => r.exporterResponse)) as Record<string, string>, sent: { context: total('context'), dockerfile: total('dockerfile') } };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** The Dockerfile as the user gave it: a file, or dockerfile-inline served from a generated dir. */
function userDockerfile(req: BuildRequest): string {
  const t = req.target;
  return t['dockerfile-inline'] !== undefined ? servedDockerfile(t['dockerfile-inline']) : resolve(req.cwd, t.context ?? '.', t.dockerfile ?? 'Dockerfile');
}

/**
 * BuildKit before v0.9 sometimes fails a step under many concurrent solves
 * with "flightcontrol: exceeded retry timeout" (moby/buildkit#990, #1822): a
 * race in the engine, not in the build. One more solve resumes from the
 * build cache; a second failure is the user's to see.
 */
async function solveRetrying(client: ControlClient, req: BuildRequest, rewritten: { readonly path: string; readonly text: string } | undefined): Promise<BuildResult> {
  try {
    return await buildOnce(client, req, rewritten);
  } catch (e) {
    if (!(e instanceof BuildFailedError) || !TRANSIENT_ENGINE_FAILURE.test(e.event.message) || req.signal.aborted) throw e;
    req.progress({ kind: 'warning', target: req.target.name, vertex: e.event.vertex ?? 'bake:retry', message: `BuildKit failed with its transient "${e.event.message}" (moby/buildkit#1822); building ${req.target.name} once more`, detail: [] });
    return buildOnce(client, req, rewritten);
  }
}

const TRANSIENT_ENGINE_FAILURE = /flightcontrol: exceeded retry timeout/;

/** `rewritten`: the Dockerfile with the target's links rewritten (buildTarget), served instead of the user's. */
async function buildOnce(client: ControlClient, req: BuildRequest, rewritten: { readonly path: string; readonly text: string } | undefined): Promise<BuildResult> {
  const t = req.target;
  const contextPath = resolve(req.cwd, t.context ?? '.');
  if (isRemoteContext(t.context ?? '')) {
    throw bakeError(`target ${t.name} has a remote context ${t.context}, which bake does not build yet`, undefined, 'Clone it and point context at the local directory.');
  }
  const userPath = userDockerfile(req);
  const dockerfilePath = rewritten?.path ?? userPath;
  const context = sessionDir(contextPath, 'context');
  const dockerfileDir = sessionDir(dirname(dockerfilePath), 'dockerfile');
  // Local directories given as named contexts: each a session dir of its own, with its own .dockerignore (as buildx's `local:`).
  const namedPaths = new Map(Object.entries(t.contexts ?? {}).filter(([, v]) => !v.startsWith('target:') && !isRemoteContext(v)).map(([key, v]) => [key, resolve(req.cwd, v)] as const));
  const namedDirs = new Map([...namedPaths].map(([key, path]) => [key, { dir: sessionDir(path, 'context'), dockerignore: readIfExists(join(path, '.dockerignore')) }] as const));
  const plan = solvePlan({
    target: t,
    ref: newBuildkitId(),
    context,
    dockerfileDir,
    dockerfileName: basename(dockerfilePath),
    dockerignore: dockerignoreFor(userPath, contextPath),
    cwd: req.cwd,
    sshAuthSock: req.env('SSH_AUTH_SOCK'),
    imageStore: req.engine !== undefined,
    links: req.links,
    namedDirs,
  });
  const dirs = new Map<string, LocalDirSpec>([
    [context.name, { path: contextPath }],
    [dockerfileDir.name, { path: dirname(dockerfilePath) }],
    ...[...namedPaths].map(([key, path]) => [(namedDirs.get(key) as NamedDir).dir.name, { path }] as const),
  ]);
  // Registry credentials, from the docker CLI's config as buildx reads them: for base images and for pushes.
  const configDir = dockerConfigDir(req);
  const session = createSession({
    name: basename(contextPath) || 'bake',
    sharedKey: machineKey(),
    dirs,
    secrets: plan.secrets,
    ssh: plan.ssh,
    ...(plan.fileSend ? { fileSend: plan.fileSend } : {}),
    dockerConfigDir: configDir,
    env: req.env,
  });
  const stop = new AbortController();
  const signal = AbortSignal.any([req.signal, stop.signal]);
  // The session outlives this solve (RunSessions): only the run's end or Ctrl-C closes it.
  const conn = await client.session(session.metadata(), req.signal);
  session.serve(conn);
  req.sessions.hold(async () => {
    conn.end();
    await session.close();
  });
  const request = { ...plan.request, Session: session.id };
  const stats = (dir: SessionDir): DirStats => session.stats.get(dir.name) ?? { files: 0, bytes: 0, requests: 0 };
  const sent = (): BuildResult['sent'] => ({ context: stats(context), dockerfile: stats(dockerfileDir) });
  try {
    const solved = client.solve(request, signal);
    // Status needs the job, which Solve creates; BuildKit waits up to 3 s for it, so it can start at once.
    const status = followStatus(client, request.Ref, t.name, req.progress, signal);
    let response;
    try {
      response = await solved;
    } catch (e) {
      const failed = await status;
      // The user's Dockerfile is shown; a rewritten copy (target: links without named contexts) is what the step names match.
      const text = t['dockerfile-inline'] ?? readIfExists(userPath);
      throw solveFailure(e as grpc.ServiceError, t.name, req.address, sent(), {
        ...(failed ? { vertex: failed } : {}),
        ...(text !== undefined ? { dockerfile: { filename: basename(userPath), text, ...(rewritten ? { served: rewritten.text } : {}) } } : {}),
      });
    }
    await status;
    if (plan.pushAfterLoad.length && req.engine) await pushImages(plan.pushAfterLoad, req.engine, configDir, signal);
    return { exporterResponse: response.ExporterResponse ?? {}, sent: sent() };
  } finally {
    stop.abort();
  }
}

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
async function followStatus(client: ControlClient, ref: string, target: string, progress: ProgressSink, signal: AbortSignal): Promise<{ id: string; name: string } | undefined> {
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

/**
 * `--pull` for a target with target: contexts: the frontend's pull mode would
 * pull the internal tags too, so solve-request.ts leaves it out, and the
 * images the Dockerfile reads from registries are pulled here first, through
 * the engine; the solve's default mode then finds them in the image store.
 * A failed pull fails the target, as with buildx --pull.
 */
async function pullImages(refs: readonly string[], req: BuildRequest, endpoint: EngineEndpoint): Promise<void> {
  const t = req.target;
  const engine = new DockerEngine(endpoint);
  try {
    for (const ref of refs) {
      const step = { kind: 'vertex', target: t.name, id: `pull:${ref}`, name: `[internal] pull ${ref}`, cached: false } as const;
      const started = Date.now();
      req.progress({ ...step, started });
      try {
        await engine.images.pull(ref, await registryAuth(ref, dockerConfigDir(req)), t.platforms?.length === 1 ? t.platforms[0] : undefined, req.signal);
      } catch (e) {
        if (req.signal.aborted) throw e;
        const message = `pulling ${ref} failed: ${(e as Error).message}`;
        req.progress({ ...step, started, completed: Date.now(), error: message });
        const none = { files: 0, bytes: 0, requests: 0 };
        throw new BuildFailedError({ kind: 'error', target: t.name, message, vertex: step.id }, { context: none, dockerfile: none });
      }
      req.progress({ ...step, started, completed: Date.now() });
    }
  } finally {
    engine.close();
  }
}

/** The docker CLI's config dir, where registry credentials come from, as buildx reads them. */
function dockerConfigDir(req: BuildRequest): string {
  return req.env('DOCKER_CONFIG') || join(homedir(), '.docker');
}

/** The credentials the docker config gives for a reference's registry (the same lookup our Auth attachable uses). */
async function registryAuth(ref: string, configDir: string): Promise<RegistryAuth | undefined> {
  const host = registryHost(ref);
  const found = await credentials(configDir, host === 'docker.io' ? 'registry-1.docker.io' : host);
  return found.Username || found.Secret ? { username: found.Username, password: found.Secret, serveraddress: host } : undefined;
}

/**
 * A Docker engine pushes what its image store holds: after the `moby` export,
 * each reference goes up through the Engine API with its registry's credentials.
 */
async function pushImages(refs: readonly string[], endpoint: EngineEndpoint, configDir: string, signal: AbortSignal): Promise<void> {
  const engine = new DockerEngine(endpoint);
  try {
    for (const ref of refs) {
      const colon = ref.lastIndexOf(':');
      const [repo, tag] = colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
      for await (const _ of engine.images.push(repo, tag, await registryAuth(ref, configDir), signal)) {
        // Only the push's end matters here: it throws on a failed push.
      }
    }
  } finally {
    engine.close();
  }
}

function solveFailure(e: grpc.ServiceError, target: string, address: string, sent: BuildResult['sent'], context: FailureContext): Error {
  if (e.code === grpc.status.UNAVAILABLE) return new EngineUnreachableError(address, e.details);
  if (/exporter "moby" could not be found/.test(e.details ?? '')) {
    return bakeError(`the builder at ${address} cannot load images into Docker`, undefined, 'Use --builder docker, or give the target an output of type image, local, tar or oci.');
  }
  const missing = /exporter "([^"]+)" could not be found/.exec(e.details ?? '')?.[1];
  if (missing) {
    return bakeError(`the builder at ${address} has no ${missing} exporter`, undefined, missing === 'image' ? 'Load into Docker instead (type=docker), or use a standalone BuildKit.' : 'Use an output it has (docker, local, tar), or a standalone BuildKit, which has image, oci and docker.');
  }
  return new BuildFailedError(failureEvent(target, e, context), sent);
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

/**
 * dockerfile-inline is served as a generated dir, content-addressed so the
 * same text keeps the same path, and with a fixed mtime so reruns transfer
 * nothing.
 */
function servedDockerfile(text: string): string {
  const dir = join(tmpdir(), `bake-inline-${userInfo().uid}`, createHash('sha256').update(`Dockerfile\0${text}`).digest('hex').slice(0, 32));
  const file = join(dir, 'Dockerfile');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Written aside and renamed, so a concurrent run never serves half a file.
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, text);
    utimesSync(partial, 0, 0);
    renameSync(partial, file);
  }
  return file;
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
