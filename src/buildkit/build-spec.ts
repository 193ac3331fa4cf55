/**
 * What the BuildKit adapter builds: one build's inputs, options and exports,
 * as buildx's build.Options is to its bake targets. One pure translation
 * makes it from a bake target (orchestrate/build-spec.ts), so buildkit/
 * never sees the bake model. Paths are absolute, nulls and entry texts gone;
 * what BuildKit itself cannot honour is still here, for the adapter to refuse.
 */
import type { CacheOptionsEntry } from './control.js';
import type { SecretSpec } from './session/index.js';

export interface BuildSpec {
  /** The target's name: progress and messages name the build by it. */
  readonly name: string;
  /** The build context: an absolute directory, or a remote context as written (isRemoteContext). */
  readonly context: string;
  readonly dockerfile: DockerfileSpec;
  /** Named contexts by key, in the order written. */
  readonly namedContexts: ReadonlyMap<string, NamedContextSpec>;
  readonly args: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  /** The image names an export without `name=` gives the image. */
  readonly tags: readonly string[];
  /** The Dockerfile stage to build. */
  readonly target: string | undefined;
  readonly platforms: readonly string[];
  readonly noCache: boolean;
  /** Stages built without the cache (ignored with noCache). */
  readonly noCacheFilter: readonly string[];
  /** Pull every image the build reads rather than use the kept one. */
  readonly pull: boolean;
  /** The network mode as written; undefined: the default. */
  readonly network: string | undefined;
  /** Host → IP, in the order written. */
  readonly extraHosts: readonly (readonly [string, string])[];
  readonly cacheFrom: readonly CacheOptionsEntry[];
  readonly cacheTo: readonly CacheOptionsEntry[];
  /** At least one; BuildKit before v0.13 takes one per Solve. */
  readonly exports: readonly ExportSpec[];
  /** By id: what the session serves for each secret. */
  readonly secrets: ReadonlyMap<string, SecretSpec>;
  /** By id: the agent sockets the session forwards for each. */
  readonly ssh: ReadonlyMap<string, readonly string[]>;
  /** The attestations asked for (the disabled ones left out). */
  readonly attests: readonly Readonly<Record<string, string>>[];
  readonly entitlements: readonly string[];
}

/** The user's Dockerfile: a file, or dockerfile-inline's text. */
export type DockerfileSpec = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'inline'; readonly text: string };

export type NamedContextSpec =
  /** A `target:` context: an image of this run, which the solve finds through its Links. */
  | { readonly kind: 'linked' }
  /** A local directory, served over the session like the build context; `written` as the user wrote it, for messages. */
  | { readonly kind: 'dir'; readonly path: string; readonly written: string }
  /** An image, a URL or an OCI layout, passed to the frontend as written. */
  | { readonly kind: 'remote'; readonly ref: string };

export type ExportSpec =
  | { readonly kind: 'cacheonly' }
  /** The image into the Docker engine's store (`type=docker` without dest). */
  | { readonly kind: 'load'; readonly names: readonly string[] }
  /** An image for a registry (`image`, `registry`): a Docker engine loads it and pushes it after. */
  | { readonly kind: 'image'; readonly names: readonly string[]; readonly push: boolean }
  /** Files onto this machine: a directory or a tarball of the result. */
  | { readonly kind: 'local' | 'tar'; readonly dest: string }
  /** An image tarball in OCI or Docker layout onto this machine. */
  | { readonly kind: 'oci' | 'docker'; readonly names: readonly string[]; readonly dest: string };

/** A context BuildKit fetches itself (a URL such as https:// or docker-image://, or a git@ remote) rather than a local directory. */
export function isRemoteContext(context: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(context) || context.startsWith('git@');
}
