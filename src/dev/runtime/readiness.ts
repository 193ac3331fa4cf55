/**
 * When a started service counts as up for the services that depend on it:
 * running, and healthy when it has a health check (compose's
 * `service_healthy`). A service that exits, or whose check does not pass in
 * time, fails with what it last said.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DockerEngine } from '../../docker/engine-api.js';
import { collectOutput } from '../../docker/stdcopy.js';
import type { ContainerHealth } from '../../docker/types.js';
import { DevRuntimeError } from './errors.js';

/** How often the container's state is read while waiting. */
const POLL_MS = 100;
/** Output lines quoted when a service exits. */
const QUOTED_LINES = 3;
const QUOTED_CHARS = 300;

export interface ReadinessOptions {
  /** How long a health check may take to pass (--wait-timeout). */
  readonly timeoutMs: number;
  readonly status: (message: string) => void;
}

/** Resolves once `containerId` runs and, if it has a health check, is healthy. */
export async function waitUntilUp(engine: DockerEngine, service: string, containerId: string, options: ReadinessOptions, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let waiting = false;
  for (;;) {
    const { State: state } = await engine.containers.inspect(containerId, signal);
    if (!state.Running) throw await exitedError(engine, service, containerId, state.ExitCode, signal);
    const health = state.Health;
    if (health === undefined || health.Status === 'none') return;
    if (health.Status === 'healthy') {
      options.status('healthy');
      return;
    }
    if (!waiting) options.status('waiting for health check');
    waiting = true;
    if (Date.now() >= deadline) throw unhealthyError(service, health, options.timeoutMs);
    await sleep(POLL_MS, undefined, { signal });
  }
}

function unhealthyError(service: string, health: ContainerHealth, timeoutMs: number): DevRuntimeError {
  const last = health.Log?.at(-1);
  const said =
    last === undefined ? 'its health check has not run yet' : `its health check last said: ${quote(last.Output) || `(no output, exit code ${last.ExitCode})`}`;
  const wait = formatMs(timeoutMs);
  return new DevRuntimeError(
    `service "${service}" did not become healthy within ${wait}; ${said}`,
    `Check the service's healthcheck, or raise --wait-timeout (now ${wait}).`,
  );
}

async function exitedError(engine: DockerEngine, service: string, containerId: string, exitCode: number, signal: AbortSignal): Promise<DevRuntimeError> {
  const output = await collectOutput(engine.containers.logs(containerId, { tty: true, tail: 20 }, signal));
  const lines = plainText(output.stdout + output.stderr)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const said = lines.length ? `; its last output: ${quote(lines.slice(-QUOTED_LINES).join(' | '))}` : ' without output';
  return new DevRuntimeError(
    `service "${service}" exited with code ${exitCode} before it was up${said}`,
    'Fix its command or configuration so it keeps running; the services that depend on it wait for it.',
  );
}

/** Terminal output without escape sequences and carriage returns. */
function plainText(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\r/g, '');
}

/** One line, bounded, in quotes: output read back to the user inside a sentence. */
function quote(text: string): string {
  const line = plainText(text)
    .trim()
    .replace(/\s*\n\s*/g, ' | ');
  if (line === '') return '';
  return JSON.stringify(line.length > QUOTED_CHARS ? `${line.slice(0, QUOTED_CHARS)}…` : line);
}

/** 60000 → "60s", 1500 → "1.5s", 500 → "500ms": as --wait-timeout takes them. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${ms / 1000}s`;
}
