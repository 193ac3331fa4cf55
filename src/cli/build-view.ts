/**
 * The CLI's view of a build run (`bake`'s build, `bake dev`'s bring-up):
 * its progress renderer, Ctrl-C, and the report once it is over. It loads
 * none of the BuildKit client, which a bring-up with nothing to build does
 * not need.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderError } from '../core/error-text.js';
import type { Outcome } from '../core/errors.js';
import { formatSummary } from '../graph/summary.js';
import type { BuildRunResult, BuildRunSink } from '../orchestrate/build-run.js';
import type { BakeArgs } from './args.js';
import type { CliEnvironment } from './definition.js';
import { openProgress, progressMode, type ProgressView } from './progress/index.js';

/** How a build run ended, as `bake` reports it. */
export type BuildOutcome = Extract<Outcome, 'ok' | 'build' | 'interrupted'>;

/** A build run as the CLI shows it: the sink to give the run, its interruption, and the report once it is over. */
export interface BuildView {
  readonly openSink: (targets: readonly string[]) => Promise<BuildRunSink>;
  /** Aborted by Ctrl-C (SIGINT) or the caller's signal (bake dev's terminal is raw: Ctrl-C is a key there, not a signal). */
  readonly signal: AbortSignal;
  /**
   * Closes the view (the tty view's last frame, the line views' failures),
   * then prints what the view could not: an unreachable engine, the summary;
   * writes the metadata file of a finished run. Throws an error that is no build's failure.
   */
  report(result: BuildRunResult): Promise<BuildOutcome>;
}

/**
 * The CLI's part of a build run, around `run` (which runs it: `bake`'s
 * build, `bake dev`'s bring-up): the renderer, Ctrl-C, the summary and the metadata file.
 */
export async function withBuildView<T>(args: BakeArgs, cli: CliEnvironment, signal: AbortSignal | undefined, run: (view: BuildView) => Promise<T>): Promise<T> {
  const mode = progressMode(args.progress ?? cli.env['BUILDKIT_PROGRESS'] ?? 'auto', process.stderr.isTTY === true);
  const abort = new AbortController();
  const onSigint = (): void => abort.abort(new Error('interrupted'));
  // `on`, not `once`: the tty view loads signal-exit (through listr2), which re-raises a
  // SIGINT it sees no other listener for, and a `once` listener is gone by then.
  process.on('SIGINT', onSigint);
  signal?.addEventListener('abort', onSigint, { once: true });
  let opened: ProgressView | undefined;
  const close = async (): Promise<void> => {
    const view = opened;
    opened = undefined;
    await view?.close();
  };
  const report = async (result: BuildRunResult): Promise<BuildOutcome> => {
    // The view closes as the run ends, before anything else is printed.
    await close();
    // Loaded by the run that ended: `bake dev` with nothing to build never loads the build run's modules.
    const [{ EngineUnreachableError }, { BuildFailedError }, { buildMetadata }] = await Promise.all([
      import('../buildkit/builder-address.js'),
      import('../buildkit/build-result.js'),
      import('../orchestrate/build-run.js'),
    ]);
    for (const error of result.failed.values()) {
      // The view printed BuildKit's failures.
      if (error instanceof EngineUnreachableError) process.stderr.write(`${renderError(error, cli.sources)}\n`);
      else if (!(error instanceof BuildFailedError)) throw error;
    }
    if (result.graph.order.length > 1)
      process.stderr.write(
        `\n${formatSummary(result.run, new Map([...result.built].map(([name, r]) => [name, r.exporterResponse['containerimage.digest'] ?? ''])))}`,
      );
    // Interrupted, the summary still says what was built and what was cancelled; no metadata file, as the run did not finish.
    if (result.interrupted) return 'interrupted';
    if (args.metadataFile) writeFileSync(resolve(cli.cwd, args.metadataFile), `${JSON.stringify(buildMetadata(result), null, 2)}\n`);
    return result.failed.size ? 'build' : 'ok';
  };
  const openSink = async (targets: readonly string[]): Promise<BuildRunSink> => {
    const view = await openProgress(mode, targets, args.debug);
    opened = view;
    return {
      started: (t) => view.started(t),
      event: (e) => view.event(e),
      sent: (t, s) => view.sent(t, s),
      settled: (t, status, error) => view.settled(t, status, error),
      warn: (m) => void process.stderr.write(`warning: ${m}\n`),
    };
  };
  try {
    return await run({ openSink, signal: abort.signal, report });
  } finally {
    // A run that threw still leaves the terminal as it found it.
    await close();
    process.off('SIGINT', onSigint);
    signal?.removeEventListener('abort', onSigint);
  }
}
