/** `bake --print [TARGET...]`: the resolved definition as buildx prints it. */
import { printResolved } from '../bakefile/print.js';
import type { BakeArgs } from './args.js';
import { loadDefinition, resolveDefinition, type CliEnvironment } from './definition.js';

export async function print(args: BakeArgs, cli: CliEnvironment): Promise<number> {
  const def = await loadDefinition(args, cli);
  const resolved = resolveDefinition(def, args, args.names, cli);
  process.stdout.write(`${printResolved(resolved)}\n`);
  return 0;
}
