/**
 * `bake dev`: `--print` resolves the dev environment without an engine or a
 * server (and loads neither gRPC nor node-pty); everything else is a client
 * of the per-user server: `ls` and `stop` through ./dev-look.ts, which only
 * asks it (and loads no bake file reader), the rest through
 * ./dev-session.ts. Each is loaded only when its command runs.
 */
import type { Outcome } from '../core/errors.js';
import type { BakeArgs } from './args.js';
import type { CliEnvironment } from './definition.js';

export async function dev(args: BakeArgs, cli: CliEnvironment): Promise<Outcome> {
  if (args.print) return (await import('./print.js')).print(args, cli);
  if (args.dev.action === 'ls') return (await import('./dev-look.js')).list(args, cli);
  if (args.dev.action === 'stop') return (await import('./dev-look.js')).stopCommand(args, cli);
  // A cold start's server loads itself while this client loads the rest and reads the bake files; it starts only once they are good.
  // (Imported here, not above: ls and stop spawn nothing and do without node:child_process.)
  const primed = args.dev.action === 'up' ? (await import('../dev/client/server-process.js')).primeServer(cli.env) : undefined;
  return (await import('./dev-session.js')).devSession(args, cli, primed);
}
