/**
 * Integration tests need a real engine. Without one they fail, with the
 * command that fixes it: never a silent skip (architecture habit 10).
 */
import { DockerEngine } from '../../src/docker/engine-api.js';
import { resolveEngineEndpoint, type EngineEndpoint } from '../../src/docker/endpoint.js';

/** The endpoint of the engine bake would use; throws (failing the test) when none answers. */
export async function requireEngine(): Promise<EngineEndpoint> {
  const resolved = resolveEngineEndpoint(process.env);
  const engine = new DockerEngine(resolved.endpoint);
  try {
    if (await engine.ping(AbortSignal.timeout(5_000))) return resolved.endpoint;
    throw new Error('it did not answer OK');
  } catch (e) {
    throw new Error(
      `No Docker engine answers at ${resolved.endpoint.address} (${resolved.reason}; ${(e as Error).message}). ` +
        'Start one with `bin/bake engine start` (as root) and import the base image with `node scripts/busybox-image.mjs`, or set DOCKER_HOST.',
    );
  } finally {
    engine.close();
  }
}
