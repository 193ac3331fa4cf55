/**
 * `--progress tty`: a live listr2 view, one task per target whose title is
 * its TargetRow, redrawn from the events; a failed task expands to its error.
 * listr2 loads only here (architecture habit 8), and its colours follow
 * NO_COLOR (colorette). The scheduler, not listr2, owns the run: each task
 * just waits for its target to settle.
 */
import { Listr, ListrLogger, ProcessOutput, type DefaultRenderer, type ListrDefaultRendererLogLevels, type ListrTaskWrapper } from 'listr2';
import type { NodeStatus } from '../../graph/scheduler.js';
import { TargetRow } from './rows.js';
import type { ProgressView } from '../../orchestrate/progress/view.js';

type Task = ListrTaskWrapper<unknown, typeof DefaultRenderer, typeof DefaultRenderer>;

/** How often running rows' titles (the elapsed time above all) are recomputed. */
const REFRESH_MS = 100;

export function ttyView(targets: readonly string[], now: () => number = Date.now): ProgressView {
  const width = Math.max(...targets.map((t) => t.length));
  const rows = new Map(targets.map((t) => [t, new TargetRow(t)]));
  const row = (target: string): TargetRow => rows.get(target) as TargetRow;
  const settle = new Map<string, (status: NodeStatus) => void>();
  const outcomes = new Map(targets.map((t) => [t, new Promise<NodeStatus>((resolve) => settle.set(t, resolve))]));
  const tasks = new Map<string, Task>();
  const list = new Listr(
    targets.map((target) => ({
      title: row(target).title(width, now()),
      task: async (_: unknown, task: Task) => {
        tasks.set(target, task);
        const status = await (outcomes.get(target) as Promise<NodeStatus>);
        tasks.delete(target);
        task.title = row(target).title(width, now());
        if (status === 'cancelled') task.skip(task.title);
        // The title stays the row; the error (with the Dockerfile lines) is printed under it.
        if (status === 'failed') throw new Error(row(target).detail() ?? task.title);
      },
    })),
    {
      concurrent: true,
      exitOnError: false,
      // Ctrl-C is bake's: it cancels the solves and prints the summary (exit 130).
      registerSignalListeners: false,
      // Progress goes to stderr, whatever stdout is: the TTY check was made on stderr.
      renderer: 'default',
      fallbackRenderer: 'default',
      rendererOptions: {
        collapseErrors: false,
        logger: new ListrLogger<ListrDefaultRendererLogLevels>({ processOutput: new ProcessOutput(process.stderr, process.stderr) }),
      },
    },
  );
  const running = list.run().catch(() => undefined);
  const refresh = setInterval(() => {
    for (const [target, task] of tasks) {
      const title = row(target).title(width, now());
      if (task.title !== title) task.title = title;
    }
  }, REFRESH_MS);
  return {
    event: (e) => row(e.target).event(e),
    started: (target) => row(target).started(now()),
    sent: (target, sent) => row(target).sent(sent.context.bytes),
    settled: (target, status, failure) => {
      row(target).settled(status, now(), failure);
      settle.get(target)?.(status);
    },
    close: async () => {
      // A target the run never settled (the run threw) ends as cancelled, so listr2 ends and gives the terminal back.
      for (const [target, resolve] of settle) if (row(target).state === 'waiting' || row(target).state === 'running') resolve('cancelled');
      await running;
      clearInterval(refresh);
    },
  };
}
