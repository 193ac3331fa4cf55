/**
 * `bake [TARGET…]`: builds the targets on the builder (`--builder`, else
 * BUILDKIT_HOST, else Docker) as one graph and loads the images into the
 * engine. Progress goes to stderr through one view per run (./progress/).
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { bakeError } from '../core/diagnostics.js';
import { isWorkStep, type ProgressSink } from '../core/progress.js';
import { resolveTargets, type ResolvedConfig } from '../bakefile/resolve.js';
import { attributeRange } from '../bakefile/sources.js';
import { planBuild } from '../graph/plan.js';
import { runGraph } from '../graph/scheduler.js';
import { formatSummary } from '../graph/summary.js';
import { internalTag, type InternalTag } from '../dockerfile/links.js';
import type { Entry, Target } from '../bakefile/model.js';
import { probeCapabilities, type Capabilities } from '../buildkit/capabilities.js';
import { DockerEngine } from '../docker/engine-api.js';
import { BuildFailedError, buildTarget, RunSessions, type BuildResult } from '../buildkit/build.js';
import { controlClient } from '../buildkit/control.js';
import { BuilderAddressError, dial, EngineUnreachableError } from '../buildkit/dial.js';
import { EngineError } from '../docker/errors.js';
import type { BakeArgs } from './args.js';
import { checkBuildInputs } from './build-inputs.js';
import { loadDefinition, resolveOptions, type CliEnvironment } from './definition.js';
import { openProgress, progressMode } from './progress/index.js';

export async function build(args: BakeArgs, cli: CliEnvironment): Promise<number> {
  const def = await loadDefinition(args, cli);
  const resolved = resolveTargets(def.evaluated, { ...resolveOptions(def, args, cli), names: args.names });
  return (await buildResolved(resolved, args, cli)).exitCode;
}

export interface BuildRun {
  /** 0 built, 1 a target failed, 130 interrupted. */
  readonly exitCode: number;
  /** What each target that built (or was up to date) produced. */
  readonly built: ReadonlyMap<string, BuildResult>;
}

/**
 * Builds resolved targets as one graph: `bake [TARGET…]`, and `bake dev` for
 * the images its services run. Ctrl-C (SIGINT) or `signal` interrupts it
 * (bake dev's terminal is raw: Ctrl-C is a key there, not a signal).
 */
export async function buildResolved(resolved: ResolvedConfig, args: BakeArgs, cli: CliEnvironment, signal?: AbortSignal): Promise<BuildRun> {
  const graph = planBuild(resolved);
  const mode = progressMode(args.progress ?? cli.env['BUILDKIT_PROGRESS'] ?? 'auto', process.stderr.isTTY === true);
  const env = (name: string): string | undefined => cli.env[name];
  // What this machine must provide is checked before any engine is dialed.
  checkBuildInputs(graph.order.map((n) => n.target), cli.cwd, env);
  let dialed;
  try {
    dialed = await dial(args.builder, cli.env);
  } catch (e) {
    if (e instanceof BuilderAddressError) throw bakeError(e.message);
    if (e instanceof EngineError) throw bakeError(e.message, undefined, e.fix);
    throw e;
  }
  const linked = graph.order.find((n) => n.deps.length > 0);
  if (linked && !dialed.engine) {
    await dialed.close();
    throw bakeError(
      `target ${linked.name} builds on target ${linked.deps[0]} through its contexts, but the builder at ${dialed.address} has no image store to pass the image through`,
      attributeRange(linked.target, 'contexts'),
      'Build on a Docker engine (--builder docker) for now: target: contexts on a standalone BuildKit come in a later release.',
    );
  }
  const client = controlClient(dialed);
  const engine = dialed.engine && linked ? new DockerEngine(dialed.engine) : undefined;
  /** Each built dependency's internal tag, by target name; every one is removed when the run ends. */
  const internal = new Map<string, InternalTag>();
  const contextDigests = new Map<string, Promise<string>>();
  const sessions = new RunSessions();
  // This run's suffix of its internal tags: concurrent runs never share (nor untag) one another's.
  const runId = randomBytes(4).toString('hex');
  const abort = new AbortController();
  // The capability probe's dozen concurrent calls each listen on the run's signal: more than Node's default warning threshold.
  setMaxListeners(32, abort.signal);
  // Asked once per run, and only when a target has contexts: the probe costs a few Solves.
  let capabilities: Promise<Capabilities> | undefined;
  const namedContexts = async (): Promise<boolean> => (await (capabilities ??= probeCapabilities(client, abort.signal))).namedContexts;
  const onSigint = (): void => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  signal?.addEventListener('abort', onSigint, { once: true });
  try {
    const view = await openProgress(mode, graph.order.map((n) => n.name), args.debug);
    // Closed as the run ends, before anything else is printed: the tty view's last frame, the line views' failures.
    const run = await runGraph(
      graph,
      async (node, signal) => {
        view.started(node.name);
        let executed = false;
        const progress: ProgressSink = (e) => {
          if (e.kind === 'vertex' && e.completed !== undefined && !e.cached && isWorkStep(e.name)) executed = true;
          view.event(e);
        };
        const contexts = Object.entries(node.target.contexts ?? {});
        // The scheduler starts a node once its deps succeeded, so each dep's tag is in `internal` by now.
        const refs = new Map(contexts.flatMap(([key, value]) => (value.startsWith('target:') ? [[key, (internal.get(value.slice('target:'.length)) as InternalTag).ref] as const] : [])));
        const links = { refs, namedContexts: contexts.length ? await namedContexts() : undefined };
        const target = engine && node.dependants.length ? loadedDependency(node.target, !resolved.linked.has(node.name)) : node.target;
        let result;
        try {
          result = await buildTarget(client, { target, cwd: cli.cwd, address: dialed.address, engine: dialed.engine, env, progress, signal, links, contextDigests, sessions });
        } catch (e) {
          // A failed build still shows what its session sent, as a built one does.
          if (e instanceof BuildFailedError) view.sent(node.name, e.sent);
          throw e;
        }
        view.sent(node.name, result.sent);
        if (engine && node.dependants.length) {
          // The load (loadedDependency) answers with the image ID.
          const id = result.exporterResponse['containerimage.digest'] ?? '';
          const tag = internalTag(node.name, id, runId);
          // Recorded before the call, so an interrupted tagging is still cleaned up.
          internal.set(node.name, tag);
          await engine.images.tag(id, tag.repo, tag.tag, signal);
        }
        return { cached: !executed, result };
      },
      {
        maxParallelism: args.maxParallelism,
        keepGoing: args.keepGoing,
        signal: abort.signal,
        now: () => performance.now(),
        onSettled: (name, r) => view.settled(name, r.status, r.status === 'failed' && r.error instanceof BuildFailedError ? r.error.event : undefined),
      },
    ).finally(() => view.close());
    const built = new Map<string, BuildResult>();
    let failed = false;
    for (const [name, r] of run.runs) {
      if (r.status === 'built' || r.status === 'cached') built.set(name, r.result.result);
      if (r.status !== 'failed') continue;
      failed = true;
      // The view printed BuildKit's failures.
      if (r.error instanceof EngineUnreachableError) process.stderr.write(`error: ${r.error.message}\n`);
      else if (!(r.error instanceof BuildFailedError)) throw r.error;
    }
    if (graph.order.length > 1) process.stderr.write(`\n${formatSummary(run, new Map([...built].map(([name, r]) => [name, r.exporterResponse['containerimage.digest'] ?? ''])))}`);
    // Interrupted, the summary still says what was built and what was cancelled; no metadata file, as the run did not finish.
    if (abort.signal.aborted) return { exitCode: 130, built };
    if (args.metadataFile) {
      const targets = new Map(graph.order.map((n) => [n.name, n.target]));
      const metadata = Object.fromEntries([...built].map(([name, r]) => [name, buildMetadata(targets.get(name) as Target, r.exporterResponse)]));
      writeFileSync(resolve(cli.cwd, args.metadataFile), `${JSON.stringify(metadata, null, 2)}\n`);
    }
    return { exitCode: failed ? 1 : 0, built };
  } finally {
    process.off('SIGINT', onSigint);
    signal?.removeEventListener('abort', onSigint);
    await sessions.closeAll();
    if (engine) {
      await removeInternalTags(engine, internal.values());
      engine.close();
    }
    client.close();
    await dialed.close();
  }
}

/**
 * buildx's --metadata-file entry: the exporter's answer plus the keys buildx
 * writes that this engine's `moby` exporter leaves out: the image ID is the
 * config digest there, and `image.name` lists the names, comma-separated.
 */
function buildMetadata(t: Target, response: Readonly<Record<string, string>>): Record<string, string> {
  const metadata = { ...response };
  const id = response['containerimage.digest'];
  if (id && metadata['containerimage.config.digest'] === undefined) metadata['containerimage.config.digest'] = id;
  if (t.tags?.length && metadata['image.name'] === undefined) metadata['image.name'] = t.tags.join(',');
  return metadata;
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

/** Untags the run's internal tags, also after a failure or Ctrl-C; the run's own signal may be aborted by then. */
async function removeInternalTags(engine: DockerEngine, tags: Iterable<InternalTag>): Promise<void> {
  for (const tag of tags) {
    try {
      await engine.images.remove(tag.ref, {}, AbortSignal.timeout(10_000));
    } catch (e) {
      process.stderr.write(`warning: could not remove the internal tag ${tag.ref}: ${(e as Error).message}. Remove it with docker rmi ${tag.ref}.\n`);
    }
  }
}
