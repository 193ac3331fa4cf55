/**
 * The pure path from file contents to what `--print` prints: parse every
 * source by format, read compose files into the base config, evaluate the
 * rest over it (evaluateSources), then resolve the requested names with the
 * `--set` overrides and encode them (printDefinition). The CLI reads the
 * files and supplies the world (env, clock, home); unit tests and the fuzzer
 * call these same two functions, so there is one composition, not a copy.
 */
import type { Diagnostic } from '../core/diagnostics.js';
import type { HostFiles } from './host.js';
import { resolveDevEnvironment } from './dev-environment.js';
import { evaluateFiles, type EvaluatedFiles } from './evaluate.js';
import type { FunctionWorld } from './expr/function.js';
import type { Lookup } from './formats/interpolate.js';
import { parseOverrides } from './overrides.js';
import { printResolved } from './print.js';
import { parseSources, type SourceFile } from './read.js';
import { resolveTargets, type ResolveOptions } from './resolve.js';

export interface PipelineInput {
  readonly sources: readonly SourceFile[];
  /** The process environment (for variables, compose interpolation and args without values). */
  readonly env: Lookup;
  /** `--var` values; they win over the environment. */
  readonly vars?: ReadonlyMap<string, string>;
  /** The `.env` beside the first compose file, as load.ts found it. */
  readonly dotenv?: { readonly path: string; readonly text: string } | undefined;
  readonly localPlatform: string;
  readonly world: FunctionWorld;
  readonly warn: (d: Diagnostic) => void;
  /** The host's files, for what compose files include (load.ts's hostFiles). */
  readonly files?: HostFiles;
}

export async function evaluateSources(input: PipelineInput): Promise<EvaluatedFiles> {
  const { env, dotenv } = input;
  // Loaded only when a compose file has a .env beside it.
  const dotenvVars = dotenv && (await import('./formats/dotenv.js')).parseDotenv(dotenv.text, { lookup: env, filename: dotenv.path });
  // buildx's BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP: variables ignore the environment (compose interpolation still sees it).
  const disableEnvLookup = ['1', 'true'].includes(env('BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP') ?? '');
  const parsed = await parseSources(input.sources, {
    lookup: env,
    ...(dotenvVars ? { dotenv: dotenvVars } : {}),
    ...(input.files ? { files: input.files } : {}),
  });
  return evaluateFiles(parsed.files, parsed.base, {
    lookupVar: (name) => input.vars?.get(name) ?? (disableEnvLookup ? undefined : env(name)),
    builtins: new Map([
      // Local builds: buildx sets BAKE_CMD_CONTEXT to cwd:// unless a remote context is given.
      ['BAKE_CMD_CONTEXT', 'cwd://'],
      ['BAKE_LOCAL_PLATFORM', input.localPlatform],
    ]),
    world: input.world,
    warn: input.warn,
  });
}

/** What a command asks of the evaluated files besides the names: its `--set` values and the environment. */
export interface OverrideRequest {
  /** `--set` values in order, with those the shorthand flags (--push, --load, ...) stand for appended, as buildx does. */
  readonly sets: readonly string[];
  /** The process environment: `--set` args without a value and SOURCE_DATE_EPOCH come from it. */
  readonly env: Lookup;
  readonly warn: (d: Diagnostic) => void;
  /** The host's files: with them, targets' secrets and SSH agents are checked as buildx checks them before it prints or builds. */
  readonly files?: HostFiles;
}

export interface PrintRequest extends OverrideRequest {
  /** Requested targets or groups (services with `dev`); empty means the default group. */
  readonly names: readonly string[];
  /** Print as `bake dev --print` does: the names are services, printed after the targets they build. */
  readonly dev?: boolean;
}

/** Everything target resolution needs besides the names; build and dev bring-up resolve with it too. */
export function resolveOptionsFor(evaluated: EvaluatedFiles, request: OverrideRequest): Omit<ResolveOptions, 'names'> {
  const overrides = parseOverrides(
    request.sets,
    evaluated.targets.map((t) => t.name),
    request.env,
  );
  // An empty SOURCE_DATE_EPOCH counts as unset.
  return {
    overrides,
    sourceDateEpoch: request.env('SOURCE_DATE_EPOCH') || undefined,
    warn: request.warn,
    ...(request.files ? { host: { files: request.files, env: request.env } } : {}),
  };
}

/** The resolved definition as `bake --print` (or `bake dev --print`) writes it, without the final newline. */
export function printDefinition(evaluated: EvaluatedFiles, request: PrintRequest): string {
  const options = resolveOptionsFor(evaluated, request);
  if (request.dev) {
    const dev = resolveDevEnvironment(evaluated, request.names, options);
    return printResolved(dev.resolved, dev.services);
  }
  return printResolved(resolveTargets(evaluated, { ...options, names: request.names }));
}
