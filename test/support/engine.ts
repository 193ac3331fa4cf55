/**
 * Integration tests need a real engine. Without one they fail, with the
 * command that fixes it: never a silent skip (architecture habit 10).
 */
import { DockerEngine } from '../../src/docker/engine-api.js';
import { resolveEngineEndpoint, type EngineEndpoint } from '../../src/docker/endpoint.js';
import assert from 'node:assert/strict';
import { ensureBusyboxImage } from './busybox-image.js';

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
      { cause: e },
    );
  } finally {
    engine.close();
  }
}

/** The engine's unix socket, with the BusyBox base image in it: what the build tests start from. */
export async function requireBuildEngine(): Promise<string> {
  const endpoint = await requireEngine();
  assert.equal(endpoint.kind, 'unix', 'these tests reach the engine through a unix socket');
  const socketPath = endpoint.kind === 'unix' ? endpoint.socketPath : '';
  await ensureBusyboxImage(socketPath);
  return socketPath;
}
