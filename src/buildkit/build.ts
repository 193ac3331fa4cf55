/**
 * Builds one target: a fresh session for the run (BuildKit syncs a dir only
 * once per session, §5.6), its directories under names and shared-key hints
 * derived from their absolute paths (so the next run sends only what
 * changed), then Solve and Status side by side. Nothing waits on a timer:
 * the session registers when its Control.Session stream opens (§6.1).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir, hostname, tmpdir, userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { bakeError } from '../core/diagnostics.js';
import type { ErrorEvent, ProgressSink } from '../core/progress.js';
import type { Target } from '../bakefile/model.js';
import type { ControlClient } from './control.js';
import { EngineUnreachableError } from './dial.js';
import { createSession, type DirStats, type LocalDirSpec } from './session/index.js';
import { solvePlan, type Links, type SessionDir } from './solve-request.js';
import { failureEvent, StatusTranslator, type FailureContext, type SolveError } from './status.js';
import type { EngineEndpoint } from '../docker/endpoint.js';
import { DockerEngine } from '../docker/engine-api.js';
import { registryHost } from '../docker/images.js';
import { credentials } from './session/auth.js';
import { rewriteDockerfile } from '../graph/links.js';

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
}

export interface BuildResult {
  /** What the exporter answered (`containerimage.digest` = the image ID for `moby`). */
  readonly exporterResponse: Readonly<Record<string, string>>;
  /** What our session sent for the context and the Dockerfile dir (zero when the daemon's kept copy was current). */
  readonly sent: Readonly<Record<'context' | 'dockerfile', DirStats>>;
}

/** The build ran and failed; the event holds BuildKit's message and the Dockerfile lines. */
export class BuildFailedError extends Error {
  constructor(readonly event: ErrorEvent) {
    super(event.message);
    this.name = 'BuildFailedError';
  }
}

/**
 * Builds a target. BuildKit before v0.13 takes one exporter per Solve, so a
 * target with several outputs is solved once per output, one after another:
 * the repeats come from the build cache and send only changed files.
 */
export async function buildTarget(client: ControlClient, req: BuildRequest): Promise<BuildResult> {
  const outputs = req.target.output ?? [];
  if (outputs.length <= 1) return buildOnce(client, req);
  const results: BuildResult[] = [];
  for (const output of outputs) results.push(await buildOnce(client, { ...req, target: { ...req.target, output: [output] } }));
  const total = (use: 'context' | 'dockerfile'): DirStats =>
    results.reduce((sum, r) => ({ files: sum.files + r.sent[use].files, bytes: sum.bytes + r.sent[use].bytes, requests: sum.requests + r.sent[use].requests }), { files: 0, bytes: 0, requests: 0 });
  return { exporterResponse: Object.assign({}, ...results.map((r) => r.exporterResponse)) as Record<string, string>, sent: { context: total('context'), dockerfile: total('dockerfile') } };
}

async function buildOnce(client: ControlClient, req: BuildRequest): Promise<BuildResult> {
  const t = req.target;
  const contextPath = resolve(req.cwd, t.context ?? '.');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t.context ?? '') || t.context?.startsWith('git@')) {
    throw bakeError(`target ${t.name} has a remote context ${t.context}, which bake does not build yet`, undefined, 'Clone it and point context at the local directory.');
  }
  const userPath = t['dockerfile-inline'] !== undefined ? servedDockerfile(t['dockerfile-inline'], 'Dockerfile') : resolve(contextPath, t.dockerfile ?? 'Dockerfile');
  // Without named contexts the dependencies' internal tags reach the frontend only through the Dockerfile's own references.
  // A missing Dockerfile is left for the frontend to report, as without links.
  const source = req.links.refs.size && !req.links.namedContexts ? (t['dockerfile-inline'] ?? readIfExists(userPath)) : undefined;
  const rewritten = source === undefined ? undefined : rewriteDockerfile(source, req.links.refs);
  const dockerfilePath = rewritten === undefined ? userPath : servedDockerfile(rewritten, basename(userPath));
  const context = sessionDir(contextPath, 'context');
  const dockerfileDir = sessionDir(dirname(dockerfilePath), 'dockerfile');
  const plan = solvePlan({
    target: t,
    ref: randomId(),
    context,
    dockerfileDir,
    dockerfileName: basename(dockerfilePath),
    dockerignore: readIfExists(`${userPath}.dockerignore`) ?? readIfExists(join(contextPath, '.dockerignore')),
    cwd: req.cwd,
    sshAuthSock: req.env('SSH_AUTH_SOCK'),
    imageStore: req.engine !== undefined,
    links: req.links,
  });
  const dirs = new Map<string, LocalDirSpec>([
    [context.name, { path: contextPath }],
    [dockerfileDir.name, { path: dirname(dockerfilePath) }],
  ]);
  // Registry credentials, from the docker CLI's config as buildx reads them: for base images and for pushes.
  const configDir = req.env('DOCKER_CONFIG') || join(homedir(), '.docker');
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
  const conn = client.session(session.metadata(), signal);
  session.serve(conn);
  const request = { ...plan.request, Session: session.id };
  try {
    const solved = client.solve(request, signal);
    // Status needs the job, which Solve creates; BuildKit waits up to 3 s for it, so it can start at once.
    const status = followStatus(client, request.Ref, t.name, req.progress, signal);
    let response;
    try {
      response = await solved;
    } catch (e) {
      const failed = await status;
      const text = rewritten ?? t['dockerfile-inline'] ?? readIfExists(dockerfilePath);
      throw solveFailure(e as grpc.ServiceError, t.name, req.address, {
        ...(failed ? { vertex: failed } : {}),
        ...(text !== undefined ? { dockerfile: { filename: basename(dockerfilePath), text } } : {}),
      });
    }
    await status;
    if (plan.pushAfterLoad.length && req.engine) await pushImages(plan.pushAfterLoad, req.engine, configDir, signal);
    const sent = (dir: SessionDir): DirStats => session.stats.get(dir.name) ?? { files: 0, bytes: 0, requests: 0 };
    return { exporterResponse: response.ExporterResponse ?? {}, sent: { context: sent(context), dockerfile: sent(dockerfileDir) } };
  } finally {
    conn.end();
    await session.close();
    stop.abort();
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
 * A Docker engine pushes what its image store holds: after the `moby` export,
 * each reference goes up through the Engine API with the credentials the
 * docker config gives for its registry (the same lookup our Auth attachable uses).
 */
async function pushImages(refs: readonly string[], endpoint: EngineEndpoint, configDir: string, signal: AbortSignal): Promise<void> {
  const engine = new DockerEngine(endpoint);
  try {
    for (const ref of refs) {
      const colon = ref.lastIndexOf(':');
      const [repo, tag] = colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
      const host = registryHost(ref);
      const found = await credentials(configDir, host === 'docker.io' ? 'registry-1.docker.io' : host);
      const auth = found.Username || found.Secret ? { username: found.Username, password: found.Secret, serveraddress: host } : undefined;
      for await (const progress of engine.images.push(repo, tag, auth, signal)) void progress;
    }
  } finally {
    engine.close();
  }
}

function solveFailure(e: grpc.ServiceError, target: string, address: string, context: FailureContext): Error {
  if (e.code === grpc.status.UNAVAILABLE) return new EngineUnreachableError(address, e.details);
  if (/exporter "moby" could not be found/.test(e.details ?? '')) {
    return bakeError(`the builder at ${address} cannot load images into Docker`, undefined, 'Use --builder docker, or give the target an output of type image, local, tar or oci.');
  }
  const missing = /exporter "([^"]+)" could not be found/.exec(e.details ?? '')?.[1];
  if (missing) {
    return bakeError(`the builder at ${address} has no ${missing} exporter`, undefined, missing === 'image' ? 'Load into Docker instead (type=docker), or use a standalone BuildKit.' : 'Use an output it has (docker, local, tar), or a standalone BuildKit, which has image, oci and docker.');
  }
  return new BuildFailedError(failureEvent(target, e as SolveError, context));
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
 * dockerfile-inline and a Dockerfile rewritten for target: contexts are
 * served as a generated dir, content-addressed so the same text keeps the
 * same path, and with a fixed mtime so reruns transfer nothing. The file
 * keeps the user's name, which the frontend and error messages show.
 */
function servedDockerfile(text: string, name: string): string {
  const dir = join(tmpdir(), `bake-inline-${userInfo().uid}`, createHash('sha256').update(`${name}\0${text}`).digest('hex').slice(0, 32));
  const file = join(dir, name);
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

/** BuildKit-style random ids: 25 base36 characters, no `:` (§1a). */
function randomId(): string {
  return [...randomBytes(25)].map((b) => (b % 36).toString(36)).join('');
}
