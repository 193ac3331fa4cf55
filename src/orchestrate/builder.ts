/**
 * What a build run needs of a builder, and the one place the real one is
 * made: dial BuildKit (dockerd's /grpc, unix://, tcp://), its Control
 * client, the Docker engine behind it, the capability probe and the run's
 * sessions, each once per run. Tests of the run's logic pass a fake.
 */
import { RunSessions, solveTarget, type BuildResult, type SolveTarget } from '../buildkit/build.js';
import { CAP_NAMED_CONTEXTS, hasFrontendCap } from '../buildkit/capabilities.js';
import { controlClient } from '../buildkit/control.js';
import { dial } from '../buildkit/dial.js';
import { DockerEngine } from '../docker/engine-api.js';
import type { Images } from '../docker/images.js';

/** What the run asks of the image store of the Docker engine behind the builder. */
export type RunImages = Pick<Images, 'inspect' | 'pull' | 'push' | 'tag' | 'remove'>;

/** A builder for the length of one run. */
export interface RunBuilder {
  /** The builder as the user wrote it, for messages. */
  readonly address: string;
  /**
   * The image store of the Docker engine behind the builder, one client for
   * the run; undefined for a standalone BuildKit. Images load there, and
   * `target:` links pass them on through it.
   */
  readonly images: RunImages | undefined;
  /** The Dockerfile frontend takes `context:NAME` attrs (probed once, on first ask). */
  namedContexts(signal: AbortSignal): Promise<boolean>;
  /** One Solve of one export of a spec; a build that ran and failed throws BuildFailedError. */
  solve(request: SolveTarget, signal: AbortSignal): Promise<BuildResult>;
  /** Closes the run's sessions and connections. */
  close(): Promise<void>;
}

export type OpenBuilder = (where: { readonly builder: string | undefined; readonly env: NodeJS.ProcessEnv }, signal: AbortSignal) => Promise<RunBuilder>;

/** The real builder: `--builder`, else BUILDKIT_HOST, else the Docker engine. */
export const openBuilder: OpenBuilder = async ({ builder, env }, signal) => {
  const dialed = await dial(builder, env);
  const client = controlClient(dialed);
  const engine = dialed.engine ? new DockerEngine(dialed.engine) : undefined;
  const sessions = new RunSessions();
  const connection = { client, address: dialed.address, imageStore: engine !== undefined, env: (name: string): string | undefined => env[name], sessions };
  // Asked once per run, and only when a target has contexts: the probe is a Solve.
  let namedContexts: Promise<boolean> | undefined;
  const probe = new AbortController();
  signal.addEventListener('abort', () => probe.abort(signal.reason), { once: true });
  return {
    address: dialed.address,
    images: engine?.images,
    namedContexts: () => (namedContexts ??= hasFrontendCap(client, CAP_NAMED_CONTEXTS, probe.signal)),
    solve: (request, solveSignal) => solveTarget(connection, request, solveSignal),
    close: async () => {
      await sessions.closeAll();
      engine?.close();
      client.close();
      await dialed.close();
    },
  };
};
