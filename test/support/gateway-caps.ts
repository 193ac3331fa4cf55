/**
 * What the test engine's gateway can do, asked as bake asks it (a held
 * client-side build, then Ping): the tests of build debugging expect a
 * shell at a failed step where `gateway.exec.signals` is (BuildKit 0.10+,
 * whose errors carry the failed step's state) and the plain refusal where
 * it is not. A capability, never a version.
 */
import { controlClient } from '../../src/buildkit/control.js';
import { dial } from '../../src/buildkit/dial.js';
import { gatewayClient } from '../../src/buildkit/gateway.js';
import { newBuildkitId } from '../../src/buildkit/identity.js';

export async function gatewayCapabilities(engineAddress: string): Promise<ReadonlySet<string>> {
  const dialed = await dial(undefined, { DOCKER_HOST: engineAddress });
  const control = controlClient(dialed);
  const signal = AbortSignal.timeout(30_000);
  try {
    const ref = newBuildkitId();
    const held = control.solve({ Ref: ref, Frontend: '' }, signal).catch(() => undefined);
    const gateway = gatewayClient(control.channel(), ref);
    const caps = await gateway.capabilities(signal);
    await gateway.return({ error: 'capability probe' }, signal);
    await held;
    return caps;
  } finally {
    control.close();
    await dialed.close();
  }
}
