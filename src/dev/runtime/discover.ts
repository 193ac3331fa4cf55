/**
 * The dev sessions an engine holds, read back from the labels on their
 * networks and containers: how a restarted server finds what the previous
 * one left running.
 */
import type { DockerEngine } from '../../docker/engine-api.js';
import { labelFilters } from '../../docker/filters.js';
import type { Labels } from '../../docker/types.js';
import { LABEL } from '../labels.js';

export interface DiscoveredContainer {
  readonly service: string;
  readonly id: string;
  /** The engine's state: `running`, `exited`, `created`… */
  readonly state: string;
  /** The image as the container was created from it (a name or an ID). */
  readonly image: string;
  readonly imageId: string;
  readonly labels: Labels;
}

export interface DiscoveredSession {
  readonly id: string;
  readonly projectKey: string;
  readonly files: string[];
  /** The engine address the session was created with. */
  readonly engine: string;
  /** DEV_LABELS_VERSION of the server that created it. */
  readonly protocol: string;
  /** The server that owns it (LABEL.owner). */
  readonly owner: string;
  /** Sorted by service name. */
  readonly containers: DiscoveredContainer[];
}

/** Every session with a labelled network or container in `engine`, sorted by id. */
export async function discoverSessions(engine: DockerEngine, signal: AbortSignal): Promise<DiscoveredSession[]> {
  const bySession = { label: labelFilters({ [LABEL.session]: true }) };
  const [networks, containers] = await Promise.all([engine.networks.list(bySession, signal), engine.containers.list(bySession, signal)]);
  const sessions = new Map<string, { labels: Labels; containers: DiscoveredContainer[] }>();
  const entry = (labels: Labels): { labels: Labels; containers: DiscoveredContainer[] } => {
    const id = labels[LABEL.session] ?? '';
    let s = sessions.get(id);
    if (!s) sessions.set(id, (s = { labels, containers: [] }));
    return s;
  };
  for (const n of networks) entry(n.Labels ?? {});
  for (const c of containers) {
    entry(c.Labels).containers.push({ service: c.Labels[LABEL.service] ?? '', id: c.Id, state: c.State, image: c.Image, imageId: c.ImageID, labels: c.Labels });
  }
  return [...sessions.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, s]) => ({
      id,
      projectKey: s.labels[LABEL.project] ?? '',
      files: (s.labels[LABEL.files] ?? '').split('\n').filter((f) => f !== ''),
      engine: s.labels[LABEL.engine] ?? '',
      protocol: s.labels[LABEL.protocol] ?? '',
      owner: s.labels[LABEL.owner] ?? '',
      containers: s.containers.sort((a, b) => a.service.localeCompare(b.service)),
    }));
}
