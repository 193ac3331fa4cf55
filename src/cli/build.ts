/**
 * `bake TARGET`: builds one target on the builder (`--builder`, else
 * BUILDKIT_HOST, else Docker) and loads the image into the engine. Progress
 * goes to stderr: buildx-like `#N` lines for plain/auto/tty, one JSON event
 * per line for rawjson, nothing for quiet.
 */
import { setMaxListeners } from 'node:events';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { bakeError } from '../core/diagnostics.js';
import type { ErrorEvent, ProgressEvent, ProgressSink } from '../core/progress.js';
import { resolveTargets } from '../bakefile/resolve.js';
import { attributeRange } from '../bakefile/sources.js';
import { planBuild } from '../graph/plan.js';
import { runGraph } from '../graph/scheduler.js';
import { formatSummary } from '../graph/summary.js';
import { internalTag, type InternalTag } from '../graph/links.js';
import type { Entry, Target } from '../bakefile/model.js';
import { probeCapabilities, type Capabilities } from '../buildkit/capabilities.js';
import { DockerEngine } from '../docker/engine-api.js';
import { BuildFailedError, buildTarget, type BuildResult } from '../buildkit/build.js';
import type { DirStats } from '../buildkit/session/index.js';
import { controlClient } from '../buildkit/control.js';
import { BuilderAddressError, dial, EngineUnreachableError } from '../buildkit/dial.js';
import { EngineError } from '../docker/errors.js';
import type { BakeArgs } from './args.js';
import { loadDefinition, resolveOptions, type CliEnvironment } from './definition.js';

export async function build(args: BakeArgs, cli: CliEnvironment): Promise<number> {
  const def = await loadDefinition(args, cli);
  const resolved = resolveTargets(def.evaluated, { ...resolveOptions(def, args, cli), names: args.names });
  const graph = planBuild(resolved);
  const mode = args.progress ?? cli.env['BUILDKIT_PROGRESS'] ?? 'auto';
  const many = graph.order.length > 1;
  // Several targets at once: each target's lines carry its name, as buildx's plain output does.
  const renders = new Map(graph.order.map((n) => [n.name, renderer(mode, many ? `[${n.name}] ` : '')]));
  const env = (name: string): string | undefined => cli.env[name];
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
  const abort = new AbortController();
  // The capability probe's dozen concurrent calls each listen on the run's signal: more than Node's default warning threshold.
  setMaxListeners(32, abort.signal);
  // Asked once per run, and only when a target has contexts: the probe costs a few Solves.
  let capabilities: Promise<Capabilities> | undefined;
  const namedContexts = async (): Promise<boolean> => (await (capabilities ??= probeCapabilities(client, abort.signal))).namedContexts;
  const onSigint = (): void => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  try {
    const run = await runGraph(
      graph,
      async (node, signal) => {
        const render = renders.get(node.name) as Renderer;
        let executed = false;
        const progress: ProgressSink = (e) => {
          if (e.kind === 'vertex' && e.completed !== undefined && !e.cached && WORK_STEP.test(e.name)) executed = true;
          render.sink(e);
        };
        const contexts = Object.entries(node.target.contexts ?? {});
        // The scheduler starts a node once its deps succeeded, so each dep's tag is in `internal` by now.
        const refs = new Map(contexts.flatMap(([key, value]) => (value.startsWith('target:') ? [[key, (internal.get(value.slice('target:'.length)) as InternalTag).ref] as const] : [])));
        const links = { refs, namedContexts: contexts.length ? await namedContexts() : undefined };
        const target = engine && node.dependants.length ? loadedDependency(node.target, !resolved.linked.has(node.name)) : node.target;
        const result = await buildTarget(client, { target, cwd: cli.cwd, address: dialed.address, engine: dialed.engine, env, progress, signal, links });
        render.done();
        render.sent(result.sent, args.debug);
        if (engine && node.dependants.length) {
          // The load (loadedDependency) answers with the image ID.
          const id = result.exporterResponse['containerimage.digest'] ?? '';
          const tag = internalTag(node.name, id);
          // Recorded before the call, so an interrupted tagging is still cleaned up.
          internal.set(node.name, tag);
          await engine.images.tag(id, tag.repo, tag.tag, signal);
        }
        return { cached: !executed, result };
      },
      { maxParallelism: args.maxParallelism, keepGoing: args.keepGoing, signal: abort.signal, now: () => performance.now() },
    );
    const built = new Map<string, BuildResult>();
    let failed = false;
    for (const [name, r] of run.runs) {
      if (r.status === 'built' || r.status === 'cached') built.set(name, r.result.result);
      if (r.status !== 'failed') continue;
      failed = true;
      if (r.error instanceof BuildFailedError) (renders.get(name) as Renderer).failed(r.error.event);
      else if (r.error instanceof EngineUnreachableError) process.stderr.write(`error: ${r.error.message}\n`);
      else throw r.error;
    }
    if (many) process.stderr.write(`\n${formatSummary(run, new Map([...built].map(([name, r]) => [name, r.exporterResponse['containerimage.digest'] ?? ''])))}`);
    // Interrupted, the summary still says what was built and what was cancelled; no metadata file, as the run did not finish.
    if (abort.signal.aborted) return 130;
    if (args.metadataFile) writeFileSync(resolve(cli.cwd, args.metadataFile), `${JSON.stringify(Object.fromEntries([...built].map(([name, r]) => [name, r.exporterResponse])), null, 2)}\n`);
    return failed ? 1 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    if (engine) {
      await removeInternalTags(engine, internal.values());
      engine.close();
    }
    client.close();
    await dialed.close();
  }
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

/** A Dockerfile step that does work (`[2/3] RUN …`); FROM, loading and exporting run even when everything is cached. */
const WORK_STEP = /^\[\d+\/\d+\] (?!FROM )/;

interface Renderer {
  readonly sink: ProgressSink;
  done(): void;
  failed(event: ErrorEvent): void;
  /** The session's transfer counters: a summary line, or per directory with --debug. */
  sent(sent: BuildResult['sent'], debug: boolean): void;
}

function renderer(mode: string, prefix: string): Renderer {
  const write = (s: string): void => void process.stderr.write(prefix ? s.replace(/^(?=.)/gm, prefix) : s);
  switch (mode) {
    case 'quiet':
      return { sink: () => {}, done: () => {}, failed: (e) => write(errorText(e)), sent: () => {} };
    case 'rawjson':
      return { sink: (e) => write(`${JSON.stringify(e)}\n`), done: () => {}, failed: (e) => write(`${JSON.stringify(e)}\n`), sent: (sent) => write(`${JSON.stringify({ kind: 'sent', ...sent })}\n`) };
    case 'auto':
    case 'tty':
    case 'plain':
      return plainRenderer(write);
    default:
      throw bakeError(`invalid progress mode ${mode}`, undefined, 'Use --progress auto, tty, plain, rawjson or quiet.');
  }
}

/** buildx's plain progress: each step numbered once, its logs and transfers prefixed with `#N`, then DONE, CACHED or ERROR. */
function plainRenderer(write: (s: string) => void): Renderer {
  const numbers = new Map<string, number>();
  const names = new Map<string, string>();
  const starts = new Map<string, number>();
  const finished = new Set<string>();
  let current: string | undefined;
  const header = (id: string): string => {
    let n = numbers.get(id);
    if (n === undefined) {
      n = numbers.size + 1;
      numbers.set(id, n);
    }
    if (current !== id) {
      if (current !== undefined) write('\n');
      current = id;
      write(`#${n} ${names.get(id) ?? id}\n`);
    }
    return `#${n}`;
  };
  const seconds = (ms: number): string => (ms / 1000).toFixed(1);
  const sink = (e: ProgressEvent): void => {
    switch (e.kind) {
      case 'vertex': {
        names.set(e.id, e.name);
        if (e.started !== undefined && !starts.has(e.id)) starts.set(e.id, e.started);
        if (finished.has(e.id)) return;
        if (e.cached) {
          write(`${header(e.id)} CACHED\n`);
          finished.add(e.id);
        } else if (e.error) {
          write(`${header(e.id)} ERROR: ${e.error}\n`);
          finished.add(e.id);
        } else if (e.completed !== undefined) {
          write(`${header(e.id)} DONE ${seconds(e.completed - (e.started ?? e.completed))}s\n`);
          finished.add(e.id);
        } else if (e.started !== undefined) header(e.id);
        return;
      }
      case 'status':
        if (e.completed !== undefined) write(`${header(e.vertex)} ${e.id} ${bytes(e.current)} done\n`);
        return;
      case 'log': {
        const at = seconds(Math.max(0, e.time - (starts.get(e.vertex) ?? e.time)));
        const prefix = header(e.vertex);
        for (const line of e.text.replace(/\n$/, '').split('\n')) write(`${prefix} ${at} ${line}\n`);
        return;
      }
      case 'warning':
        write(`${header(e.vertex)} WARNING: ${e.message}\n`);
        return;
      case 'error':
        write(errorText(e, names));
    }
  };
  return {
    sink,
    done: () => void (current !== undefined && write('\n')),
    failed: (e) => {
      if (current !== undefined) write('\n');
      write(errorText(e, names));
    },
    sent: (sent, debug) => {
      const line = (what: string, d: DirStats): string => `${what} ${d.files} entries, ${d.requests} files requested, ${d.bytes} bytes`;
      write(debug ? `sent ${line('context:', sent.context)}\nsent ${line('dockerfile dir:', sent.dockerfile)}\n` : `sent ${line('context:', sent.context)}\n`);
    },
  };
}

/** The failure as buildx prints it: the failing step, the Dockerfile lines with `>>>`, then the error. */
function errorText(e: ErrorEvent, names?: ReadonlyMap<string, string>): string {
  const out: string[] = [];
  const step = e.vertex && names?.get(e.vertex);
  if (step) out.push('------', ` > ${step}:`, '------');
  if (e.source?.lines.length) {
    const first = e.source.lines.find((l) => l.failing) ?? e.source.lines[0];
    out.push(`${e.source.filename}:${first?.line ?? 1}`, '--------------------');
    const width = String(e.source.lines[e.source.lines.length - 1]?.line ?? 1).length;
    for (const l of e.source.lines) out.push(` ${String(l.line).padStart(width + 2)} | ${l.failing ? '>>>' : '   '} ${l.text}`);
    out.push('--------------------');
  }
  out.push(`error: failed to build ${e.target}: ${e.message}`);
  const fix = FIXES.find(([pattern]) => pattern.test(e.message));
  if (fix) out.push(`  = fix: ${fix[1]}`);
  return `${out.join('\n')}\n`;
}

/** Fixes for engine failures users meet and cannot guess from BuildKit's words. */
const FIXES: readonly [RegExp, string][] = [
  [/pulling from host \S+ failed with status code \[[^\]]*\]: 401 Unauthorized/, 'Run docker login for that registry, or fix its auths entry in $DOCKER_CONFIG/config.json (~/.docker/config.json).'],
  [/network bridge not found/, 'The engine has no bridge network: set network = "none" (or "host") on the target, or build on the engine `bake engine start` runs.'],
  [/unsupported frontend capability moby\.buildkit\.frontend\.inputs/, 'This BuildKit predates v0.8: update the engine (Docker 20.10 or later), or point --builder at a newer BuildKit.'],
];

function bytes(n: number): string {
  if (n < 1000) return `${n}B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(2)}kB`;
  return `${(n / 1e6).toFixed(2)}MB`;
}
