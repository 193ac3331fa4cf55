/**
 * The BuildKit side of a run's builder: the dial, its Control client, the
 * named-contexts probe and the run's sessions. Loaded and made on a run's
 * first Solve (builder.ts): it brings grpc-js and the protos, which a run
 * whose targets are all up to date never needs.
 */
import type { BuildResult } from '../buildkit/build-result.js';
import { RunSessions, solveTarget, type SolveTarget } from '../buildkit/build.js';
import { CAP_NAMED_CONTEXTS, hasFrontendCap } from '../buildkit/capabilities.js';
import { controlClient } from '../buildkit/control.js';
import { dial } from '../buildkit/dial.js';

export interface BuilderConnection {
  namedContexts(): Promise<boolean>;
  solve(request: SolveTarget, signal: AbortSignal): Promise<BuildResult>;
  close(): Promise<void>;
}

export async function connectBuilder(
  where: { readonly builder: string | undefined; readonly env: NodeJS.ProcessEnv },
  signal: AbortSignal,
): Promise<BuilderConnection> {
  const dialed = await dial(where.builder, where.env);
  const client = controlClient(dialed);
  const sessions = new RunSessions();
  const connection = {
    client,
    address: dialed.address,
    imageStore: dialed.engine !== undefined,
    env: (name: string): string | undefined => where.env[name],
    sessions,
  };
  // Asked once per run, and only when a target has contexts: the probe is a Solve.
  let namedContexts: Promise<boolean> | undefined;
  const probe = new AbortController();
  signal.addEventListener('abort', () => probe.abort(signal.reason), { once: true });
  return {
    namedContexts: () => (namedContexts ??= hasFrontendCap(client, CAP_NAMED_CONTEXTS, probe.signal)),
    solve: (request, solveSignal) => solveTarget(connection, request, solveSignal),
    close: async () => {
      await sessions.closeAll();
      client.close();
      await dialed.close();
    },
  };
}
