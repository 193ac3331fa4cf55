/**
 * `bake engine status|start|stop`: the embedded default engine (product §5).
 * args.ts parses the words (parseEngineArgs), so --help loads none of this.
 */
import type { Outcome } from '../core/errors.js';
import { formatKeyValues } from '../dev/monitor/tables.js';
import { engineStatus, startEngine, stopEngine, type EngineStatus } from '../docker/engine-manager.js';
import type { EngineRequest } from './args.js';

export async function engineCommand(request: Exclude<EngineRequest, { action: 'help' }>, env: NodeJS.ProcessEnv): Promise<Outcome> {
  const signal = interruptSignal();
  try {
    switch (request.action) {
      case 'status': {
        const status = await engineStatus(env, signal);
        process.stdout.write(request.format === 'json' ? `${JSON.stringify(status, null, 2)}\n` : renderStatus(status));
        // An engine that does not answer fails the status as it fails every command that needs it; the table's fix row says what to do.
        return status.answers ? 'ok' : 'engine';
      }
      case 'start':
        process.stderr.write(`${(await startEngine(env, {}, signal)).message}\n`);
        return 'ok';
      case 'stop':
        process.stderr.write((await stopEngine(env, signal)) ? 'The embedded engine stopped.\n' : 'The embedded engine was not running.\n');
        return 'ok';
    }
  } catch (e) {
    // Whatever failed once Ctrl-C was pressed failed because of it.
    if (signal.aborted) return 'interrupted';
    throw e;
  }
}

/** Aborts on Ctrl-C, so a start that waits for the engine ends at once. */
function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort(new Error('interrupted')));
  return controller.signal;
}

function renderStatus(s: EngineStatus): string {
  const rows: [string, string][] = [
    ['engine', `${s.source === 'none' ? 'none' : s.source} (${s.address})`],
    ['why', s.reason],
    ['answers', s.answers ? `yes, Docker ${s.version} (API ${s.apiVersion})` : 'no'],
    ['embedded', `${s.embedded.running ? `running (pid ${s.embedded.pid})` : 'not running'}, state in ${s.embedded.stateDir}`],
  ];
  if (!s.answers) rows.push(['fix', 'Start one with `bake engine start`, or point DOCKER_HOST at a running engine.']);
  return formatKeyValues(rows);
}
