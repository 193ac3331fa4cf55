/**
 * A build run (product §3): resolved targets as one graph on one builder,
 * each target the moment its `target:` dependencies are built, those loaded
 * into the image store under internal tags of the run that the dependants
 * read, and every tag removed when the run ends, whatever way it ends.
 * Driven alike by the CLI and by the dev server: progress goes to a sink,
 * cancellation comes through the signal, nothing here touches process.*.
 */
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { bakeError } from '../core/diagnostics.js';
import { isWorkStep, type ErrorEvent, type ProgressSink } from '../core/progress.js';
import type { Entry, Target } from '../bakefile/model.js';
import type { ResolvedConfig } from '../bakefile/resolve.js';
import { attributeRange } from '../bakefile/sources.js';
import { BuildFailedError, type BuildResult } from '../buildkit/build-result.js';
import { dockerConfigDir } from '../buildkit/session/credentials.js';
import { ContextWalks } from '../buildkit/session/context-walks.js';
import type { DirStats } from '../buildkit/session/index.js';
import { engineBuilder } from '../buildkit/builder-address.js';
import { bakeStateDir } from '../docker/engine-paths.js';
import { DockerEngine } from '../docker/engine-api.js';
import { secretIdKey } from './secret-ids.js';
import { internalTag, type InternalTag } from '../dockerfile/links.js';
import { planBuild, type BuildGraph, type GraphNode } from '../graph/plan.js';
import { runGraph, type GraphRun, type NodeStatus } from '../graph/scheduler.js';
import { checkBuildInputs } from './build-inputs.js';
import { buildTarget, readDockerfile, unchangedSinceLastBuild, upToDateStep, type AvoidanceRun, type DebugFor, type TargetRun } from './build-target.js';
import { contextUse } from './context-use.js';
import { openBuilder, type OpenBuilder, type RunBuilder, type RunImages } from './builder.js';

export interface BuildRunInput {
  readonly resolved: ResolvedConfig;
  /** Where relative paths start, and the environment builds read (secrets, SSH_AUTH_SOCK, DOCKER_CONFIG…). */
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** `--builder`; undefined: BUILDKIT_HOST, else the Docker engine. */
  readonly builder: string | undefined;
  readonly maxParallelism?: number | undefined;
  readonly keepGoing?: boolean | undefined;
  /** Build debugging: how a target is solved, if it is debugged (orchestrate/debug-frontend.ts). */
  readonly debugFor?: DebugFor;
}

/** What the run tells as it goes: a renderer in the CLI, a session's screen in the server. */
export interface BuildRunSink {
  started(target: string): void;
  event: ProgressSink;
  /** What the target's session sent, also for a failed build. */
  sent(target: string, sent: Readonly<Record<'context' | 'dockerfile', DirStats>>): void;
  settled(target: string, status: NodeStatus, error: ErrorEvent | undefined): void;
  /** The run could not remove an internal tag; the message says how to. */
  warn(message: string): void;
}

export interface BuildRunResult {
  readonly graph: BuildGraph;
  readonly run: GraphRun<TargetOutcome>;
  /** What each target that built (or was up to date) produced. */
  readonly built: ReadonlyMap<string, BuildResult>;
  /** Targets that failed, with the error each failed with (BuildFailedError for a build that ran). */
  readonly failed: ReadonlyMap<string, unknown>;
  readonly interrupted: boolean;
}

export interface TargetOutcome {
  readonly cached: boolean;
  readonly result: BuildResult;
}

/**
 * Runs the build. `openSink` is called once the builder answers, with the
 * targets in order, so a renderer opens only for a run that starts.
 */
export async function runBuild(
  input: BuildRunInput,
  openSink: (targets: readonly string[]) => Promise<BuildRunSink>,
  signal: AbortSignal,
  open: OpenBuilder = openBuilder,
): Promise<BuildRunResult> {
  const graph = planBuild(input.resolved);
  const env = (name: string): string | undefined => input.env[name];
  // What this machine must provide is checked before any engine is dialed.
  checkBuildInputs(
    graph.order.map((n) => n.target),
    input.cwd,
    env,
  );
  const builder = await open({ builder: input.builder, env: input.env }, signal);
  const stateDir = stateDirOf(env);
  const avoidance = avoidanceRun(input, graph, stateDir);
  const targetRun: TargetRun = {
    ...avoidance,
    builder,
    dockerConfigDir: dockerConfigDir(env),
    secretIdKey: secretIdKey(stateDir),
    ...(input.debugFor ? { debugFor: input.debugFor } : {}),
  };
  /** Each built dependency's internal tag, by target name; every one is removed when the run ends. */
  const internal = new Map<string, InternalTag>();
  /** Each built dependency's image ID, by target name: an input of its dependants' build avoidance. */
  const builtIds = new Map<string, string>();
  let sink: BuildRunSink | undefined;
  try {
    refuseLinksWithoutImageStore(graph, builder);
    /*
     * A dependency only linked is gone from the store once its run ended, so
     * its own check always misses; when every target is unchanged, their
     * records (the dependants' hold its ID) are the whole answer, and it is not
     * loaded again only to be linked by targets that are not built. A failure
     * to ask is left to the targets' own checks, which report it as always.
     */
    const unchanged =
      input.resolved.linked.size > 0 && builder.images && !input.debugFor
        ? await unchangedTargets(avoidance, { address: builder.address, images: builder.images }, input, graph, signal).catch(() => undefined)
        : undefined;
    sink = await openSink(graph.order.map((n) => n.name));
    const view = sink;
    // This run's suffix of its internal tags: concurrent runs never share (nor untag) one another's.
    const runId = randomBytes(4).toString('hex');
    const run = await runGraph<TargetOutcome>(graph, (node, nodeSignal) => buildNode(node, nodeSignal), {
      maxParallelism: input.maxParallelism,
      keepGoing: input.keepGoing ?? false,
      signal,
      now: () => performance.now(),
      onSettled: (name, r) => view.settled(name, r.status, r.status === 'failed' && r.error instanceof BuildFailedError ? r.error.event : undefined),
    });
    const built = new Map<string, BuildResult>();
    const failed = new Map<string, unknown>();
    for (const [name, r] of run.runs) {
      if (r.status === 'built' || r.status === 'cached') built.set(name, r.result.result);
      if (r.status === 'failed') failed.set(name, r.error);
    }
    return { graph, run, built, failed, interrupted: signal.aborted };

    async function buildNode(node: GraphNode, nodeSignal: AbortSignal): Promise<TargetOutcome> {
      view.started(node.name);
      const last = unchanged?.get(node.name);
      if (last) {
        view.event(upToDateStep(node.name));
        view.sent(node.name, last.sent);
        return { cached: true, result: last };
      }
      let executed = false;
      const progress: ProgressSink = (e) => {
        if (e.kind === 'vertex' && e.completed !== undefined && !e.cached && isWorkStep(e.name)) executed = true;
        view.event(e);
      };
      const contexts = Object.entries(node.target.contexts ?? {});
      // The scheduler starts a node once its deps succeeded, so each dep's tag is in `internal` by now.
      const refs = new Map(
        contexts.flatMap(([key, value]) =>
          value.startsWith('target:') ? [[key, (internal.get(value.slice('target:'.length)) as InternalTag).ref] as const] : [],
        ),
      );
      const links = { refs, namedContexts: async () => (contexts.length ? builder.namedContexts(nodeSignal) : undefined) };
      const linkedIds = linkedImageIds(node.target, (dep) => builtIds.get(dep));
      // The image store this target's dependants read it from, if they do.
      const linkedThrough = node.dependants.length > 0 ? builder.images : undefined;
      const target = linkedThrough ? loadedDependency(node.target, !input.resolved.linked.has(node.name)) : node.target;
      let result;
      try {
        result = await buildTarget(targetRun, target, links, linkedIds, progress, nodeSignal);
      } catch (e) {
        // A failed build still shows what its session sent, as a built one does.
        if (e instanceof BuildFailedError) view.sent(node.name, e.sent);
        throw e;
      }
      view.sent(node.name, result.sent);
      if (linkedThrough) {
        // The load (loadedDependency) answers with the image ID.
        const id = result.exporterResponse['containerimage.digest'] ?? '';
        const tag = internalTag(node.name, id, runId);
        // Recorded before the call, so an interrupted tagging is still cleaned up.
        internal.set(node.name, tag);
        builtIds.set(node.name, id);
        await linkedThrough.tag(id, tag.repo, tag.tag, nodeSignal);
      }
      return { cached: !executed, result };
    }
  } finally {
    for (const tag of internal.values()) {
      try {
        // The run's signal may be aborted by now.
        await builder.images?.remove(tag.ref, {}, AbortSignal.timeout(10_000));
      } catch (e) {
        sink?.warn(`could not remove the internal tag ${tag.ref}: ${(e as Error).message}. Remove it with docker rmi ${tag.ref}.`);
      }
    }
    await builder.close();
  }
}

/**
 * The fast path of a dev run on a running session (issue 15): the result of
 * every target's last build when build avoidance finds none changed, asked
 * of the Docker engine's image store alone, so no builder is dialed and
 * nothing is solved. Undefined as soon as one target would build (a
 * `target:` link always does), and for a builder that is no Docker engine.
 */
export async function unchangedBuild(input: BuildRunInput, signal: AbortSignal): Promise<ReadonlyMap<string, BuildResult> | undefined> {
  const endpoint = engineBuilder(input.builder, input.env);
  if (!endpoint || input.debugFor) return undefined;
  const graph = planBuild(input.resolved);
  const run = avoidanceRun(
    input,
    graph,
    stateDirOf((name) => input.env[name]),
  );
  const engine = new DockerEngine(endpoint);
  try {
    return await unchangedTargets(run, { address: endpoint.address, images: engine.images }, input, graph, signal);
  } finally {
    engine.close();
  }
}

/** Every target's last build when none of them changed since (see unchangedBuild); undefined as soon as one would build. */
async function unchangedTargets(
  run: AvoidanceRun,
  where: { readonly address: string; readonly images: Pick<RunImages, 'inspect'> },
  input: BuildRunInput,
  graph: BuildGraph,
  signal: AbortSignal,
): Promise<ReadonlyMap<string, BuildResult> | undefined> {
  // graph.order puts each target after its deps, so each dep's check is there to wait for.
  const checks = new Map<string, Promise<BuildResult | undefined>>();
  for (const n of graph.order) {
    checks.set(
      n.name,
      (async () => {
        const deps = new Map<string, string>();
        for (const dep of n.deps) {
          const id = (await checks.get(dep))?.exporterResponse['containerimage.digest'];
          if (!id) return undefined;
          deps.set(dep, id);
        }
        // As runBuild builds it: a dependency loads into the store its dependants read.
        const onlyLinked = input.resolved.linked.has(n.name);
        const target = n.dependants.length > 0 ? loadedDependency(n.target, !onlyLinked) : n.target;
        // A target only linked is gone from the store once its run ended; nothing runs it, its dependants' records hold its ID.
        const linked = { ids: linkedImageIds(n.target, (dep) => deps.get(dep)), imageNeeded: !onlyLinked };
        return unchangedSinceLastBuild(run, where, target, linked, signal);
      })(),
    );
  }
  const last = await Promise.all(graph.order.map(async (n) => [n.name, await checks.get(n.name)] as const));
  return last.every((entry): entry is readonly [string, BuildResult] => entry[1] !== undefined) ? new Map(last) : undefined;
}

/** The image ID each `target:` context of `t` names, by context key, where `idOf` knows the target's. */
function linkedImageIds(t: Target, idOf: (target: string) => string | undefined): ReadonlyMap<string, string> {
  return new Map(
    Object.entries(t.contexts ?? {}).flatMap(([key, value]) => {
      const id = value.startsWith('target:') ? idOf(value.slice('target:'.length)) : undefined;
      return id === undefined ? [] : [[key, id] as const];
    }),
  );
}

function stateDirOf(env: (name: string) => string | undefined): string {
  return bakeStateDir({ XDG_STATE_HOME: env('XDG_STATE_HOME'), HOME: env('HOME') }, homedir());
}

/** What build avoidance reads for the run's targets: their inputs, and its records under `stateDir`. */
function avoidanceRun(input: BuildRunInput, graph: BuildGraph, stateDir: string): AvoidanceRun {
  const env = (name: string): string | undefined => input.env[name];
  return {
    cwd: input.cwd,
    env,
    upToDateDir: join(stateDir, 'up-to-date'),
    contextUse: contextUse(
      graph.order.map((n) => n.target),
      input.cwd,
      env('SSH_AUTH_SOCK'),
      readDockerfile,
    ),
    contextDigests: new Map(),
    contextWalks: new ContextWalks(),
  };
}

/** `target:` links pass images through an image store: a standalone BuildKit has none (yet). */
function refuseLinksWithoutImageStore(graph: BuildGraph, builder: RunBuilder): void {
  const linked = graph.order.find((n) => n.deps.length > 0);
  if (!linked || builder.images) return;
  throw bakeError(
    `target ${linked.name} builds on target ${linked.deps[0]} through its contexts, but the builder at ${builder.address} has no image store to pass the image through`,
    attributeRange(linked.target, 'contexts'),
    'Build on a Docker engine (--builder docker) for now: target: contexts on a standalone BuildKit come in a later release.',
  );
}

/**
 * A dependency is read from the image store, so it must be loaded there
 * whatever its outputs: one only linked (printed with a cacheonly output)
 * loads without its tags; a requested one keeps its outputs and gains a load
 * if none of them loads. The load comes last, so its image ID is the
 * `containerimage.digest` the merged exporter response keeps.
 */
function loadedDependency(t: Target, requested: boolean): Target {
  if (!requested) return { ...t, tags: [], output: [{ type: 'docker' }] };
  const outputs = t.output ?? [];
  if (!outputs.length) return t;
  const loads = (o: Entry): boolean => (o['type'] === 'docker' && o['dest'] === undefined) || o['type'] === 'image' || o['type'] === 'registry';
  const loading = outputs.filter(loads);
  return { ...t, output: [...outputs.filter((o) => !loads(o)), ...(loading.length ? loading : [{ type: 'docker' }])] };
}

/**
 * buildx's --metadata-file entry: the exporter's answer plus the keys buildx
 * writes that an engine's `moby` exporter may leave out: the image ID as the
 * config digest, and `image.name` listing the names, comma-separated.
 */
export function buildMetadata(result: BuildRunResult): Record<string, Record<string, string>> {
  const targets = new Map(result.graph.order.map((n) => [n.name, n.target]));
  return Object.fromEntries(
    [...result.built].map(([name, r]) => {
      const metadata = { ...r.exporterResponse };
      const t = targets.get(name) as Target;
      const id = r.exporterResponse['containerimage.digest'];
      if (id && metadata['containerimage.config.digest'] === undefined) metadata['containerimage.config.digest'] = id;
      if (t.tags?.length && metadata['image.name'] === undefined) metadata['image.name'] = t.tags.join(',');
      return [name, metadata];
    }),
  );
}
