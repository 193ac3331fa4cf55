/**
 * Runs a BuildGraph with an injected node runner (product.md §3): a node
 * starts the moment its last dep succeeds, not level by level, up to
 * `maxParallelism` at once. On a failure the rest is cancelled (buildx's
 * default) or, with `keepGoing`, independent nodes finish and only the
 * failed node's dependants are cancelled. Pure: time comes from `now`.
 */
import type { BuildGraph, GraphNode } from './plan.js';

/** What a runner resolves with; the runner knows whether the engine built anything. */
export interface NodeResult {
  /** Every step came from the build cache. */
  readonly cached: boolean;
}

export type NodeRunner<R extends NodeResult> = (node: GraphNode, signal: AbortSignal) => Promise<R>;

export interface RunOptions<R = unknown> {
  /** At most this many nodes run at once; undefined: no limit. */
  readonly maxParallelism: number | undefined;
  /** On a failure, let nodes that do not depend on it finish. */
  readonly keepGoing: boolean;
  /** Aborting it (Ctrl-C) cancels every node; its reason reaches each running node's signal. */
  readonly signal: AbortSignal;
  /** Milliseconds from any fixed point. */
  readonly now: () => number;
  /** Called as each node settles, so a live view can show it before the run ends. */
  readonly onSettled?: (name: string, run: NodeRun<R>) => void;
}

export interface Timing {
  readonly startedAt: number;
  readonly endedAt: number;
}

export type NodeStatus = 'built' | 'cached' | 'failed' | 'cancelled';

export type NodeRun<R> =
  | { readonly status: 'built' | 'cached'; readonly timing: Timing; readonly result: R }
  | { readonly status: 'failed'; readonly timing: Timing; readonly error: unknown }
  /** Aborted while running (timing set) or never started (no timing). */
  | { readonly status: 'cancelled'; readonly timing: Timing | undefined };

export interface GraphRun<R> {
  /** Every node's run, in the graph's order. */
  readonly runs: ReadonlyMap<string, NodeRun<R>>;
}

/** The reason running nodes' signals carry when another node's failure cancels them. */
export class CancelledByFailureError extends Error {
  constructor(readonly failed: string) {
    super(`cancelled: target ${failed} failed`);
    this.name = 'CancelledByFailureError';
  }
}

/**
 * Runs every node and settles once every started runner has settled, so no
 * solve outlives the run; it never rejects for a node's failure.
 */
export function runGraph<R extends NodeResult>(graph: BuildGraph, runner: NodeRunner<R>, options: RunOptions<R>): Promise<GraphRun<R>> {
  const { maxParallelism, keepGoing, signal, now, onSettled } = options;
  if (maxParallelism !== undefined && !(Number.isInteger(maxParallelism) && maxParallelism >= 1)) {
    return Promise.reject(new RangeError(`max parallelism must be a positive integer, got ${maxParallelism}`));
  }
  // A ready node's priority is its place in the graph's order, so equal timing gives equal runs.
  const rank = new Map(graph.order.map((n, i) => [n.name, i]));
  const waitingOn = new Map(graph.order.map((n) => [n.name, n.deps.length]));
  const ready = graph.order.filter((n) => n.deps.length === 0);
  const running = new Map<string, AbortController>();
  const settled = new Map<string, NodeRun<R>>();
  let stopping = signal.aborted;

  return new Promise((resolve) => {
    const stop = (reason: unknown): void => {
      stopping = true;
      for (const controller of running.values()) controller.abort(reason);
    };
    const onAbort = (): void => stop(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });

    const finishIfIdle = (): void => {
      if (running.size > 0 || (ready.length > 0 && !stopping)) return;
      signal.removeEventListener('abort', onAbort);
      // What never started was cancelled: by the stop, or by a failed dep under keepGoing.
      resolve({ runs: new Map(graph.order.map((n) => [n.name, settled.get(n.name) ?? { status: 'cancelled', timing: undefined }])) });
    };

    const start = (node: GraphNode): void => {
      const controller = new AbortController();
      running.set(node.name, controller);
      const startedAt = now();
      // An async wrapper turns a runner's synchronous throw into a rejection.
      (async () => runner(node, controller.signal))().then(
        (result) => settle(node, { status: result.cached ? 'cached' : 'built', timing: { startedAt, endedAt: now() }, result }),
        (error: unknown) => {
          const timing = { startedAt, endedAt: now() };
          // A node we aborted reports whatever its runner threw; that is the cancellation, not a failure.
          settle(node, controller.signal.aborted ? { status: 'cancelled', timing } : { status: 'failed', timing, error });
        },
      );
    };

    const pump = (): void => {
      while (!stopping && ready.length > 0 && (maxParallelism === undefined || running.size < maxParallelism)) start(ready.shift() as GraphNode);
    };

    const settle = (node: GraphNode, run: NodeRun<R>): void => {
      running.delete(node.name);
      settled.set(node.name, run);
      onSettled?.(node.name, run);
      if (run.status === 'failed' && !keepGoing) stop(new CancelledByFailureError(node.name));
      if (run.status === 'built' || run.status === 'cached') {
        for (const name of node.dependants) {
          const left = (waitingOn.get(name) as number) - 1;
          waitingOn.set(name, left);
          if (left === 0) insertByRank(ready, graph.nodes.get(name) as GraphNode, rank);
        }
      }
      pump();
      finishIfIdle();
    };

    pump();
    finishIfIdle();
  });
}

function insertByRank(ready: GraphNode[], node: GraphNode, rank: ReadonlyMap<string, number>): void {
  const r = rank.get(node.name) as number;
  const at = ready.findIndex((n) => (rank.get(n.name) as number) > r);
  ready.splice(at < 0 ? ready.length : at, 0, node);
}
