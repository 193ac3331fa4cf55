/**
 * `bake --print [TARGET...]` and `bake dev --print [SERVICE...]`: the
 * resolved definition as buildx prints it, by the pure pipeline's
 * printDefinition (the composition the unit tests run too).
 */
import type { Outcome } from '../core/errors.js';
import { printDefinition } from '../bakefile/pipeline.js';
import type { BakeArgs } from './args.js';
import { loadDefinition, printRequest, type CliEnvironment } from './definition.js';

export async function print(args: BakeArgs, cli: CliEnvironment): Promise<Outcome> {
  const def = await loadDefinition(args, cli);
  process.stdout.write(`${printDefinition(def.evaluated, printRequest(args, cli))}\n`);
  return 'ok';
}
