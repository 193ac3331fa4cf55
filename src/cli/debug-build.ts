/**
 * `bake --invoke[=CMD] [TARGET]` and `bake --on-error [TARGET…]` (issue 13):
 * the bake files are read and checked here (mistakes shown with their code
 * frames before any server starts); the build runs in the per-user server,
 * which holds it open in a debug session, and this terminal attaches to the
 * shell it opens, with the same monitor as `bake dev`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { usageError, UserError, type Outcome } from '../core/errors.js';
import { resolveTargets } from '../bakefile/resolve.js';
import type { Target } from '../bakefile/model.js';
import { cutBefore } from '../dockerfile/break-point.js';
import { buildSpec } from '../orchestrate/build-spec.js';
import type { BakeArgs, BuildDebugArgs, DockerfileBreak } from './args.js';
import { loadDefinition, resolveOptions, type CliEnvironment } from './definition.js';
import { clientEngine } from './client-engine.js';
import { connect, keysUntilAttached, openTerminal, rebuildFlags } from './dev-session.js';

export async function debugBuild(args: BakeArgs, debug: BuildDebugArgs, cli: CliEnvironment): Promise<Outcome> {
  const def = await loadDefinition(args, cli);
  const resolved = resolveTargets(def.evaluated, { ...resolveOptions(def, args, cli), names: args.names });
  const invoked = debug.invoke ? invokedTarget(args, [...resolved.targets.keys()]) : undefined;
  const projectDir = dirname(def.paths[0] ?? cli.cwd);
  const breaks = debug.breaks.map((b) => checkBreak(b, cli.cwd, projectDir, [...resolved.targets.values()]));
  const command = `bake ${debug.invoke ? '--invoke' : debug.onError ? '--on-error' : '--break'}`;
  if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) throw usageError(`${command} needs a terminal for its shell`, 'Run it in a terminal.');
  const keys = keysUntilAttached();
  const client = await connect(cli).catch((e: unknown) => {
    keys.stop();
    throw e;
  });
  try {
    const answer = await client.debug(
      {
        files: [...def.paths],
        project_dir: projectDir,
        engine: clientEngine(cli).endpoint.address,
        env: Object.fromEntries(Object.entries(cli.env).filter((e): e is [string, string] => e[1] !== undefined)),
        targets: [...args.names],
        build_flags: rebuildFlags(args),
        on_error: debug.onError,
        invoke_target: invoked ?? '',
        invoke_command: debug.invoke?.command ? { words: [...debug.invoke.command] } : undefined,
        size: { columns: process.stdout.columns || 80, rows: process.stdout.rows || 24 },
        breaks: breaks.map((b) => `${b.path}:${b.line}`),
      },
      (line) => void process.stderr.write(`${line.replaceAll('\n', '\r\n')}\r\n`),
      keys.interrupt.signal,
    );
    keys.stop();
    if (answer.$case === 'built') {
      process.stderr.write(`bake: ${answer.value}.\n`);
      return 'ok';
    }
    if (!answer.value.session) throw new UserError('run', 'the bake server opened a shell in no session');
    await openTerminal(client, answer.value.session, args, cli, {
      typeahead: keys.typeahead,
      command,
      hint: true,
    });
    return 'ok';
  } catch (e) {
    if (!keys.interrupt.signal.aborted) throw e;
    process.stderr.write('bake: interrupted; a debug session that had started keeps running in the server (bake dev ls lists it, bake dev stop ends it).\n');
    return 'interrupted';
  } finally {
    keys.stop();
    process.stdin.setRawMode(false);
    process.stdin.pause();
    client.close();
  }
}

/** The one target `--invoke` runs in: the one named, or the only one the default group builds. */
function invokedTarget(args: BakeArgs, targets: readonly string[]): string {
  const named = args.names[0];
  if (named !== undefined && targets.includes(named)) return named;
  if (targets.length === 1) return targets[0] as string;
  throw usageError(
    `--invoke runs a process in one target's result, but ${named === undefined ? 'the default group' : `group ${named}`} builds ${targets.join(', ')}`,
    `Name one of them: bake --invoke ${targets[0] ?? 'TARGET'}.`,
  );
}

/**
 * A `--break` checked before any server starts: its file is the Dockerfile
 * of a target the run builds, and its line a step to stop before.
 */
function checkBreak(b: DockerfileBreak, cwd: string, projectDir: string, targets: readonly Target[]): { path: string; line: number } {
  const path = resolve(cwd, b.file);
  const spelled = `--break ${b.file}:${b.line}`;
  const used = targets.map((t) => buildSpec(t, projectDir, undefined).dockerfile).flatMap((d) => (d.kind === 'file' ? [d.path] : []));
  if (!used.includes(path))
    throw usageError(
      `${spelled}: no target of this run builds from ${path}`,
      used.length
        ? `Break in one of their Dockerfiles: ${[...new Set(used)].join(', ')}.`
        : 'The targets of this run have inline Dockerfiles only: a break needs a Dockerfile file.',
    );
  const cut = cutBefore(readFileSync(path, 'utf8'), b.line);
  if (cut instanceof Error) throw usageError(`${spelled}: ${cut.message}`, `Pick the line of a step of ${b.file} (RUN, COPY, WORKDIR, ...).`);
  // A continuation line stands for its step: the server and the user see the step's first line.
  return { path, line: cut.line };
}
