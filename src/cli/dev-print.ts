/**
 * `bake dev --print [SERVICE...]`: the services of the dev environment and the
 * targets they build, validated. The rest of `bake dev` comes with the server.
 */
import { resolveDevEnvironment } from '../bakefile/dev-environment.js';
import { printResolved } from '../bakefile/print.js';
import type { BakeArgs } from './args.js';
import { loadDefinition, resolveOptions, type CliEnvironment } from './definition.js';

export async function devPrint(args: BakeArgs, cli: CliEnvironment): Promise<number> {
  if (!args.print) {
    process.stderr.write('error: bake dev is not available in this release yet; bake dev --print shows the environment it will run.\n  = fix: Run bake dev --print.\n');
    return 2;
  }
  const def = await loadDefinition(args, cli);
  const env = resolveDevEnvironment(def.evaluated, args.names, resolveOptions(def, args, cli));
  process.stdout.write(`${printResolved(env.resolved, env.services)}\n`);
  return 0;
}
