/**
 * A run's walks of its context directories, shared by build avoidance and
 * the transfer after it. The up-to-date check walks a context to fingerprint
 * it; when that says "build", the engine's first DiffCopy of the context with
 * the same filters is answered from that walk instead of a second one (a
 * 2,000-file context: the engine's `load build context` took 150-165 ms, now
 * ~95, on the path of every build that was not avoided). The record then fingerprints exactly
 * the listing the build was sent. Only the first transfer takes a walk: a
 * later one (another Solve of a long run) walks the tree afresh.
 */
import { walkBatches, type WalkEntry, type WalkOptions } from './walk.js';

export class ContextWalks {
  private readonly walks = new Map<string, Promise<readonly WalkEntry[]>>();
  private readonly taken = new Set<string>();

  /** The entries of `dir` under `opts`, walked once per run. */
  list(dir: string, opts: WalkOptions, signal: AbortSignal): Promise<readonly WalkEntry[]> {
    const key = walkKey(dir, opts);
    let entries = this.walks.get(key);
    if (!entries) {
      entries = collect(walkBatches(dir, opts, signal));
      this.walks.set(key, entries);
    }
    return entries;
  }

  /** What `list` found for a transfer of `dir` under `opts`, to the first transfer that asks; undefined: walk it. */
  take(dir: string, opts: WalkOptions): Promise<readonly WalkEntry[]> | undefined {
    const key = walkKey(dir, opts);
    const entries = this.walks.get(key);
    if (!entries || this.taken.has(key)) return undefined;
    this.taken.add(key);
    return entries;
  }
}

async function collect(batches: AsyncIterable<readonly WalkEntry[]>): Promise<readonly WalkEntry[]> {
  const all: WalkEntry[] = [];
  for await (const batch of batches) for (const entry of batch) all.push(entry);
  return all;
}

/** Walks that send the same entries have one key: no exclude patterns and an empty list of them exclude alike. */
function walkKey(dir: string, opts: WalkOptions): string {
  const exclude = opts.excludePatterns?.length ? opts.excludePatterns : null;
  return JSON.stringify([dir, opts.includePatterns ?? null, exclude, opts.followPaths ?? null]);
}
