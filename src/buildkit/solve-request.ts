/**
 * A build spec → the SolveRequest for BuildKit's `dockerfile.v0` frontend
 * (protocol §3), plus what the run's session must serve for it (secrets,
 * SSH agents, the exporter's files). Pure: directories arrive as session dir
 * names and file texts, so tests need no disk.
 */
import { bakeError } from '../core/diagnostics.js';
import { goClean } from '../golang/path.js';
import type { BuildSpec, ExportSpec } from './build-spec.js';
import type { Definition, SolveRequest } from './control.js';
import { CAP_FRONTEND_INPUTS, CAP_NAMED_CONTEXTS } from './capabilities.js';
import { localDefinition } from './llb.js';
import { contextName } from '../dockerfile/links.js';
import type { FileSendSpec, SecretSpec } from './session/index.js';

/** A local directory as the session serves it. */
export interface SessionDir {
  /** The session dir name: unique per absolute path. */
  readonly name: string;
  /** Stable per path and use, so the daemon's kept copy is found again next run (§5.6). */
  readonly sharedKeyHint: string;
}

export interface SolveInput {
  readonly spec: BuildSpec;
  /** The one export of this Solve, one of the spec's (BuildKit before v0.13 takes one per Solve). */
  readonly export: ExportSpec;
  readonly ref: string;
  readonly context: SessionDir;
  /** The Dockerfile's directory; `dockerfileName` is the file inside it. */
  readonly dockerfileDir: SessionDir;
  readonly dockerfileName: string;
  /** The text of the .dockerignore that applies (`<Dockerfile>.dockerignore` first), if any. */
  readonly dockerignore: string | undefined;
  /**
   * The context's followpaths: the paths its builds read (dockerfile/context-paths.ts), so the daemon asks for
   * those only, as it does for `docker build`. Absent: the whole context.
   */
  readonly contextPaths?: readonly string[] | undefined;
  /**
   * The builder is a Docker engine (its image store is the `moby` exporter):
   * `image` exports load there, and pushing is the engine's push after the load.
   * A standalone BuildKit keeps images itself and pushes with its `image` exporter.
   */
  readonly imageStore: boolean;
  /** Absent: the spec has no named contexts. */
  readonly links?: Links;
  /** The session dirs of the spec's local-directory named contexts, by context key. */
  readonly namedDirs?: ReadonlyMap<string, NamedDir>;
}

/** A local directory passed as a named context, with the .dockerignore of its own that applies to it. */
export interface NamedDir {
  readonly dir: SessionDir;
  readonly dockerignore: string | undefined;
}

/**
 * How the spec's linked contexts reach the frontend: the run loaded each
 * dependency into the image store under its internal tag (dockerfile/links.ts).
 */
export interface Links {
  /** Context key → the dependency's internal tag. */
  readonly refs: ReadonlyMap<string, string>;
  /**
   * The frontend takes `context:NAME` attrs: the refs go there. False: the
   * Dockerfile served already names the refs instead. Undefined: not probed,
   * because the spec has no named contexts.
   */
  readonly namedContexts: boolean | undefined;
}

export interface SolvePlan {
  /** Without `Session`: the run's session is made from this plan, then named in it. */
  readonly request: SolveRequest;
  readonly secrets: ReadonlyMap<string, SecretSpec>;
  readonly ssh: ReadonlyMap<string, readonly string[]>;
  readonly fileSend: FileSendSpec | undefined;
}

export function solvePlan(input: SolveInput): SolvePlan {
  const spec = input.spec;
  const links = input.links ?? { refs: new Map(), namedContexts: undefined };
  const named = namedContexts(spec, links, input.namedDirs ?? new Map());
  const attrs: Record<string, string> = {
    filename: input.dockerfileName,
    // The build context and Dockerfile come as FrontendInputs: fail at once on a frontend without them (or without named contexts, when we pass some).
    'frontend.caps': Object.keys(named.attrs).length ? `${CAP_FRONTEND_INPUTS},${CAP_NAMED_CONTEXTS}` : CAP_FRONTEND_INPUTS,
    ...named.attrs,
  };
  for (const [k, v] of Object.entries(spec.args)) attrs[`build-arg:${k}`] = v;
  for (const [k, v] of Object.entries(spec.labels)) attrs[`label:${k}`] = v;
  if (spec.target) attrs['target'] = spec.target;
  if (spec.platforms.length) attrs['platform'] = spec.platforms.join(',');
  if (spec.noCache) attrs['no-cache'] = '';
  else if (spec.noCacheFilter.length) attrs['no-cache'] = spec.noCacheFilter.join(',');
  // The resolve mode covers every image the build reads, and an internal tag exists only in the local image store: pulling it would fail.
  // With links, the run pulls the other images through the engine first instead.
  if (spec.pull && !links.refs.size) attrs['image-resolve-mode'] = 'pull';
  const network = networkMode(spec);
  if (network) attrs['force-network-mode'] = network;
  const hosts = addHosts(spec);
  if (hosts) attrs['add-hosts'] = hosts;
  refuseUnsupported(spec);

  if (spec.cacheFrom.length) attrs['cache-imports'] = JSON.stringify(spec.cacheFrom);
  const exp = exporter(spec, input.export, input.imageStore);
  const excludes = input.dockerignore === undefined ? [] : parseDockerignore(input.dockerignore);
  const context = localDefinition({
    name: input.context.name,
    sharedKeyHint: input.context.sharedKeyHint,
    excludePatterns: excludes,
    ...(input.contextPaths ? { followPaths: input.contextPaths } : {}),
    displayName: '[internal] load build context',
  });
  const dockerfile = localDefinition({
    name: input.dockerfileDir.name,
    sharedKeyHint: input.dockerfileDir.sharedKeyHint,
    followPaths: [input.dockerfileName],
    displayName: `[internal] load build definition from ${input.dockerfileName}`,
  });
  const request: SolveRequest = {
    Ref: input.ref,
    Frontend: 'dockerfile.v0',
    FrontendAttrs: attrs,
    FrontendInputs: { ...named.inputs, context: context.definition, dockerfile: dockerfile.definition },
    Exporter: exp.type,
    ExporterAttrs: exp.attrs,
    ...(spec.cacheFrom.length || spec.cacheTo.length ? { Cache: { Imports: spec.cacheFrom, Exports: spec.cacheTo } } : {}),
    ...(spec.entitlements.length ? { Entitlements: spec.entitlements } : {}),
  };
  return { request, secrets: spec.secrets, ssh: spec.ssh, fileSend: exp.fileSend };
}

interface ExportPlan {
  readonly type: string;
  readonly attrs: Record<string, string>;
  readonly fileSend: FileSendSpec | undefined;
}

/**
 * The Solve's one export. Loading uses dockerd's `moby` exporter; a builder
 * without it (or without a tarball exporter) says so when the Solve starts,
 * which costs nothing up front (build.ts words that error).
 */
function exporter(spec: BuildSpec, exp: ExportSpec, imageStore: boolean): ExportPlan {
  const named = (names: readonly string[]): Record<string, string> => (names.length ? { name: names.join(',') } : {});
  switch (exp.kind) {
    case 'cacheonly':
      return { type: '', attrs: {}, fileSend: undefined };
    case 'local':
    case 'tar':
      return { type: exp.kind, attrs: {}, fileSend: { kind: exp.kind, dest: exp.dest } };
    case 'oci':
    case 'docker':
      // An image tarball arrives through FileSend like a tar.
      return { type: exp.kind, attrs: named(exp.names), fileSend: { kind: 'tar', dest: exp.dest } };
    case 'load':
      return load(spec, named(exp.names));
    case 'image':
      // A Docker engine loads the image, then pushes it from its store (pushedAfterLoad).
      if (imageStore) return load(spec, named(exp.names));
      return { type: 'image', attrs: { ...named(exp.names), ...(exp.push ? { push: 'true' } : {}) }, fileSend: undefined };
  }
}

/** What a Docker engine pushes once the `moby` exporter loaded the image; nothing on a standalone BuildKit, whose `image` exporter pushes. */
export function pushedAfterLoad(exp: ExportSpec, imageStore: boolean): readonly string[] {
  return imageStore && exp.kind === 'image' && exp.push ? exp.names : [];
}

/** Loading into the Docker engine's image store: dockerd's `moby` exporter, one platform. */
function load(spec: BuildSpec, named: Record<string, string>): ExportPlan {
  if (spec.platforms.length > 1)
    throw bakeError(
      `target ${spec.name} builds ${spec.platforms.length} platforms, but Docker's image store holds one`,
      undefined,
      'Build one platform, or use an output of type local, tar or oci.',
    );
  return { type: 'moby', attrs: named, fileSend: undefined };
}

function networkMode(spec: BuildSpec): string | undefined {
  const n = spec.network;
  if (n === undefined || n === '' || n === 'default') return undefined;
  if (n === 'host' || n === 'none') return n;
  throw bakeError(`target ${spec.name} has network ${n}, which BuildKit does not know`, undefined, 'Use network = "default", "host" or "none".');
}

/** add-hosts takes IP literals only: `host-gateway` is a docker /build feature (§3.1). */
function addHosts(spec: BuildSpec): string | undefined {
  for (const [host, ip] of spec.extraHosts) {
    if (ip === 'host-gateway')
      throw bakeError(
        `extra host ${host} of target ${spec.name} is host-gateway, which BuildKit cannot resolve`,
        undefined,
        'Write the IP address of the host instead.',
      );
  }
  return spec.extraHosts.length ? spec.extraHosts.map(([h, ip]) => `${h}=${ip}`).join(',') : undefined;
}

/**
 * The spec's named contexts as frontend attrs (`context:NAME`) and inputs. A
 * linked context is its dependency's internal tag, as `docker-image://`
 * where the frontend takes named contexts (else the run rewrote the
 * Dockerfile and nothing is passed). A local directory goes as a
 * FrontendInput (`input:KEY`) over the run's session, like the build
 * context, so builds sharing it share one transfer; other kinds
 * (`docker-image://`, git and https URLs, `oci-layout://`) go to the
 * frontend as written. Without named contexts only linked ones can be honoured.
 */
function namedContexts(
  spec: BuildSpec,
  links: Links,
  dirs: ReadonlyMap<string, NamedDir>,
): { attrs: Record<string, string>; inputs: Record<string, Definition> } {
  const attrs: Record<string, string> = {};
  const inputs: Record<string, Definition> = {};
  for (const [key, value] of spec.namedContexts) {
    // Keyed by the name the frontend looks up (`docker.io/library/x:latest` is `x`), as the rewrite path matches it.
    const attr = `context:${contextName(key) ?? key}`;
    if (value.kind === 'linked') {
      const ref = links.refs.get(key);
      if (ref === undefined) throw new Error(`internal: context ${key} of target ${spec.name} has no loaded dependency`);
      if (links.namedContexts) attrs[attr] = `docker-image://${ref}`;
      continue;
    }
    if (!links.namedContexts) {
      const written = value.kind === 'remote' ? value.ref : value.written;
      throw bakeError(
        `target ${spec.name} has ${written} as context ${key}, but the builder's Dockerfile frontend lacks named contexts (${CAP_NAMED_CONTEXTS})`,
        undefined,
        'Build on BuildKit v0.10 or later (Docker 23 or later); on this builder use a target:NAME context, or copy what it holds into the build context.',
      );
    }
    if (value.kind === 'remote') {
      attrs[attr] = value.ref;
      continue;
    }
    const local = dirs.get(key);
    if (local === undefined) throw new Error(`internal: context ${key} of target ${spec.name} has no session dir`);
    const inputKey = `context-${key}`;
    inputs[inputKey] = localDefinition({
      name: local.dir.name,
      sharedKeyHint: local.dir.sharedKeyHint,
      excludePatterns: local.dockerignore === undefined ? [] : parseDockerignore(local.dockerignore),
      displayName: `[context ${key}] load from client`,
    }).definition;
    attrs[attr] = `input:${inputKey}`;
  }
  return { attrs, inputs };
}

/** What this engine cannot honour: an error now beats a build that silently ignores it. */
function refuseUnsupported(spec: BuildSpec): void {
  if (spec.attests.length)
    throw bakeError(
      `target ${spec.name} asks for ${spec.attests.map((a) => a['type']).join(' and ')} attestations, which bake does not make yet`,
      undefined,
      'Drop --provenance/--sbom (or the attest attribute).',
    );
}

/**
 * Docker's .dockerignore reading (moby 20.10 dockerignore.ReadAll): with
 * FrontendInputs the frontend does not read it, so we do (§3.2).
 */
export function parseDockerignore(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split('\n')) {
    if (raw.startsWith('#')) continue;
    let pattern = raw.trim();
    if (!pattern) continue;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern) {
      pattern = goClean(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    out.push(invert ? `!${pattern}` : pattern);
  }
  return out;
}
