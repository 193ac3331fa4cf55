/**
 * `bake dev --print [SERVICE...]`: the services of the dev environment and the
 * targets they build, validated. The rest of `bake dev` comes with the server.
 */
import { printResolved } from '../bakefile/print.js';
import { resolveServices } from '../bakefile/resolve.js';
import { selectServices } from '../bakefile/services.js';
import type { BakeArgs } from './args.js';
import { loadDefinition, resolveDefinition, type CliEnvironment } from './definition.js';

export async function devPrint(args: BakeArgs, cli: CliEnvironment): Promise<number> {
  if (!args.print) {
    process.stderr.write('error: bake dev is not available in this release yet; bake dev --print shows the environment it will run.\n  = fix: Run bake dev --print.\n');
    return 2;
  }
  const def = await loadDefinition(args, cli);
  const services = selectServices(resolveServices(def.evaluated, cli.warn), args.names, def.evaluated.targets);
  const targetNames = [...new Set(services.flatMap((s) => (s.target ? [s.target] : [])))];
  const resolved = resolveDefinition(def, args, targetNames.length ? targetNames : [], cli);
  process.stdout.write(`${printResolved(targetNames.length ? resolved : { groups: new Map(), targets: new Map(), linked: new Set() }, services)}\n`);
  return 0;
}
