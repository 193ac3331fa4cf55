/**
 * From the command line to the pure pipeline (bakefile/pipeline.ts): reads
 * the files, supplies the world (environment, clock, home, platform), and
 * turns flags into the pipeline's requests. Shared by --print, --list,
 * dev --print, builds and dev sessions.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import type { Diagnostic } from '../core/diagnostics.js';
import { canonicalAttest } from '../bakefile/entries.js';
import type { EvaluatedFiles } from '../bakefile/evaluate.js';
import { hostFiles, loadBakeFiles } from '../bakefile/load.js';
import { evaluateSources, resolveOptionsFor, type OverrideRequest, type PrintRequest } from '../bakefile/pipeline.js';
import type { ResolveOptions } from '../bakefile/resolve.js';
import { parseVars, type BakeArgs } from './args.js';

export interface Definition {
  readonly evaluated: EvaluatedFiles;
  /** Absolute bake file paths: the project's identity. */
  readonly paths: readonly string[];
}

export interface CliEnvironment {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly warn: (d: Diagnostic) => void;
  /** Filled as files are read, so errors can show code frames. */
  readonly sources: Map<string, string>;
}

export async function loadDefinition(args: BakeArgs, cli: CliEnvironment): Promise<Definition> {
  const loaded = loadBakeFiles(args.files, cli.cwd, () => readFileSync(0, 'utf8'));
  for (const s of loaded.sources) cli.sources.set(s.filename, s.text);
  if (loaded.dotenv) cli.sources.set(loaded.dotenv.path, loaded.dotenv.text);
  const evaluated = await evaluateSources({
    sources: loaded.sources,
    dotenv: loaded.dotenv,
    env: (name) => cli.env[name],
    vars: parseVars(args.vars),
    localPlatform: localPlatform(),
    world: { now: () => new Date(), homedir },
    warn: cli.warn,
    files: hostFiles(cli.cwd),
  });
  return { evaluated, paths: loaded.paths };
}

/** The --set overrides, including those the shorthand flags stand for (as buildx appends them). */
function overrideFlags(args: BakeArgs): string[] {
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

/** The platform this machine builds for by default, as BuildKit spells it (linux/amd64). */
function localPlatform(): string {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm/v7', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64' };
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  return `${os}/${arch[process.arch] ?? process.arch}`;
}
