/**
 * What the test engine's BuildKit can do, probed as bake probes it: tests of
 * a feature that only some engines have check the feature where the probe
 * finds it and the fallback (or clear refusal) elsewhere, never a version.
 */
import { probeCapabilities, type Capabilities } from '../../src/buildkit/capabilities.js';
import { controlClient } from '../../src/buildkit/control.js';
import { dial } from '../../src/buildkit/dial.js';
import { requireEngine } from './engine.js';

let probed: Promise<Capabilities> | undefined;

export function engineCapabilities(): Promise<Capabilities> {
  return (probed ??= (async () => {
    const endpoint = await requireEngine();
    const dialed = await dial('docker', { DOCKER_HOST: endpoint.address });
    const client = controlClient(dialed);
    try {
      return await probeCapabilities(client, AbortSignal.timeout(30_000));
    } finally {
      client.close();
      await dialed.close();
    }
  })());
}
