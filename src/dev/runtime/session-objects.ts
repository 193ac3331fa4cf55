/**
 * What a dev session is called in the engine: the names and labels of its
 * network, containers and named volumes (see labels.ts for why they are labelled).
 */
import type { Labels } from '../../docker/types.js';
import { DEV_LABELS_VERSION, LABEL } from '../labels.js';

/** Who a session is: written into every label, so a later server can recover it. */
export interface SessionIdentity {
  /** `<project dir basename>-<6 hex of the project key>`. */
  readonly id: string;
  /** The first 12 hex of the sha256 of the bake files' absolute paths. */
  readonly projectKey: string;
  /** The bake files' absolute paths. */
  readonly files: readonly string[];
  /** The engine address the client uses (its DOCKER_HOST). */
  readonly engine: string;
  /** The owning server's socket path (LABEL.owner). */
  readonly owner: string;
}

export function networkName(session: SessionIdentity): string {
  return `bake-${session.id}`;
}

export function containerName(session: SessionIdentity, service: string): string {
  return `bake-${session.id}-${service}`;
}

/** Named volumes belong to the project, not the session: the next session of the project reuses them. */
export function volumeName(session: SessionIdentity, volume: string): string {
  return `bake-${session.projectKey}-${volume}`;
}

/** The labels every engine object of the session carries (containers add their service and config). */
export function sessionLabels(session: SessionIdentity): Labels {
  return {
    [LABEL.session]: session.id,
    [LABEL.project]: session.projectKey,
    [LABEL.files]: session.files.join('\n'),
    [LABEL.protocol]: DEV_LABELS_VERSION,
    [LABEL.engine]: session.engine,
    [LABEL.owner]: session.owner,
  };
}
