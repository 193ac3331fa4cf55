/**
 * `bake dev`: `--print` resolves the dev environment without an engine or a
 * server (and loads neither gRPC nor node-pty); everything else is a client
 * of the per-user server (./dev-session.ts, loaded only then).
 */
import type { Outcome } from '../core/errors.js';
import type { BakeArgs } from './args.js';
import type { CliEnvironment } from './definition.js';
import { print } from './print.js';

export async function dev(args: BakeArgs, cli: CliEnvironment): Promise<Outcome> {
  if (!args.print) return (await import('./dev-session.js')).devSession(args, cli);
  return print(args, cli);
}
