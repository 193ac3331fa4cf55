/**
 * From the command line to the pure pipeline (bakefile/pipeline.ts): reads
 * the files (orchestrate/definition.ts) with this process's environment,
 * stdin and --var, and turns flags into the pipeline's requests. Shared by
 * --print, --list, dev --print, builds and dev sessions.
 */
import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../core/diagnostics.js';
import { canonicalAttest } from '../bakefile/entries.js';
import { hostFiles } from '../bakefile/load.js';
import { resolveOptionsFor, type OverrideRequest, type PrintRequest } from '../bakefile/pipeline.js';
import type { ResolveOptions } from '../bakefile/resolve.js';
import { readDefinition, type Definition } from '../orchestrate/definition.js';
import { parseVars, type BakeArgs } from './args.js';

export type { Definition } from '../orchestrate/definition.js';

export interface CliEnvironment {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly warn: (d: Diagnostic) => void;
  /** Filled as files are read, so errors can show code frames. */
  readonly sources: Map<string, string>;
}

export function loadDefinition(args: BakeArgs, cli: CliEnvironment): Promise<Definition> {
  return readDefinition({
    files: args.files,
    cwd: cli.cwd,
    env: cli.env,
    vars: parseVars(args.vars),
    warn: cli.warn,
    sources: cli.sources,
    readStdin: () => readFileSync(0, 'utf8'),
  });
}

/** The --set overrides, including those the shorthand flags stand for (as buildx appends them). */
export function overrideFlags(args: BakeArgs): string[] {
  const sets = [...args.sets];
  if (args.push) sets.push('*.push=true');
  if (args.load) sets.push('*.load=true');
  if (args.noCache !== undefined) sets.push(`*.no-cache=${args.noCache}`);
  if (args.pull !== undefined) sets.push(`*.pull=${args.pull}`);
  if (args.sbom !== undefined) sets.push(`*.attest=${canonicalAttest('sbom', args.sbom)}`);
  if (args.provenance !== undefined) sets.push(`*.attest=${canonicalAttest('provenance', args.provenance)}`);
  return sets;
}

/** The --set overrides (with the shorthand flags) and the environment they read. */
function overrideRequest(args: BakeArgs, cli: CliEnvironment): OverrideRequest {
  return { sets: overrideFlags(args), env: (name) => cli.env[name], warn: cli.warn, files: hostFiles(cli.cwd) };
}

/** What `bake --print` and `bake dev --print` ask of the pipeline. */
export function printRequest(args: BakeArgs, cli: CliEnvironment): PrintRequest {
  return { ...overrideRequest(args, cli), names: args.names, dev: args.command === 'dev' };
}

/** Everything target resolution needs besides the names, as --print resolves it: builds and dev sessions use it. */
export function resolveOptions(def: Definition, args: BakeArgs, cli: CliEnvironment): Omit<ResolveOptions, 'names'> {
  return resolveOptionsFor(def.evaluated, overrideRequest(args, cli));
}
