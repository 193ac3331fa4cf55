/** `bake --print [TARGET...]`: the resolved definition as buildx prints it. */
import { printResolved } from '../bakefile/print.js';
import { resolveTargets } from '../bakefile/resolve.js';
import type { BakeArgs } from './args.js';
import { loadDefinition, resolveOptions, type CliEnvironment } from './definition.js';

export async function print(args: BakeArgs, cli: CliEnvironment): Promise<number> {
  const def = await loadDefinition(args, cli);
  const resolved = resolveTargets(def.evaluated, { ...resolveOptions(def, args, cli), names: args.names });
  process.stdout.write(`${printResolved(resolved)}\n`);
  return 0;
}
