/**
 * The line-based views (plain, rawjson, quiet): each target writes its own
 * lines, prefixed `[target] ` when the run has several, as buildx's plain
 * output does. Failures are printed when the run is over, as buildx does.
 * They write through `output`: stderr in the CLI, a monitor's command output in the dev server.
 */
import type { ErrorEvent, ProgressSink } from '../../core/progress.js';
import type { ProgressView, Sent } from './view.js';

/** One target's lines: all a line-based mode defines. */
export interface TargetLines {
  readonly sink: ProgressSink;
  sent(sent: Sent): void;
  failed(event: ErrorEvent): void;
}

export type Write = (s: string) => void;

export function lineView(targets: readonly string[], lines: (target: string, write: Write) => TargetLines, output: Write): ProgressView {
  const many = targets.length > 1;
  const byTarget = new Map(
    targets.map((name) => {
      const prefix = many ? `[${name}] ` : '';
      const write: Write = (s) => output(prefix ? s.replace(/^(?=.)/gm, prefix) : s);
      return [name, lines(name, write)];
    }),
  );
  const of = (target: string): TargetLines => byTarget.get(target) as TargetLines;
  const failures: ErrorEvent[] = [];
  return {
    event: (e) => of(e.target).sink(e),
    started: () => {},
    sent: (target, sent) => of(target).sent(sent),
    settled: (_target, _status, failure) => {
      if (failure) failures.push(failure);
    },
    close: async () => {
      for (const f of failures) of(f.target).failed(f);
    },
  };
}
