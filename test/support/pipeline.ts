/** The whole pure pipeline (sources → --print JSON) with a fixed world, for fixture tests and the fuzzer. */
import type { Diagnostic } from '../../src/core/diagnostics.js';
import { resolveDevEnvironment } from '../../src/bakefile/dev-environment.js';
import { evaluateSources } from '../../src/bakefile/pipeline.js';
import { parseOverrides } from '../../src/bakefile/overrides.js';
import { printResolved } from '../../src/bakefile/print.js';
import type { SourceFile } from '../../src/bakefile/read.js';
import { resolveTargets } from '../../src/bakefile/resolve.js';

export interface CaseOptions {
  readonly names?: readonly string[];
  readonly sets?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly vars?: Readonly<Record<string, string>>;
  /** Print as `bake dev --print` does (names are services), instead of `bake --print`. */
  readonly dev?: boolean;
}

export const FIXED_WORLD = { now: () => new Date('2026-01-02T03:04:05Z'), homedir: () => '/home/tester' };

export async function printSources(sources: readonly SourceFile[], options: CaseOptions = {}, warnings: Diagnostic[] = []): Promise<string> {
  const env = (name: string): string | undefined => options.env?.[name];
  const warn = (d: Diagnostic): void => void warnings.push(d);
  const evaluated = await evaluateSources({
    sources,
    env,
    vars: new Map(Object.entries(options.vars ?? {})),
    localPlatform: 'linux/amd64',
    world: FIXED_WORLD,
    warn,
  });
  const overrides = parseOverrides(options.sets ?? [], evaluated.targets.map((t) => t.name), env);
  const resolveOptions = { overrides, sourceDateEpoch: env('SOURCE_DATE_EPOCH'), warn };
  if (options.dev) {
    const dev = resolveDevEnvironment(evaluated, options.names ?? [], resolveOptions);
    return printResolved(dev.resolved, dev.services);
  }
  return printResolved(resolveTargets(evaluated, { ...resolveOptions, names: options.names ?? [] }));
}
