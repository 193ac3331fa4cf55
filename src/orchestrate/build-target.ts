/**
 * One target of a build run: its build spec (one pure translation), its
 * Dockerfile and .dockerignore read once, build avoidance, `target:` links
 * rewritten into the Dockerfile where the frontend lacks named contexts,
 * `--pull` through the engine, a Solve per export, and the engine's push
 * after each load. The builder and its engine client are the run's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProgressEvent, ProgressSink } from '../core/progress.js';
import type { Target } from '../bakefile/model.js';
import { BuildFailedError, type BuildResult } from '../buildkit/build-result.js';
import { UserError } from '../core/errors.js';
import { cutBefore } from '../dockerfile/break-point.js';
import type { DebuggedTarget, DockerfileLine } from './debug-frontend.js';
import type { BuildSpec } from '../buildkit/build-spec.js';
import { EngineUnreachableError } from '../buildkit/builder-address.js';
import { credentials } from '../buildkit/session/credentials.js';
import { pushedAfterLoad, type Links } from '../buildkit/solve-request.js';
import type { ContextWalks } from '../buildkit/session/context-walks.js';
import type { DirStats } from '../buildkit/session/index.js';
import { EngineError } from '../docker/errors.js';
import { registryHost } from '../docker/images.js';
import type { RegistryAuth } from '../docker/types.js';
import { rewriteDockerfile } from '../dockerfile/links.js';
import { isolateSecretMounts } from '../dockerfile/secret-mounts.js';
import { isolateSecrets } from './secret-ids.js';
import { buildSpec } from './build-spec.js';
import type { ContextUse } from './context-use.js';
import { serveDockerfile } from './served-dockerfile.js';
import type { RunBuilder, RunImages } from './builder.js';
import { alwaysBuilt, checkUpToDate, type UpToDate } from './up-to-date.js';

/** What build avoidance needs of a run: where a target's inputs are, and where its records live. */
export interface AvoidanceRun {
  /** Where relative paths start. */
  readonly cwd: string;
  readonly env: (name: string) => string | undefined;
  /** Where build avoidance keeps its records. */
  readonly upToDateDir: string;
  /** What each context directory of the run sends (context-use.ts). */
  readonly contextUse: ContextUse;
  /** The run's context digests for build avoidance, shared by its targets. */
  readonly contextDigests: Map<string, Promise<string>>;
  /** The run's walks of its contexts, for build avoidance and then the transfer (context-walks.ts). */
  readonly contextWalks: ContextWalks;
}

/** What the targets of a run share. */
export interface TargetRun extends AvoidanceRun {
  readonly builder: RunBuilder;
  /** The docker CLI's config dir: registry credentials for pulls and pushes. */
  readonly dockerConfigDir: string;
  /** This user's key for the ids that keep targets' secret steps apart (secret-ids.ts). */
  readonly secretIdKey: () => Buffer;
  /** Build debugging: how a target is solved, if it is debugged (its build is never skipped as up to date). */
  readonly debugFor?: DebugFor;
}

/** How build debugging solves a target (debug-frontend.ts); undefined: as any build. */
export type DebugFor = (target: string, dockerfile: BuildSpec['dockerfile']) => DebuggedTarget | undefined;

const NONE: DirStats = { files: 0, bytes: 0, requests: 0 };

/**
 * A target's links as its run knows them before the build: the refs of its
 * `target:` contexts, and whether the frontend takes named contexts, asked
 * only once the target is to be solved (the probe costs a few Solves that an
 * up-to-date target never needs).
 */
export interface TargetLinks {
  readonly refs: ReadonlyMap<string, string>;
  namedContexts(): Promise<boolean | undefined>;
}

/**
 * Builds a target. BuildKit before v0.13 takes one exporter per Solve, so a
 * target with several outputs is solved once per output, one after another:
 * the repeats come from the build cache and send only changed files.
 */
export async function buildTarget(
  run: TargetRun,
  t: Target,
  targetLinks: TargetLinks,
  linkedIds: ReadonlyMap<string, string>,
  progress: ProgressSink,
  signal: AbortSignal,
): Promise<BuildResult> {
  const spec = buildSpec(t, run.cwd, run.env('SSH_AUTH_SOCK'));
  const dockerfile = readDockerfile(spec);
  const dockerignore = dockerignoreFor(spec);
  const contextPaths = run.contextUse(spec.context);
  const images = run.builder.images;
  const debugged = run.debugFor?.(t.name, spec.dockerfile);
  const frontend = debugged?.frontend;
  const check =
    images && !frontend && alwaysBuilt(t) === undefined
      ? await checkTarget(
          run,
          { address: run.builder.address, images },
          t,
          spec,
          { dockerfile, dockerignore, contextPaths, linkedIds, imageNeeded: true },
          signal,
        )
      : undefined;
  if (check?.kind === 'hit') {
    progress(upToDateStep(t.name));
    return { exporterResponse: check.exporterResponse, sent: { context: NONE, dockerfile: NONE } };
  }
  const links: Links = { refs: targetLinks.refs, namedContexts: await targetLinks.namedContexts() };
  // A break builds the Dockerfile cut before its step; the lines kept stay in their places, so the user's text still shows errors.
  const cut = debugged?.breakAt && dockerfile !== undefined ? cutAtBreak(dockerfile, debugged.breakAt) : undefined;
  const built = cut ?? dockerfile;
  // A missing Dockerfile is left for the frontend to report, as without links.
  const linked = links.refs.size && built !== undefined ? rewriteDockerfile(built, links.refs, spec.args) : undefined;
  if (linked && spec.pull && images) await pullImages(run, images, spec, linked.images, progress, signal);
  const rewritten = links.namedContexts ? undefined : linked?.text;
  const isolation = built !== undefined && spec.secrets.size ? await isolateSecrets(spec.secrets, run.env, run.secretIdKey()) : undefined;
  const isolated = isolation ? isolateSecretMounts(rewritten ?? (built as string), isolation.ids) : undefined;
  // The cut's last stage is the break's: the target's own stage may not be in it.
  const stage = cut === undefined ? spec : { ...spec, target: undefined };
  const solved = isolation && isolated !== undefined ? { ...stage, secrets: isolation.secrets } : stage;
  const served = serveDockerfile(spec, dockerfile, isolated?.text ?? rewritten ?? cut);
  // Steps are shown as the user wrote them, not with the ids that keep targets' secrets apart.
  const shown: ProgressSink = isolated ? (e) => progress(e.kind === 'vertex' ? { ...e, name: isolated.asWritten(e.name) } : e) : progress;
  try {
    const results: BuildResult[] = [];
    for (const [i, exported] of spec.exports.entries()) {
      // The first Solve is the one debugged; further exports come from its cache.
      const throughFrontend = i === 0 && frontend ? { frontend } : {};
      results.push(
        await run.builder.solve(
          {
            spec: solved,
            export: exported,
            dockerfile: served,
            dockerignore,
            contextPaths,
            contextWalks: run.contextWalks,
            links,
            progress: shown,
            ...throughFrontend,
          },
          signal,
        ),
      );
      const pushes = pushedAfterLoad(exported, images !== undefined);
      if (pushes.length && images) await pushImages(images, pushes, run.dockerConfigDir, signal);
    }
    const result = results.length === 1 ? (results[0] as BuildResult) : merged(results);
    // Its inputs are more than the paths the record was checked with: unrecorded, it is built every time, never wrongly avoided.
    const unrecorded = result.readWholeContext ? undefined : check?.record(result.exporterResponse);
    if (unrecorded) progress({ kind: 'warning', target: t.name, vertex: 'bake:up-to-date', message: unrecorded, detail: [] });
    return result;
  } finally {
    served.dispose();
  }
}

/** The step a target that build avoidance skips shows in place of its build. */
export function upToDateStep(target: string): ProgressEvent {
  const now = Date.now();
  return {
    kind: 'vertex',
    target,
    id: 'bake:up-to-date',
    name: '[bake] up to date: no input changed since its last build',
    cached: true,
    started: now,
    completed: now,
  };
}

/** `text` cut before the step at the break's line; a file changed since the break was checked (a reload) says why it has no such step. */
function cutAtBreak(text: string, at: DockerfileLine): string {
  const cut = cutBefore(text, at.line);
  if (cut instanceof Error)
    throw new UserError(
      'usage',
      `--break ${at.path}:${at.line}: ${cut.message}`,
      'Stop the session (stop) and break on a step of the Dockerfile as it is now.',
    );
  return cut.text;
}

/**
 * Build avoidance alone, for `t` as buildTarget would build it, its
 * `target:` contexts naming `linked.ids`: its last build (nothing sent) when
 * none of its inputs changed since and the engine still holds its image
 * (if `linked.imageNeeded`); undefined when it would be built. Only the
 * engine's image store is asked, never BuildKit.
 */
export async function unchangedSinceLastBuild(
  run: AvoidanceRun,
  engine: { readonly address: string; readonly images: Pick<RunImages, 'inspect'> },
  t: Target,
  linked: { readonly ids: ReadonlyMap<string, string>; readonly imageNeeded: boolean },
  signal: AbortSignal,
): Promise<BuildResult | undefined> {
  if (alwaysBuilt(t) !== undefined) return undefined;
  const spec = buildSpec(t, run.cwd, run.env('SSH_AUTH_SOCK'));
  const read = {
    dockerfile: readDockerfile(spec),
    dockerignore: dockerignoreFor(spec),
    contextPaths: run.contextUse(spec.context),
    linkedIds: linked.ids,
    imageNeeded: linked.imageNeeded,
  };
  const check = await checkTarget(run, engine, t, spec, read, signal);
  return check?.kind === 'hit' ? { exporterResponse: check.exporterResponse, sent: { context: NONE, dockerfile: NONE } } : undefined;
}

/** Several Solves as one build: the exporter responses merged (the last wins), the sent counts summed. */
function merged(results: readonly BuildResult[]): BuildResult {
  const total = (use: 'context' | 'dockerfile'): DirStats =>
    results.reduce(
      (sum, r) => ({ files: sum.files + r.sent[use].files, bytes: sum.bytes + r.sent[use].bytes, requests: sum.requests + r.sent[use].requests }),
      NONE,
    );
  return {
    exporterResponse: Object.assign({}, ...results.map((r) => r.exporterResponse)) as Record<string, string>,
    sent: { context: total('context'), dockerfile: total('dockerfile') },
    ...(results.some((r) => r.readWholeContext) ? { readWholeContext: true as const } : {}),
  };
}

/** The user's Dockerfile text; undefined when it is missing. */
export function readDockerfile(spec: BuildSpec): string | undefined {
  return spec.dockerfile.kind === 'inline' ? spec.dockerfile.text : readIfExists(spec.dockerfile.path);
}

/** The .dockerignore that applies: `<Dockerfile>.dockerignore` first, then the context's. */
export function dockerignoreFor(spec: BuildSpec): string | undefined {
  return (
    (spec.dockerfile.kind === 'file' ? readIfExists(`${spec.dockerfile.path}.dockerignore`) : undefined) ?? readIfExists(join(spec.context, '.dockerignore'))
  );
}

/** Build avoidance (up-to-date.ts) on a Docker engine: its image store is where the last build's image must still be. */
async function checkTarget(
  run: AvoidanceRun,
  engine: { readonly address: string; readonly images: Pick<RunImages, 'inspect'> },
  t: Target,
  spec: BuildSpec,
  read: {
    readonly dockerfile: string | undefined;
    readonly dockerignore: string | undefined;
    readonly contextPaths: readonly string[] | undefined;
    readonly linkedIds: ReadonlyMap<string, string>;
    readonly imageNeeded: boolean;
  },
  signal: AbortSignal,
): Promise<UpToDate | undefined> {
  try {
    return await checkUpToDate({
      target: t,
      contextPath: spec.context,
      dockerfile: read.dockerfile,
      dockerignore: read.dockerignore,
      contextPaths: read.contextPaths,
      links: read.linkedIds,
      imageNeeded: read.imageNeeded,
      engineAddress: engine.address,
      images: engine.images,
      stateDir: run.upToDateDir,
      contextDigests: run.contextDigests,
      contextWalks: run.contextWalks,
      signal,
    });
  } catch (e) {
    // The same sentence as when BuildKit cannot be reached: this is the engine's first call of the run.
    if (e instanceof EngineError) throw new EngineUnreachableError(engine.address);
    throw e;
  }
}

/**
 * `--pull` for a target with target: contexts: the frontend's pull mode would
 * pull the internal tags too, so solve-request.ts leaves it out, and the
 * images the Dockerfile reads from registries are pulled here first, through
 * the engine; the solve's default mode then finds them in the image store.
 * A failed pull fails the target, as with buildx --pull.
 */
async function pullImages(
  run: TargetRun,
  images: RunImages,
  spec: BuildSpec,
  refs: readonly string[],
  progress: ProgressSink,
  signal: AbortSignal,
): Promise<void> {
  for (const ref of refs) {
    const step = { kind: 'vertex', target: spec.name, id: `pull:${ref}`, name: `[internal] pull ${ref}`, cached: false } as const;
    const started = Date.now();
    progress({ ...step, started });
    try {
      await images.pull(ref, await registryAuth(ref, run.dockerConfigDir), spec.platforms.length === 1 ? spec.platforms[0] : undefined, signal);
    } catch (e) {
      if (signal.aborted) throw e;
      const message = `pulling ${ref} failed: ${(e as Error).message}`;
      progress({ ...step, started, completed: Date.now(), error: message });
      throw new BuildFailedError({ kind: 'error', target: spec.name, message, vertex: step.id }, { context: NONE, dockerfile: NONE });
    }
    progress({ ...step, started, completed: Date.now() });
  }
}

/**
 * A Docker engine pushes what its image store holds: after the `moby` export,
 * each reference goes up through the Engine API with its registry's credentials.
 */
async function pushImages(images: RunImages, refs: readonly string[], configDir: string, signal: AbortSignal): Promise<void> {
  for (const ref of refs) {
    const colon = ref.lastIndexOf(':');
    const [repo, tag] = colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
    for await (const _ of images.push(repo, tag, await registryAuth(ref, configDir), signal)) {
      // Only the push's end matters here: it throws on a failed push.
    }
  }
}

/** The credentials the docker config gives for a reference's registry (the same lookup the session's Auth attachable uses). */
async function registryAuth(ref: string, configDir: string): Promise<RegistryAuth | undefined> {
  const host = registryHost(ref);
  const found = await credentials(configDir, host === 'docker.io' ? 'registry-1.docker.io' : host);
  return found.Username || found.Secret ? { username: found.Username, password: found.Secret, serveraddress: host } : undefined;
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
