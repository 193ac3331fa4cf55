/**
 * The table printed after a run (product.md §3): every target with its
 * result, how long it ran and its image. Plain text with space-aligned
 * columns, so it reads the same in a terminal, a CI log and a test.
 */
import type { GraphRun, NodeRun, NodeStatus } from './scheduler.js';

const HEADER = ['TARGET', 'RESULT', 'DURATION', 'IMAGE'] as const;
const GAP = '   ';
/** The RESULT column is as wide as its longest possible value, whatever this run holds. */
const RESULT_WIDTH = Math.max(...(['built', 'cached', 'failed', 'cancelled'] satisfies NodeStatus[]).map((s) => s.length));
const NONE = '-';

/**
 * One line per node in the run's order. `imageIds` holds the image id of
 * each target that produced one (a cacheonly or local output has none).
 */
export function formatSummary(run: GraphRun<unknown>, imageIds: ReadonlyMap<string, string>): string {
  const rows = [...run.runs].map(([name, r]) => [name, r.status, duration(r), imageOf(r, imageIds.get(name))] as const);
  // Names are ASCII (evaluate.ts's VALID_NAME), so length is width.
  const nameWidth = Math.max(HEADER[0].length, ...rows.map(([name]) => name.length));
  const durationWidth = Math.max(HEADER[2].length, ...rows.map(([, , d]) => d.length));
  return [HEADER, ...rows]
    .map(([name, result, took, image]) => [name.padEnd(nameWidth), result.padEnd(RESULT_WIDTH), took.padStart(durationWidth), image].join(GAP))
    .map((line) => `${line}\n`)
    .join('');
}

/** `sha256:` and the first 12 hex digits, as `docker images` shows ids. */
function shortImageId(id: string): string {
  return id.startsWith('sha256:') ? id.slice(0, 'sha256:'.length + 12) : id;
}

function duration(r: NodeRun<unknown>): string {
  return r.timing ? `${((r.timing.endedAt - r.timing.startedAt) / 1000).toFixed(1)}s` : NONE;
}

function imageOf(r: NodeRun<unknown>, id: string | undefined): string {
  return (r.status === 'built' || r.status === 'cached') && id !== undefined ? shortImageId(id) : NONE;
}
