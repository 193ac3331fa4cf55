/**
 * `bake dev`: `--print` resolves the dev environment without an engine or a
 * server (and loads neither gRPC nor node-pty); everything else is a client
 * of the per-user server (./dev-session.ts, loaded only then).
 */
import { resolveDevEnvironment } from '../bakefile/dev-environment.js';
import { printResolved } from '../bakefile/print.js';
import type { BakeArgs } from './args.js';
import { loadDefinition, resolveOptions, type CliEnvironment } from './definition.js';

export async function dev(args: BakeArgs, cli: CliEnvironment): Promise<number> {
  if (!args.print) return (await import('./dev-session.js')).devSession(args, cli);
  const def = await loadDefinition(args, cli);
  const env = resolveDevEnvironment(def.evaluated, args.names, resolveOptions(def, args, cli));
  process.stdout.write(`${printResolved(env.resolved, env.services)}\n`);
  return 0;
}
