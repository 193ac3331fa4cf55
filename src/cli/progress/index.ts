/**
 * Chooses the progress view for `--progress` / BUILDKIT_PROGRESS: auto is
 * tty on a terminal (stderr) and plain elsewhere (architecture habit 4).
 */
import { usageError } from '../../core/errors.js';
import { lineView, type Write } from '../../orchestrate/progress/lines.js';
import { plainLines } from '../../orchestrate/progress/plain.js';
import { errorText } from '../../orchestrate/progress/text.js';
import type { ProgressView } from '../../orchestrate/progress/view.js';
import { rawjsonLines } from './rawjson.js';

export type { ProgressView, Sent } from '../../orchestrate/progress/view.js';

export type ProgressMode = 'tty' | 'plain' | 'rawjson' | 'quiet';

/** The mode to draw with; checked before anything is dialled, so a typo fails at once. */
export function progressMode(mode: string, stderrIsTTY: boolean): ProgressMode {
  switch (mode) {
    case 'auto':
      return stderrIsTTY ? 'tty' : 'plain';
    case 'tty':
    case 'plain':
    case 'rawjson':
    case 'quiet':
      return mode;
    default:
      throw usageError(`invalid progress mode ${mode}`, 'Use --progress auto, tty, plain, rawjson or quiet.');
  }
}

/** `debug`: plain prints the session's counters for the Dockerfile dir too. */
export async function openProgress(mode: ProgressMode, targets: readonly string[], debug: boolean): Promise<ProgressView> {
  switch (mode) {
    case 'tty':
      // listr2 and its dependencies load only for a live view.
      return (await import('./tty.js')).ttyView(targets);
    case 'plain':
      return lineView(targets, (_, write) => plainLines(write, debug), stderr);
    case 'rawjson':
      return lineView(targets, rawjsonLines, stderr);
    case 'quiet':
      return lineView(targets, (_, write) => ({ sink: () => {}, sent: () => {}, failed: (e) => write(errorText(e)) }), stderr);
  }
}

const stderr: Write = (s) => void process.stderr.write(s);
