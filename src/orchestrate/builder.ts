/**
 * What a build run needs of a builder, and the one place the real one is
 * made: dial BuildKit (dockerd's /grpc, unix://, tcp://), its Control
 * client, the Docker engine behind it, the capability probe and the run's
 * sessions, each once per run. Tests of the run's logic pass a fake.
 */
import { setMaxListeners } from 'node:events';
import type { ProgressSink } from '../core/progress.js';
import type { Target } from '../bakefile/model.js';
import { buildTarget, RunSessions, type BuildResult } from '../buildkit/build.js';
import { probeCapabilities, type Capabilities } from '../buildkit/capabilities.js';
import { controlClient } from '../buildkit/control.js';
import { dial } from '../buildkit/dial.js';
import type { Links } from '../buildkit/solve-request.js';
import { DockerEngine } from '../docker/engine-api.js';

/** One target's build as the run asks for it. */
export interface TargetBuild {
  readonly target: Target;
  /** The target's `target:` contexts, their dependencies already in the image store. */
  readonly links: Links;
  readonly progress: ProgressSink;
}

/** A builder for the length of one run. */
export interface RunBuilder {
  /** The builder as the user wrote it, for messages. */
  readonly address: string;
  /** The builder is a Docker engine: images load into its store, where `target:` links pass them on. */
  readonly imageStore: boolean;
  /** The Dockerfile frontend takes `context:NAME` attrs (probed once, on first ask). */
  namedContexts(signal: AbortSignal): Promise<boolean>;
  /** Builds a target; a build that ran and failed throws BuildFailedError. */
  build(request: TargetBuild, signal: AbortSignal): Promise<BuildResult>;
  /** Tags an image of the engine's store (internal tags of `target:` links). */
  tag(imageId: string, repo: string, tag: string, signal: AbortSignal): Promise<void>;
  /** Removes a tag; the run's signal may be aborted by then. */
  untag(ref: string): Promise<void>;
  /** Closes the run's sessions and connections. */
  close(): Promise<void>;
}

export type OpenBuilder = (where: { readonly builder: string | undefined; readonly cwd: string; readonly env: NodeJS.ProcessEnv }, signal: AbortSignal) => Promise<RunBuilder>;

/** The real builder: `--builder`, else BUILDKIT_HOST, else the Docker engine. */
export const openBuilder: OpenBuilder = async ({ builder, cwd, env }, signal) => {
  const dialed = await dial(builder, env);
  const client = controlClient(dialed);
  const engine = dialed.engine ? new DockerEngine(dialed.engine) : undefined;
  const contextDigests = new Map<string, Promise<string>>();
  const sessions = new RunSessions();
  const lookup = (name: string): string | undefined => env[name];
  // Asked once per run, and only when a target has contexts: the probe costs a few Solves.
  let capabilities: Promise<Capabilities> | undefined;
  const probe = new AbortController();
  // The probe's dozen concurrent calls each listen on its signal: more than Node's default warning threshold.
  setMaxListeners(32, probe.signal);
  signal.addEventListener('abort', () => probe.abort(signal.reason), { once: true });
  return {
    address: dialed.address,
    imageStore: engine !== undefined,
    namedContexts: async () => (await (capabilities ??= probeCapabilities(client, probe.signal))).namedContexts,
    build: (request, buildSignal) => buildTarget(client, { ...request, cwd, address: dialed.address, engine: dialed.engine, env: lookup, signal: buildSignal, contextDigests, sessions }),
    tag: async (imageId, repo, tag, tagSignal) => {
      if (!engine) throw new Error('internal: tagging needs an image store');
      await engine.images.tag(imageId, repo, tag, tagSignal);
    },
    untag: async (ref) => {
      await engine?.images.remove(ref, {}, AbortSignal.timeout(10_000));
    },
    close: async () => {
      await sessions.closeAll();
      engine?.close();
      client.close();
      await dialed.close();
    },
  };
};
