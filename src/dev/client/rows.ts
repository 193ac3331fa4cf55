/** The server's process and session messages as the monitor's tables (monitor/tables.ts) and `bake dev ls` show them. */
import type { ProcessInfo, SessionInfo } from '../protocol/generated/messages.js';
import type { ProcessRow, SessionRow } from '../monitor/tables.js';

/** A process as the terminal names it: `3 (sh -c make)`. */
export function describeProcess(p: ProcessInfo): string {
  return `${p.id} (${p.command.join(' ')})`;
}

export function processRow(p: ProcessInfo): ProcessRow {
  return {
    id: p.id,
    service: p.service,
    command: p.command,
    state: p.state as 'running' | 'exited' | 'lost',
    ...(p.exited ? { exitCode: p.exit_code } : {}),
    startedAt: p.started_at_ms,
    ...(p.attached_by ? { attachedBy: p.attached_by } : {}),
  };
}

export function sessionRow(s: SessionInfo): SessionRow {
  return {
    id: s.id,
    files: s.files,
    engine: s.engine,
    services: s.services.map((x) => ({ name: x.name, state: x.state, ...(x.container ? { container: x.container } : {}) })),
    kind: s.kind || 'dev',
    processes: s.processes.map((p) => ({
      id: p.id,
      service: p.service,
      command: p.command,
      state: p.state,
      ...(p.attached_by ? { attachedBy: p.attached_by } : {}),
    })),
    clients: s.clients,
  };
}
