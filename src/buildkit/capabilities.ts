/**
 * What a builder can do, probed instead of guessed from versions (protocol
 * §6.5). Each probe is a Solve that fails in milliseconds without side
 * effects: a frontend-caps Solve tells whether the Dockerfile frontend has a
 * cap; a Solve naming an exporter and a cap no frontend has fails with
 * "exporter … could not be found" when the exporter is missing (BuildKit
 * resolves the exporter before it starts the frontend) and with the cap error
 * otherwise. Parsing the outcomes is pure and unit-tested.
 */
import type { BuildkitVersion, ControlClient, WorkerRecord } from './control.js';
import { newBuildkitId } from './identity.js';

export const CAP_NAMED_CONTEXTS = 'moby.buildkit.frontend.contexts';
export const CAP_FRONTEND_INPUTS = 'moby.buildkit.frontend.inputs';
/** A cap no frontend has: the probe's Solve always stops at the caps check. */
const CAP_NONE = 'moby.buildkit.frontend.bake-probe';
export const EXPORTERS = ['moby', 'image', 'local', 'tar', 'oci', 'docker'] as const;

export interface Capabilities {
  /** `context:NAME` frontend attrs (Dockerfile frontend 1.4, BuildKit v0.10). */
  readonly namedContexts: boolean;
  /** FrontendInputs for `context` and `dockerfile`. */
  readonly frontendInputs: boolean;
  readonly exporters: ReadonlySet<string>;
  /** Control.Info exists (BuildKit v0.11+); its version when it does. */
  readonly info: BuildkitVersion | undefined;
  /** The platforms the workers build for, as `os/arch[/variant]`. */
  readonly platforms: readonly string[];
  /** A multi-platform result can be exported (an image index): not through dockerd's `moby`. */
  readonly multiPlatform: boolean;
}

/** How a probe Solve ended: `undefined` when it succeeded, else the error text. */
export type ProbeOutcome = string | undefined;

export interface ProbeOutcomes {
  readonly namedContexts: ProbeOutcome;
  readonly frontendInputs: ProbeOutcome;
  readonly exporters: ReadonlyMap<string, ProbeOutcome>;
  readonly info: BuildkitVersion | undefined;
  readonly workers: readonly WorkerRecord[];
}

const hasCap = (outcome: ProbeOutcome): boolean => !/unsupported frontend capability/.test(outcome ?? '');

export function capabilitiesFrom(o: ProbeOutcomes): Capabilities {
  const exporters = new Set([...o.exporters].filter(([, outcome]) => !/exporter ".*" could not be found/.test(outcome ?? '')).map(([name]) => name));
  const platforms = [...new Set(o.workers.flatMap((w) => (w.platforms ?? []).map((p) => [p.OS, p.Architecture, p.Variant].filter(Boolean).join('/'))))];
  return {
    namedContexts: hasCap(o.namedContexts),
    frontendInputs: hasCap(o.frontendInputs),
    exporters,
    info: o.info,
    platforms,
    multiPlatform: ['image', 'oci'].some((e) => exporters.has(e)),
  };
}

/** One probe Solve: the Dockerfile frontend checks `cap` (and the engine `exporter`) and stops. */
async function probeSolve(client: ControlClient, signal: AbortSignal, cap: string, exporter = ''): Promise<ProbeOutcome> {
  try {
    await client.solve({ Ref: newBuildkitId(), Exporter: exporter, Frontend: 'dockerfile.v0', FrontendAttrs: { 'frontend.caps': cap } }, signal);
    return undefined;
  } catch (e) {
    return (e as { details?: string }).details ?? String(e);
  }
}

/**
 * Whether the Dockerfile frontend has one cap: a single probe Solve, for a run
 * that needs only that answer (the whole probe's eight Solves compete with
 * the run's own in the engine).
 */
export async function hasFrontendCap(client: ControlClient, cap: string, signal: AbortSignal): Promise<boolean> {
  return hasCap(await probeSolve(client, signal, cap));
}

export async function probeCapabilities(client: ControlClient, signal: AbortSignal): Promise<Capabilities> {
  const probe = (cap: string, exporter?: string): Promise<ProbeOutcome> => probeSolve(client, signal, cap, exporter);
  const [namedContexts, frontendInputs, info, workers, ...exporterOutcomes] = await Promise.all([
    probe(CAP_NAMED_CONTEXTS),
    probe(CAP_FRONTEND_INPUTS),
    client.info(signal),
    client.listWorkers(signal),
    ...EXPORTERS.map((e) => probe(CAP_NONE, e)),
  ]);
  return capabilitiesFrom({ namedContexts, frontendInputs, info, workers, exporters: new Map(EXPORTERS.map((e, i) => [e, exporterOutcomes[i]])) });
}
