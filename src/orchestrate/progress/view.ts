/**
 * What `bake [TARGET…]` tells a progress view (issue #4, Progress): one view
 * per run, shared by its targets. Each mode (plain, rawjson, quiet, tty)
 * implements it from the same events (architecture habit 5).
 */
import type { BuildResult } from '../../buildkit/build-result.js';
import type { ErrorEvent, ProgressSink } from '../../core/progress.js';
import type { NodeStatus } from '../../graph/scheduler.js';

/** What the session sent for a target's context and Dockerfile dir. */
export type Sent = BuildResult['sent'];

export interface ProgressView {
  /** Every target's build events; each names its target. */
  readonly event: ProgressSink;
  /** The scheduler started the target: it stops waiting. */
  started(target: string): void;
  /** The target's solve ended (built or failed): what its session sent. */
  sent(target: string, sent: Sent): void;
  /** The scheduler settled the target; `failure` when BuildKit said why it failed. */
  settled(target: string, status: NodeStatus, failure: ErrorEvent | undefined): void;
  /** The run is over: failures and the final state are drawn when this resolves. */
  close(): Promise<void>;
}
