/**
 * `bake [TARGET…]`: builds the targets on the builder (`--builder`, else
 * BUILDKIT_HOST, else Docker) as one graph and loads the images into the
 * engine. Progress goes to stderr through one view per run (./progress/).
 */
import type { Outcome } from '../core/errors.js';
import { resolveTargets, type ResolvedConfig } from '../bakefile/resolve.js';
import type { BuildResult } from '../buildkit/build-result.js';
import { runBuild } from '../orchestrate/build-run.js';
import type { BakeArgs } from './args.js';
import { withBuildView, type BuildOutcome } from './build-view.js';
import { loadDefinition, resolveOptions, type CliEnvironment } from './definition.js';

export async function build(args: BakeArgs, cli: CliEnvironment): Promise<Outcome> {
  const def = await loadDefinition(args, cli);
  const resolved = resolveTargets(def.evaluated, { ...resolveOptions(def, args, cli), names: args.names });
  return (await buildResolved(resolved, args, cli)).outcome;
}

export interface BuildRun {
  /** How the run ended; a failed target's error is printed already (the progress view), as is an interrupted run's summary. */
  readonly outcome: BuildOutcome;
  /** What each target that built (or was up to date) produced. */
  readonly built: ReadonlyMap<string, BuildResult>;
}

/**
 * Builds resolved targets as one graph (orchestrate/build-run.ts): `bake
 * [TARGET…]`. `signal` interrupts it as Ctrl-C (SIGINT) does.
 */
export function buildResolved(resolved: ResolvedConfig, args: BakeArgs, cli: CliEnvironment, signal?: AbortSignal): Promise<BuildRun> {
  const input = { resolved, cwd: cli.cwd, env: cli.env, builder: args.builder, maxParallelism: args.maxParallelism, keepGoing: args.keepGoing };
  return withBuildView(args, cli, signal, async (view) => {
    const result = await runBuild(input, view.openSink, view.signal);
    return { outcome: await view.report(result), built: result.built };
  });
}
