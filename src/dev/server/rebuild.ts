/**
 * The monitor's `rebuild [TARGET…]`, run in the server (issue 12): the
 * session's own bake files read again with the environment of its last
 * `bake dev` and the build flags of the client that asks (as a client-side
 * rebuild had them), the targets built through orchestrate/, and only the
 * services whose image changed recreated. The build belongs to the session, not to
 * the client that asked: a client that leaves (or is killed) mid-build just
 * stops seeing the progress, and the build and the recreation go on. Only
 * the session's end cancels it.
 */
import { BakeFileError, type Diagnostic } from '../../core/diagnostics.js';
import { parseArgs } from 'node:util';
import { renderDiagnostic, renderError } from '../../core/error-text.js';
import { UserError } from '../../core/errors.js';
import { BuildFailedError } from '../../buildkit/build-result.js';
import { readDefinition } from '../../orchestrate/definition.js';
import { bringUpDev, planDev, type DevBuildSettings, type DevPlan } from '../../orchestrate/dev-bring-up.js';
import { lineView } from '../../orchestrate/progress/lines.js';
import { plainLines } from '../../orchestrate/progress/plain.js';
import type { ProgressView } from '../../orchestrate/progress/view.js';
import { servedService } from '../protocol/service-message.js';
import { SessionCommandError, type DevSession } from './session.js';

/** What a rebuild request asks: the targets (none: every target the session's services run) and the asking client's build flags. */
export interface RebuildRequest {
  readonly targets: readonly string[];
  /** `--set` values, the shorthand flags (--no-cache, --pull …) among them as the values they stand for. */
  readonly sets: readonly string[];
  readonly vars: ReadonlyMap<string, string>;
  readonly build: DevBuildSettings;
}

/**
 * Reads the words after `rebuild`: `[--set S]… [--var NAME=VALUE]…
 * [--builder B] [--max-parallelism N] [--keep-going] [--] [TARGET…]`. The
 * client puts its own build flags first; anything else is refused.
 */
export function parseRebuild(words: readonly string[]): RebuildRequest {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...words],
      allowPositionals: true,
      strict: true,
      options: {
        set: { type: 'string', multiple: true },
        var: { type: 'string', multiple: true },
        builder: { type: 'string' },
        'max-parallelism': { type: 'string' },
        'keep-going': { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new SessionCommandError(`rebuild takes target names (and the flags a client sends with them): ${(e as Error).message}`);
  }
  const { values, positionals } = parsed;
  const vars = new Map<string, string>();
  for (const v of values.var ?? []) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new SessionCommandError(`rebuild got --var ${v}, which is not NAME=VALUE`);
    vars.set(v.slice(0, eq), v.slice(eq + 1));
  }
  const parallelism = values['max-parallelism'] === undefined ? undefined : Number(values['max-parallelism']);
  if (parallelism !== undefined && !(Number.isInteger(parallelism) && parallelism >= 1))
    throw new SessionCommandError(`rebuild got --max-parallelism ${values['max-parallelism']}, which is not a whole number of 1 or more`);
  return {
    targets: positionals,
    sets: values.set ?? [],
    vars,
    build: { builder: values.builder, maxParallelism: parallelism, keepGoing: values['keep-going'] ?? false },
  };
}

/** Runs `request` for the session; `say` gets the progress and status, a line at a time. */
export async function rebuild(session: DevSession, request: RebuildRequest, say: (line: string) => void): Promise<void> {
  const sources = new Map<string, string>();
  const plan = await sessionPlan(session, request, sources, say);
  const write = lineWriter(say);
  let view: ProgressView | undefined;
  const result = await bringUpDev(
    {
      plan,
      cwd: session.projectDir,
      // Builds use the session's engine, as its containers do.
      env: { ...session.env, DOCKER_HOST: session.identity.engine },
      build: request.build,
      only: request.targets,
      running: new Map([...session.plans.values()].map((p) => [p.service.name, p.image ?? ''])),
    },
    {
      openSink: async (names) => {
        const opened = lineView(names, (_, out) => plainLines(out, false), write);
        view = opened;
        return { ...opened, warn: (m) => say(`warning: ${m}`) };
      },
      built: async (run) => {
        await view?.close();
        // The view told BuildKit's failures; anything else (an unreachable engine) is told here.
        for (const error of run.failed.values()) if (!(error instanceof BuildFailedError)) say(renderError(error, sources));
      },
      up: (plans) =>
        session.up(
          plans.map((p) => ({ service: servedService(p.service), projectDir: session.projectDir, ...(p.image ? { image: p.image } : {}) })),
          session.healthTimeoutMs,
          say,
        ),
    },
    session.ended,
  );
  if (result.outcome === 'interrupted') throw new UserError('interrupted', `the rebuild of session ${session.id} was cancelled: the session ended`);
  if (result.outcome === 'build')
    throw new UserError('build', 'the build failed (see above); the session keeps running the images it had', 'Fix what the build says, then rebuild.');
}

/** The session's services, planned from its bake files as they are now; a mistake in them is told with its code frame (`command`: what the user runs again once it is fixed). */
export async function sessionPlan(
  session: DevSession,
  request: RebuildRequest,
  sources: Map<string, string>,
  say: (line: string) => void,
  command = 'rebuild',
): Promise<DevPlan> {
  const world = { cwd: session.projectDir, env: session.env, warn: (d: Diagnostic) => say(renderDiagnostic(d, sources)) };
  try {
    const def = await readDefinition({ ...world, files: session.identity.files, vars: request.vars, sources, readStdin: () => '' });
    return planDev(def, { ...world, services: [...session.plans.keys()], sets: request.sets, checkInputs: true });
  } catch (e) {
    // Other errors carry their fix in their message, as the client shows any command's error.
    if (!(e instanceof BakeFileError)) throw e;
    say(renderError(e, sources));
    throw new UserError('run', `${command} stopped at the error above in session ${session.id}'s bake files`, `Fix the bake file, then ${command}.`);
  }
}

/** Text written in pieces, said a whole line at a time (a command's text output is lines). */
export function lineWriter(say: (line: string) => void): (text: string) => void {
  let partial = '';
  return (text) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    if (lines.length) say(lines.join('\n'));
  };
}
