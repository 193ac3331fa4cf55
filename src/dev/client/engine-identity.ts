/**
 * Whether two engine addresses reach one engine. A session remembers the
 * address it was created on; a terminal may reach the same engine by another
 * (a symlinked socket, another route), which is no reason to refuse it.
 */
import { parseEngineAddress } from '../../docker/endpoint.js';
import type { DockerEngine } from '../../docker/engine-api.js';

/** The same address, or engines reporting the same daemon ID. One that does not answer is not known to be the same. */
export async function sameEngine(a: string, b: string, signal: AbortSignal): Promise<boolean> {
  if (a === b) return true;
  const [idA, idB] = await Promise.all([engineId(a, signal), engineId(b, signal)]);
  return idA !== undefined && idA === idB;
}

async function engineId(address: string, signal: AbortSignal): Promise<string | undefined> {
  let engine: DockerEngine | undefined;
  try {
    // Loaded only here: the same address (nearly always) asks no engine, and bake dev ls stays without its HTTP client.
    engine = new (await import('../../docker/engine-api.js')).DockerEngine(parseEngineAddress(address));
    return (await engine.info(signal)).ID || undefined;
  } catch {
    return undefined;
  } finally {
    engine?.close();
  }
}
