/**
 * The pure path from file contents to evaluated definitions: parse every
 * source by format, read compose files into the base config, and evaluate
 * the rest over it. The CLI supplies the world (env, clock, home); tests and
 * the fuzzer call this directly.
 */
import type { Diagnostic } from '../core/diagnostics.js';
import { evaluateFiles, type EvaluatedFiles } from './evaluate.js';
import type { FunctionWorld } from './expr/function.js';
import { parseSources, type SourceFile } from './read.js';

export interface PipelineInput {
  readonly sources: readonly SourceFile[];
  /** The process environment (for variables, compose interpolation and args without values). */
  readonly env: (name: string) => string | undefined;
  /** `--var` values; they win over the environment. */
  readonly vars?: ReadonlyMap<string, string>;
  /** buildx's BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP: variables ignore the environment. */
  readonly disableEnvLookup?: boolean;
  readonly dotenv?: ReadonlyMap<string, string>;
  readonly localPlatform: string;
  readonly world: FunctionWorld;
  readonly warn: (d: Diagnostic) => void;
}

export async function evaluateSources(input: PipelineInput): Promise<EvaluatedFiles> {
  const parsed = await parseSources(input.sources, { lookup: input.env, ...(input.dotenv ? { dotenv: input.dotenv } : {}) });
  return evaluateFiles(parsed.files, parsed.base, {
    lookupVar: (name) => input.vars?.get(name) ?? (input.disableEnvLookup ? undefined : input.env(name)),
    builtins: new Map([
      // Local builds: buildx sets BAKE_CMD_CONTEXT to cwd:// unless a remote context is given.
      ['BAKE_CMD_CONTEXT', 'cwd://'],
      ['BAKE_LOCAL_PLATFORM', input.localPlatform],
    ]),
    world: input.world,
    warn: input.warn,
  });
}
