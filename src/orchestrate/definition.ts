/**
 * A project's bake files read and evaluated, the world supplied by the
 * caller: the CLI from its flags and process, the dev server from what a
 * session keeps (its files, directory and client environment), so a
 * `rebuild` in the server reads the files as `bake dev` did.
 */
import { homedir } from 'node:os';
import type { Diagnostic } from '../core/diagnostics.js';
import type { EvaluatedFiles } from '../bakefile/evaluate.js';
import { hostFiles, loadBakeFiles } from '../bakefile/load.js';
import { evaluateSources } from '../bakefile/pipeline.js';

export interface Definition {
  readonly evaluated: EvaluatedFiles;
  /** Absolute bake file paths: the project's identity. */
  readonly paths: readonly string[];
}

export interface DefinitionRequest {
  /** The bake files as given (-f); none: the default names in `cwd`. */
  readonly files: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** --var values by name. */
  readonly vars: ReadonlyMap<string, string>;
  readonly warn: (d: Diagnostic) => void;
  /** Filled as files are read, so errors can show code frames. */
  readonly sources: Map<string, string>;
  /** `-f -`: the bake file on stdin. */
  readonly readStdin: () => string;
}

export async function readDefinition(request: DefinitionRequest): Promise<Definition> {
  const { cwd, env } = request;
  const loaded = loadBakeFiles(request.files, cwd, request.readStdin);
  for (const s of loaded.sources) request.sources.set(s.filename, s.text);
  if (loaded.dotenv) request.sources.set(loaded.dotenv.path, loaded.dotenv.text);
  const evaluated = await evaluateSources({
    sources: loaded.sources,
    dotenv: loaded.dotenv,
    env: (name) => env[name],
    vars: request.vars,
    localPlatform: localPlatform(),
    world: { now: () => new Date(), homedir },
    warn: request.warn,
    files: hostFiles(cwd),
  });
  return { evaluated, paths: loaded.paths };
}

/** The platform this machine builds for by default, as BuildKit spells it (linux/amd64). */
function localPlatform(): string {
  const arch: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm/v7',
    ia32: '386',
    ppc64: 'ppc64le',
    s390x: 's390x',
    riscv64: 'riscv64',
    loong64: 'loong64',
  };
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  return `${os}/${arch[process.arch] ?? process.arch}`;
}
