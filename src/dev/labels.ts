/**
 * The labels bake puts on everything `bake dev` creates in the engine
 * (containers, networks, named volumes), so any later server can find,
 * recover and clean it up (issue 5: "everything it creates is labelled").
 */

/** Bumped when the server's API changes (2: services, tables and errors as messages; 3: terminals on their own socket): the client warns when the server's differs. */
export const DEV_PROTOCOL_VERSION = '3';

/** A stopping server's refusal of a new call (status UNAVAILABLE): the client waits for it to go and starts another. */
export const SERVER_STOPPING = 'the bake server is stopping';

/**
 * Bumped when the meaning of a label changes: a server leaves sessions whose
 * labels are of another version alone. It was the protocol version until
 * protocol 3, which changed no label, so sessions of protocol 2 are recovered.
 */
export const DEV_LABELS_VERSION = '2';

export const LABEL = {
  /** The session id (`shop-1a2b3c`). */
  session: 'dev.bake.session',
  /** The project key: a digest of the bake files' absolute paths. */
  project: 'dev.bake.project',
  /** The bake files' absolute paths, joined with a newline. */
  files: 'dev.bake.files',
  /** The service a container runs. */
  service: 'dev.bake.service',
  /** DEV_LABELS_VERSION of the server that created it. */
  protocol: 'dev.bake.protocol',
  /**
   * The server that owns the session (its socket path): a restarted server
   * recovers its own sessions, never those of another user's or test's server
   * on the same engine.
   */
  owner: 'dev.bake.owner',
  /** The engine address the session was created on (the client's DOCKER_HOST). */
  engine: 'dev.bake.engine',
  /** A digest of the container's spec: a container whose spec and image are unchanged is kept on the next `up`. */
  config: 'dev.bake.config',
  /** The service's plan as JSON ({service, image, projectDir}): a restarted server can restart or roll back what it adopts. */
  plan: 'dev.bake.plan',
} as const;
