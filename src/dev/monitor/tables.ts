/**
 * The tables bake prints for people: the monitor's `ps` and `sessions`,
 * `bake dev ls`, and the status commands' key-value lines, aligned with
 * spaces as docker prints its lists.
 */
import { DOCKER_TABLE, tabwrite } from '../../golang/tabwriter.js';

/** One process, as `ps` shows it. */
export interface ProcessRow {
  readonly id: string;
  readonly service: string;
  readonly command: readonly string[];
  readonly state: 'running' | 'exited' | 'lost';
  /** Set once the process has exited. */
  readonly exitCode?: number;
  /** Milliseconds since the epoch. */
  readonly startedAt: number;
  /** Who has the process on their terminal (`pid 1234`); unset when nobody does. */
  readonly attachedBy?: string;
}

/** One session, as `bake dev ls` shows it (its `--format json` prints these). */
export interface SessionRow {
  readonly id: string;
  /** The bake files' absolute paths. */
  readonly files: readonly string[];
  /** The engine address the session runs on. */
  readonly engine: string;
  readonly services: readonly { readonly name: string; readonly state: string; readonly container?: string }[];
  /** "dev", or "debug" for a build-debugging session (bake --invoke, --on-error). */
  readonly kind: string;
  readonly processes: readonly {
    readonly id: string;
    readonly service: string;
    readonly command: readonly string[];
    readonly state: string;
    /** Who has the process on their terminal; unset when nobody does. */
    readonly attachedBy?: string;
  }[];
  /** Terminals on the session now. */
  readonly clients: number;
}

/** Commands longer than this are cut with an ellipsis, so the columns after them stay on screen. */
const COMMAND_WIDTH = 40;

/** The `ps` table; `now` (milliseconds since the epoch) gives the uptimes. */
export function formatProcessTable(rows: readonly ProcessRow[], now: number): string {
  return tabwrite(
    [
      ['ID', 'SERVICE', 'COMMAND', 'STATE', 'UPTIME', 'ATTACHED'],
      ...rows.map((r) => [
        r.id,
        r.service,
        truncate(formatCommand(r.command), COMMAND_WIDTH),
        r.state === 'exited' && r.exitCode !== undefined ? `exited (${r.exitCode})` : r.state,
        r.state === 'running' ? formatUptime(now - r.startedAt) : '-',
        r.attachedBy ?? '-',
      ]),
    ],
    DOCKER_TABLE,
  );
}

/** The `bake dev ls` table; the monitor's `sessions` marks its own session (`current`) with `*`, as `docker context ls` does. */
export function formatSessionTable(rows: readonly SessionRow[], current?: string): string {
  return tabwrite(
    [
      ['SESSION', 'FILES', 'ENGINE', 'SERVICES', 'PROCESSES', 'CLIENTS'],
      ...rows.map((r) => [
        r.id === current ? `${r.id} *` : r.id,
        r.files.join(',') || '-',
        r.engine,
        // A debug session runs no services: its shells' targets say what it debugs.
        r.kind === 'debug'
          ? `debugging ${[...new Set(r.processes.map((p) => p.service))].join(', ') || '-'}`
          : r.services.map((s) => `${s.name} (${s.state})`).join(', ') || '-',
        countProcesses(r.processes),
        String(r.clients),
      ]),
    ],
    DOCKER_TABLE,
  );
}

/** `key:  value` lines, the values lined up (`bake server status`, `bake engine status`). */
export function formatKeyValues(rows: readonly (readonly [string, string])[]): string {
  return tabwrite(
    rows.map(([key, value]) => [`${key}:`, value]),
    { ...DOCKER_TABLE, minWidth: 0, padding: 1 },
  );
}

/** `3`, or `3 (1 exited)` when some are not running. */
function countProcesses(processes: SessionRow['processes']): string {
  const stopped = new Map<string, number>();
  for (const p of processes) if (p.state !== 'running') stopped.set(p.state, (stopped.get(p.state) ?? 0) + 1);
  const detail = [...stopped].map(([state, n]) => `${n} ${state}`).join(', ');
  return detail ? `${processes.length} (${detail})` : String(processes.length);
}

/** A duration in the two largest units, as `ps` shows uptimes: `5s`, `3m12s`, `2h5m`, `3d4h`. */
export function formatUptime(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const [d, h, m, s] = [Math.floor(seconds / 86400), Math.floor(seconds / 3600) % 24, Math.floor(seconds / 60) % 60, seconds % 60];
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** A command line as a user would type it: words with spaces or quotes are quoted. */
export function formatCommand(command: readonly string[]): string {
  return command.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`)).join(' ');
}

function truncate(text: string, width: number): string {
  const chars = [...text];
  return chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : text;
}
