/**
 * The one exit point: runs a command and maps how it ended, or the kind of
 * the error it threw, to an exit code through core/errors.ts's table.
 * Users see sentences with file:line:col and a fix; stack traces only with --debug.
 */
import type { Diagnostic } from '../core/diagnostics.js';
import { renderDiagnostic, renderError } from '../core/error-text.js';
import { exitCodeOf, UserError, type Outcome } from '../core/errors.js';
import { parseBakeArgs, parseEngineArgs, parseServerArgs, type BakeArgs } from './args.js';
import type { CommandName } from './commands.js';
import type { CliEnvironment } from './definition.js';
import { VERSION } from './version.js';

export async function main(argv: readonly string[]): Promise<number> {
  const sources = new Map<string, string>();
  // Asked only when something is written there: making process.stderr took ~3–5 ms of every `bake --print`.
  const color = (): boolean => !process.env['NO_COLOR'] && process.stderr.isTTY === true;
  const warn = (d: Diagnostic): void => void process.stderr.write(`${renderDiagnostic(d, sources, color())}\n`);
  const debug = argv.includes('--debug');
  try {
    return exitCodeOf(await command(argv, warn, sources));
  } catch (e) {
    process.stderr.write(`${renderError(e, sources, color())}\n`);
    if (debug) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    else if (!(e instanceof UserError)) process.stderr.write('This is a bug in bake; run again with --debug for the stack trace and report it.\n');
    return exitCodeOf(e instanceof UserError ? e.kind : 'bug');
  }
}

/** Runs the command argv names: resolves with how it ended, throws what it could not report itself. */
async function command(argv: readonly string[], warn: (d: Diagnostic) => void, sources: Map<string, string>): Promise<Outcome> {
  if (argv[0] === 'engine') {
    const request = parseEngineArgs(argv.slice(1));
    if (request.action === 'help') return printHelp(request.topic);
    return (await import('./engine.js')).engineCommand(request, process.env);
  }
  const cli: CliEnvironment = { cwd: process.cwd(), env: process.env, warn, sources };
  if (argv[0] === 'server') {
    // `bake server run` is how a client starts the server (detached); users see status and stop.
    const request = argv[1] === 'run' && argv.length === 2 ? ({ action: 'run', format: 'table' } as const) : parseServerArgs(argv.slice(1));
    if (request.action === 'help') return printHelp(request.topic);
    return (await import('./dev-look.js')).serverCommand(request, cli);
  }
  return run(parseBakeArgs(argv), cli);
}

async function run(args: BakeArgs, cli: CliEnvironment): Promise<Outcome> {
  switch (args.command) {
    case 'help':
      return printHelp(args.helpTopic);
    case 'version':
      process.stdout.write(`bake ${VERSION}\n`);
      return 'ok';
    case 'dev':
      return (await import('./dev.js')).dev(args, cli);
    case 'bake':
      if (args.list) return (await import('./list.js')).list(args, args.list, cli);
      if (args.print) return (await import('./print.js')).print(args, cli);
      if (args.buildDebug) return (await import('./debug-build.js')).debugBuild(args, args.buildDebug, cli);
      return (await import('./build.js')).build(args, cli);
  }
}

async function printHelp(topic: CommandName): Promise<Outcome> {
  process.stdout.write((await import('./help.js')).helpText(topic));
  return 'ok';
}
