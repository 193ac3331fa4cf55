/**
 * `bake --break FILE:LINE` (issue 13, point 6): a build stopped before a
 * Dockerfile step, with a shell in the state that step would start from.
 * The frontend builds the file cut before that step, whose stage is then the
 * last one: the state it gives is the step's input. The cut keeps every line
 * before it in its place, so errors point at the user's lines.
 */
import { escapeChar, splitInstructions } from './instructions.js';

/** A Dockerfile cut before the step at a line. */
export interface DockerfileCut {
  /** The text to build: every line before the step. */
  readonly text: string;
  /** The step's first line (1-based), where LINE may have been a continuation of it. */
  readonly line: number;
  /** The step as written on its first line, for the user: `RUN make`. */
  readonly step: string;
}

/** Cuts `text` before the step at `line` (1-based); an Error says why a line has no step to stop before. */
export function cutBefore(text: string, line: number): DockerfileCut | Error {
  const lines = text.split('\n');
  if (!Number.isInteger(line) || line < 1 || line > lines.length) return new Error(`it has ${lines.length} lines, and no line ${line}`);
  const at = line - 1;
  const instructions = splitInstructions(lines, escapeChar(lines));
  const step = instructions.find((ins) => ins.start <= at && at <= ins.end);
  if (!step) return new Error(`line ${line} is a comment or blank, not a step: break on the line of a RUN, COPY or other step`);
  const first = instructions.findIndex((ins) => ins.keyword === 'FROM');
  if (step.keyword === 'FROM' || first < 0 || instructions.indexOf(step) < first)
    return new Error(
      `line ${line} is ${step.keyword} ${step.keyword === 'FROM' ? 'which starts a stage' : 'before the first stage'}: break on a step of a stage (the line after its FROM, for its base image)`,
    );
  return { text: `${lines.slice(0, step.start).join('\n')}\n`, line: step.start + 1, step: (lines[step.start] ?? '').trim() };
}
