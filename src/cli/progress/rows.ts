/**
 * The tty view's model (issue #4, Progress): one row per target, folded from
 * its progress events. Pure: time comes in as arguments, text goes out;
 * tty.ts draws it with listr2.
 */
import type { ErrorEvent, ProgressEvent } from '../../core/progress.js';
import type { NodeStatus } from '../../graph/scheduler.js';
import { bytes, errorText } from '../../orchestrate/progress/text.js';

interface Step {
  name: string;
  started: boolean;
  done: boolean;
  cached: boolean;
}

/** A step's name is cut to this many characters, so a row stays one line on an 80-column terminal. */
const STEP_WIDTH = 40;

export class TargetRow {
  #state: 'waiting' | 'running' | NodeStatus = 'waiting';
  #startedAt: number | undefined;
  #endedAt: number | undefined;
  /** By vertex id, in the order BuildKit first named them. */
  readonly #steps = new Map<string, Step>();
  /** The step started last and not done yet: the current step. */
  #current: string | undefined;
  /** Bytes of each transfer BuildKit reports, while the session's own counters are unknown. */
  readonly #transfers = new Map<string, number>();
  #sent: number | undefined;
  #failure: ErrorEvent | undefined;

  constructor(readonly target: string) {}

  started(now: number): void {
    this.#state = 'running';
    this.#startedAt = now;
  }

  event(e: ProgressEvent): void {
    if (e.kind === 'vertex') {
      const step = this.#steps.get(e.id) ?? { name: e.name, started: false, done: false, cached: false };
      this.#steps.set(e.id, step);
      step.name = e.name;
      step.started ||= e.started !== undefined;
      step.done ||= e.cached || e.completed !== undefined || e.error !== undefined;
      step.cached ||= e.cached;
      if (step.started && !step.done) this.#current = e.id;
      else if (this.#current === e.id) this.#current = [...this.#steps].findLast(([, s]) => s.started && !s.done)?.[0];
    } else if (e.kind === 'status' && e.id.startsWith('transferring')) this.#transfers.set(`${e.vertex} ${e.id}`, e.current);
  }

  /** The session's counter for the context: what the row shows from now on. */
  sent(contextBytes: number): void {
    this.#sent = contextBytes;
  }

  settled(status: NodeStatus, now: number, failure: ErrorEvent | undefined): void {
    this.#state = status;
    this.#endedAt = now;
    this.#current = undefined;
    this.#failure = failure;
  }

  /** `app  [2/3] RUN make  3/7 steps · 2 cached · 1.20MB sent · 4.1s`; the name padded to `width`, the state in place of the step once settled. */
  title(width: number, now: number): string {
    const name = this.target.padEnd(width);
    if (this.#state === 'waiting') return `${name}  waiting`;
    const steps = [...this.#steps.values()];
    const sent = this.#sent ?? [...this.#transfers.values()].reduce((a, b) => a + b, 0);
    const facts = [
      `${steps.filter((s) => s.done).length}/${steps.length} steps`,
      `${steps.filter((s) => s.cached).length} cached`,
      `${bytes(sent)} sent`,
      `${(((this.#endedAt ?? now) - (this.#startedAt ?? now)) / 1000).toFixed(1)}s`,
    ];
    const step = this.#current === undefined ? '' : (this.#steps.get(this.#current)?.name ?? '');
    const what = this.#state === 'running' ? (step.length > STEP_WIDTH ? `${step.slice(0, STEP_WIDTH - 1)}…` : step) : this.#state;
    return `${name}  ${what ? `${what}  ` : ''}${facts.join(' · ')}`;
  }

  /** A failed row expands to its error with the Dockerfile lines around it, as plain prints it. */
  detail(): string | undefined {
    if (!this.#failure) return undefined;
    return errorText(this.#failure, new Map([...this.#steps].map(([id, s]) => [id, s.name])));
  }

  get state(): 'waiting' | 'running' | NodeStatus {
    return this.#state;
  }
}
