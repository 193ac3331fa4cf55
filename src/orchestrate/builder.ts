/**
 * What a build run needs of a builder, and the one place the real one is
 * made: the Docker engine behind it, and the BuildKit side (dial, Control
 * client, capability probe, the run's sessions: builder-connection.ts), each
 * once per run. Tests of the run's logic pass a fake.
 */
import type { BuildResult } from '../buildkit/build-result.js';
import type { SolveTarget } from '../buildkit/build.js';
import { builderAddress } from '../buildkit/builder-address.js';
import { DockerEngine } from '../docker/engine-api.js';
import type { BuilderConnection } from './builder-connection.js';
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
export const openBuilder: OpenBuilder = async (where, signal) => {
  const address = builderAddress(where.builder, where.env);
  const engine = address.kind === 'docker' ? new DockerEngine(address.engine) : undefined;
  // The BuildKit side is loaded and dialed on first use: a run whose targets are all up to date needs only the image store.
  let connected: Promise<BuilderConnection> | undefined;
  const connection = (): Promise<BuilderConnection> => (connected ??= import('./builder-connection.js').then((m) => m.connectBuilder(where, signal)));
  // A standalone BuildKit has no image store to answer from, and its TLS files are checked before the run starts.
  if (!engine) await connection();
  return {
    address: address.address,
    images: engine?.images,
    namedContexts: async () => (await connection()).namedContexts(),
    solve: async (request, solveSignal) => (await connection()).solve(request, solveSignal),
    close: async () => {
      engine?.close();
      await (await connected?.catch(() => undefined))?.close();
    },
  };
};
