/**
 * The resolved bake model: what `bake --print` shows (buildx's Config, Group
 * and Target, field for field) plus our `service` blocks. Plain JSON data.
 */

/** One `key=value,...` entry of output, cache-from/to, secret, ssh or attest, as an object (buildx prints these as objects). */
export type Entry = Readonly<Record<string, string>>;

export interface Group {
  readonly name: string;
  readonly description?: string;
  readonly targets: readonly string[];
}

/**
 * A target. Keys are the bake attribute names, so printing walks
 * TARGET_ATTRIBUTES in order and emits what is set (Go's `omitempty`).
 */
export interface Target {
  name: string;
  description?: string;
  inherits?: string[];
  annotations?: string[];
  attest?: Entry[];
  context?: string;
  contexts?: Record<string, string>;
  dockerfile?: string;
  'dockerfile-inline'?: string;
  args?: Record<string, string | null>;
  labels?: Record<string, string | null>;
  tags?: string[];
  'cache-from'?: Entry[];
  'cache-to'?: Entry[];
  target?: string;
  secret?: Entry[];
  ssh?: Entry[];
  platforms?: string[];
  output?: Entry[];
  pull?: boolean;
  'no-cache'?: boolean;
  network?: string;
  'no-cache-filter'?: string[];
  'shm-size'?: string;
  ulimits?: string[];
  call?: string;
  entitlements?: string[];
  'extra-hosts'?: Record<string, string | null>;
  resources?: Resources;
}

/**
 * Per-step cgroup limits of RUN instructions: current buildx's target
 * `resources` object (util/buildflags ResourcesConfig, TestResourcesObject).
 * The memory sizes and CPU sets stay strings; the CPU numbers are int64.
 */
export interface Resources {
  memory?: string;
  'memory-swap'?: string;
  'cpu-shares'?: number;
  'cpu-period'?: number;
  'cpu-quota'?: number;
  'cpuset-cpus'?: string;
  'cpuset-mems'?: string;
}

export type AttributeKind =
  /** A string (cty conversion from number/bool applies). */
  | 'string'
  | 'bool'
  | 'stringList'
  /** map(string) whose values may be null (args, labels): a null leaves the inherited value. */
  | 'nullableStringMap'
  | 'stringMap'
  /** A list of CSV strings or objects: output, cache-from, cache-to, secret, ssh, attest. */
  | 'entries'
  | 'number'
  /** The `resources` object (see Resources). */
  | 'resources';

export interface AttributeSpec {
  readonly name: string;
  readonly kind: AttributeKind;
}

/** Every target attribute, in the order buildx's Target struct prints them. */
export const TARGET_ATTRIBUTES: readonly AttributeSpec[] = [
  { name: 'description', kind: 'string' },
  { name: 'inherits', kind: 'stringList' },
  { name: 'annotations', kind: 'stringList' },
  { name: 'attest', kind: 'entries' },
  { name: 'context', kind: 'string' },
  { name: 'contexts', kind: 'stringMap' },
  { name: 'dockerfile', kind: 'string' },
  { name: 'dockerfile-inline', kind: 'string' },
  { name: 'args', kind: 'nullableStringMap' },
  { name: 'labels', kind: 'nullableStringMap' },
  { name: 'tags', kind: 'stringList' },
  { name: 'cache-from', kind: 'entries' },
  { name: 'cache-to', kind: 'entries' },
  { name: 'target', kind: 'string' },
  { name: 'secret', kind: 'entries' },
  { name: 'ssh', kind: 'entries' },
  { name: 'platforms', kind: 'stringList' },
  { name: 'output', kind: 'entries' },
  { name: 'pull', kind: 'bool' },
  { name: 'no-cache', kind: 'bool' },
  { name: 'network', kind: 'string' },
  { name: 'no-cache-filter', kind: 'stringList' },
  { name: 'shm-size', kind: 'string' },
  { name: 'ulimits', kind: 'stringList' },
  // Where buildx's Target struct declares Resources is a guess (no current buildx binary to ask):
  // its own tests write it right after ulimits, as the struct's order goes.
  { name: 'resources', kind: 'resources' },
  { name: 'call', kind: 'string' },
  { name: 'entitlements', kind: 'stringList' },
  { name: 'extra-hosts', kind: 'nullableStringMap' },
];

export const GROUP_ATTRIBUTES: readonly AttributeSpec[] = [
  { name: 'description', kind: 'string' },
  { name: 'targets', kind: 'stringList' },
];

export const SERVICE_ATTRIBUTES: readonly AttributeSpec[] = [
  { name: 'description', kind: 'string' },
  { name: 'inherits', kind: 'stringList' },
  { name: 'image', kind: 'string' },
  { name: 'target', kind: 'string' },
  { name: 'command', kind: 'stringList' },
  { name: 'entrypoint', kind: 'stringList' },
  { name: 'environment', kind: 'nullableStringMap' },
  { name: 'ports', kind: 'stringList' },
  { name: 'volumes', kind: 'stringList' },
  { name: 'depends_on', kind: 'stringList' },
  { name: 'workdir', kind: 'string' },
  { name: 'user', kind: 'string' },
  { name: 'interactive', kind: 'bool' },
  { name: 'shell', kind: 'stringList' },
  { name: 'runs_on', kind: 'string' },
  { name: 'init', kind: 'bool' },
  { name: 'stop_signal', kind: 'string' },
  { name: 'stop_grace_period', kind: 'string' },
];

export const HEALTHCHECK_ATTRIBUTES: readonly AttributeSpec[] = [
  { name: 'test', kind: 'stringList' },
  { name: 'interval', kind: 'string' },
  { name: 'timeout', kind: 'string' },
  { name: 'retries', kind: 'number' },
  { name: 'start_period', kind: 'string' },
];

export const WATCH_ATTRIBUTES: readonly AttributeSpec[] = [
  { name: 'action', kind: 'string' },
  { name: 'path', kind: 'string' },
  { name: 'target', kind: 'string' },
  { name: 'ignore', kind: 'stringList' },
];

/** What a watch rule does with a change (compose's develop.watch actions). */
export const WATCH_ACTIONS = ['sync', 'rebuild', 'sync+restart'] as const;

/**
 * One rule of `bake dev --watch` (compose's `develop.watch` item, an HCL
 * `watch` block): a change under `path` (relative to the project) is
 * synced into the container at `target`, or rebuilds the service's target.
 * `ignore` patterns are .dockerignore patterns relative to `path`.
 */
export interface WatchRule {
  action?: string;
  path?: string;
  target?: string;
  ignore?: string[];
}

/** A health check of a service (compose-shaped). Durations are strings like "1s". */
export interface HealthCheck {
  test?: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
}

/** Our addition: how a target's image (or any image) runs in `bake dev` (product.md §1). */
export interface Service {
  name: string;
  description?: string;
  inherits?: string[];
  image?: string;
  target?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | null>;
  ports?: string[];
  volumes?: string[];
  depends_on?: string[];
  workdir?: string;
  user?: string;
  interactive?: boolean;
  shell?: string[];
  runs_on?: string;
  /** compose's `init`: an init process (the engine's docker-init) runs as PID 1, forwards signals and reaps zombies. */
  init?: boolean;
  /** compose's `stop_signal`: what stopping the service sends first (SIGTERM when unset). */
  stop_signal?: string;
  /** compose's `stop_grace_period` ("10s", "1m30s"): how long a stop waits before SIGKILL. */
  stop_grace_period?: string;
  healthcheck?: HealthCheck;
  watch?: WatchRule[];
}

/** buildx's sanitizeTargetName: compose service names may hold dots, target names may not. */
export function sanitizeTargetName(name: string): string {
  return name.replaceAll('.', '_');
}
