/**
 * A resolved bake target → the SolveRequest for BuildKit's `dockerfile.v0`
 * frontend (protocol §3), plus what the run's session must serve for it
 * (secrets, SSH agents, the exporter's files). Pure: directories arrive as
 * session dir names and file texts, so tests need no disk.
 */
import { posix } from 'node:path';
import { bakeError } from '../core/diagnostics.js';
import { goClean } from '../golang/path.js';
import { sshPaths } from '../bakefile/entries.js';
import type { Entry, Target } from '../bakefile/model.js';
import type { CacheOptionsEntry, Definition, SolveRequest } from './control.js';
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
  readonly target: Target;
  readonly ref: string;
  readonly context: SessionDir;
  /** The Dockerfile's directory; `dockerfileName` is the file inside it. */
  readonly dockerfileDir: SessionDir;
  readonly dockerfileName: string;
  /** The text of the .dockerignore that applies (`<Dockerfile>.dockerignore` first), if any. */
  readonly dockerignore: string | undefined;
  /** Absolute dir that relative output destinations are relative to. */
  readonly cwd: string;
  /** $SSH_AUTH_SOCK: the agent an ssh entry without paths forwards. */
  readonly sshAuthSock: string | undefined;
  /**
   * The builder is a Docker engine (its image store is the `moby` exporter):
   * `image` outputs load there, and pushing is the engine's push after the load.
   * A standalone BuildKit keeps images itself and pushes with its `image` exporter.
   */
  readonly imageStore: boolean;
  /** Absent: the target has no contexts. */
  readonly links?: Links;
  /** The session dirs of the target's local-directory named contexts, by context key. */
  readonly namedDirs?: ReadonlyMap<string, NamedDir>;
}

/** A local directory passed as a named context, with the .dockerignore of its own that applies to it. */
export interface NamedDir {
  readonly dir: SessionDir;
  readonly dockerignore: string | undefined;
}

/**
 * How the target's `target:` contexts reach the frontend: build.ts loaded
 * each dependency into the image store under its internal tag (dockerfile/links.ts).
 */
export interface Links {
  /** Context key → the dependency's internal tag. */
  readonly refs: ReadonlyMap<string, string>;
  /**
   * The frontend takes `context:NAME` attrs: the refs go there. False: the
   * Dockerfile served already names the refs instead. Undefined: not probed,
   * because the target has no contexts.
   */
  readonly namedContexts: boolean | undefined;
}

export interface SolvePlan {
  /** Without `Session`: the run's session is made from this plan, then named in it. */
  readonly request: SolveRequest;
  readonly secrets: ReadonlyMap<string, SecretSpec>;
  readonly ssh: ReadonlyMap<string, readonly string[]>;
  readonly fileSend: FileSendSpec | undefined;
  /** Image references to push through the engine once the `moby` exporter has loaded them. */
  readonly pushAfterLoad: readonly string[];
}

/** A context BuildKit fetches itself (a URL such as https:// or docker-image://, or a git@ remote) rather than a local directory. */
export function isRemoteContext(context: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(context) || context.startsWith('git@');
}

export function solvePlan(input: SolveInput): SolvePlan {
  const t = input.target;
  const links = input.links ?? { refs: new Map(), namedContexts: undefined };
  const named = namedContexts(t, links, input.namedDirs ?? new Map());
  const attrs: Record<string, string> = {
    filename: input.dockerfileName,
    // The build context and Dockerfile come as FrontendInputs: fail at once on a frontend without them (or without named contexts, when we pass some).
    'frontend.caps': Object.keys(named.attrs).length ? `${CAP_FRONTEND_INPUTS},${CAP_NAMED_CONTEXTS}` : CAP_FRONTEND_INPUTS,
    ...named.attrs,
  };
  for (const [k, v] of Object.entries(t.args ?? {})) if (v !== null) attrs[`build-arg:${k}`] = v;
  for (const [k, v] of Object.entries(t.labels ?? {})) if (v !== null) attrs[`label:${k}`] = v;
  if (t.target) attrs['target'] = t.target;
  if (t.platforms?.length) attrs['platform'] = t.platforms.join(',');
  if (t['no-cache']) attrs['no-cache'] = '';
  else if (t['no-cache-filter']?.length) attrs['no-cache'] = t['no-cache-filter'].join(',');
  // The resolve mode covers every image the build reads, and an internal tag exists only in the local image store: pulling it would fail.
  // With links, build.ts pulls the other images through the engine first instead.
  if (t.pull && !links.refs.size) attrs['image-resolve-mode'] = 'pull';
  const network = networkMode(t);
  if (network) attrs['force-network-mode'] = network;
  const hosts = addHosts(t);
  if (hosts) attrs['add-hosts'] = hosts;
  refuseUnsupported(t);

  const cacheImports = (t['cache-from'] ?? []).map(cacheEntry);
  if (cacheImports.length) attrs['cache-imports'] = JSON.stringify(cacheImports);
  const cacheExports = (t['cache-to'] ?? []).map(cacheEntry);
  const exp = exporter(t, input);
  const excludes = input.dockerignore === undefined ? [] : parseDockerignore(input.dockerignore);
  const context = localDefinition({ name: input.context.name, sharedKeyHint: input.context.sharedKeyHint, excludePatterns: excludes, displayName: '[internal] load build context' });
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
    ...(cacheImports.length || cacheExports.length ? { Cache: { Imports: cacheImports, Exports: cacheExports } } : {}),
    ...(t.entitlements?.length ? { Entitlements: t.entitlements } : {}),
  };
  return { request, secrets: secrets(t, input.cwd), ssh: sshAgents(t, input.cwd, input.sshAuthSock), fileSend: exp.fileSend, pushAfterLoad: exp.pushAfterLoad };
}

interface ExportPlan {
  readonly type: string;
  readonly attrs: Record<string, string>;
  readonly fileSend: FileSendSpec | undefined;
  readonly pushAfterLoad: readonly string[];
}

/**
 * The target's one output (BuildKit before v0.13 exports once per Solve, so
 * build.ts solves a target with several outputs once per output).
 * No output means loading into the engine, as buildx's docker driver does.
 * Loading uses dockerd's `moby` exporter; a builder without it says so when
 * the Solve starts, which costs nothing up front (build.ts words that error).
 */
function exporter(t: Target, input: SolveInput): ExportPlan {
  const outputs = t.output ?? [];
  if (outputs.length > 1) throw new Error(`internal: solvePlan takes one output, target ${t.name} has ${outputs.length}`);
  const out: Entry = outputs[0] ?? { type: 'docker' };
  const type = out['type'] ?? '';
  const dest = out['dest'] === undefined ? undefined : posix.resolve(input.cwd, out['dest']);
  const images = out['name'] ? out['name'].split(',') : (t.tags ?? []);
  const named = images.length ? { name: images.join(',') } : {};
  switch (type) {
    case 'cacheonly':
      return { type: '', attrs: {}, fileSend: undefined, pushAfterLoad: [] };
    case 'local':
    case 'tar':
      if (!dest) throw bakeError(`the ${type} output of target ${t.name} has no dest`, undefined, `Write output = ["type=${type},dest=PATH"].`);
      return { type, attrs: {}, fileSend: { kind: type, dest }, pushAfterLoad: [] };
    case 'oci':
    case 'docker':
      // An image tarball arrives through FileSend like a tar; a builder without the exporter says so at once (build.ts words it).
      if (dest) return { type, attrs: named, fileSend: { kind: 'tar', dest }, pushAfterLoad: [] };
      if (type === 'oci') throw bakeError(`the oci output of target ${t.name} has no dest`, undefined, 'Write output = ["type=oci,dest=PATH.tar"].');
      return load(t, named, []);
    case 'image':
    case 'registry': {
      const push = type === 'registry' || out['push'] === 'true';
      if (push && !images.length) throw bakeError(`target ${t.name} asks to push but names no image`, undefined, 'Give it tags = ["registry/repo:tag"], or name=... in the output.');
      if (!input.imageStore) return { type: 'image', attrs: { ...named, ...(push ? { push: 'true' } : {}) }, fileSend: undefined, pushAfterLoad: [] };
      return load(t, named, push ? images : []);
    }
    default:
      throw bakeError(`target ${t.name} has an output of type ${type || '(none)'}, which bake cannot export yet`, undefined, 'Use type=docker, image, registry, local, tar, oci or cacheonly.');
  }
}

/** Loading into the Docker engine's image store: dockerd's `moby` exporter, one platform. */
function load(t: Target, named: Record<string, string>, pushAfterLoad: readonly string[]): ExportPlan {
  if ((t.platforms?.length ?? 0) > 1) throw bakeError(`target ${t.name} builds ${t.platforms?.length} platforms, but Docker's image store holds one`, undefined, 'Build one platform, or use an output of type local, tar or oci.');
  return { type: 'moby', attrs: named, fileSend: undefined, pushAfterLoad };
}

function networkMode(t: Target): string | undefined {
  const n = t.network;
  if (n === undefined || n === '' || n === 'default') return undefined;
  if (n === 'host' || n === 'none') return n;
  throw bakeError(`target ${t.name} has network ${n}, which BuildKit does not know`, undefined, 'Use network = "default", "host" or "none".');
}

/** add-hosts takes IP literals only: `host-gateway` is a docker /build feature (§3.1). */
function addHosts(t: Target): string | undefined {
  const hosts = Object.entries(t['extra-hosts'] ?? {}).filter((e): e is [string, string] => e[1] !== null);
  for (const [host, ip] of hosts) {
    if (ip === 'host-gateway') throw bakeError(`extra host ${host} of target ${t.name} is host-gateway, which BuildKit cannot resolve`, undefined, 'Write the IP address of the host instead.');
  }
  return hosts.length ? hosts.map(([h, ip]) => `${h}=${ip}`).join(',') : undefined;
}

/**
 * The target's contexts as frontend attrs (`context:NAME`) and inputs. A
 * `target:` context is its dependency's internal tag, as `docker-image://`
 * where the frontend takes named contexts (else build.ts rewrote the
 * Dockerfile and nothing is passed). A local directory goes as a
 * FrontendInput (`input:KEY`) over the run's session, like the build
 * context, so targets sharing it share one transfer; other kinds
 * (`docker-image://`, git and https URLs, `oci-layout://`) go to the
 * frontend as written. Without named contexts only `target:` can be honoured.
 */
function namedContexts(t: Target, links: Links, dirs: ReadonlyMap<string, NamedDir>): { attrs: Record<string, string>; inputs: Record<string, Definition> } {
  const attrs: Record<string, string> = {};
  const inputs: Record<string, Definition> = {};
  for (const [key, value] of Object.entries(t.contexts ?? {})) {
    // Keyed by the name the frontend looks up (`docker.io/library/x:latest` is `x`), as the rewrite path matches it.
    const attr = `context:${contextName(key) ?? key}`;
    if (value.startsWith('target:')) {
      const ref = links.refs.get(key);
      if (ref === undefined) throw new Error(`internal: context ${key} of target ${t.name} has no loaded dependency`);
      if (links.namedContexts) attrs[attr] = `docker-image://${ref}`;
      continue;
    }
    if (!links.namedContexts) {
      throw bakeError(`target ${t.name} has ${value} as context ${key}, but the builder's Dockerfile frontend lacks named contexts (${CAP_NAMED_CONTEXTS})`, undefined, 'Build on BuildKit v0.10 or later (Docker 23 or later); on this builder use a target:NAME context, or copy what it holds into the build context.');
    }
    if (isRemoteContext(value)) {
      attrs[attr] = value;
      continue;
    }
    const local = dirs.get(key);
    if (local === undefined) throw new Error(`internal: context ${key} of target ${t.name} has no session dir`);
    const inputKey = `context-${key}`;
    inputs[inputKey] = localDefinition({ name: local.dir.name, sharedKeyHint: local.dir.sharedKeyHint, excludePatterns: local.dockerignore === undefined ? [] : parseDockerignore(local.dockerignore), displayName: `[context ${key}] load from client` }).definition;
    attrs[attr] = `input:${inputKey}`;
  }
  return { attrs, inputs };
}

/** Attributes this engine cannot honour: an error now beats a build that silently ignores them. */
function refuseUnsupported(t: Target): void {
  const attest = (t.attest ?? []).filter((a) => a['disabled'] !== 'true');
  if (attest.length) throw bakeError(`target ${t.name} asks for ${attest.map((a) => a['type']).join(' and ')} attestations, which bake does not make yet`, undefined, 'Drop --provenance/--sbom (or the attest attribute).');
}

function cacheEntry(e: Entry): CacheOptionsEntry {
  const { type = '', ...attrs } = e;
  return { Type: type, Attrs: attrs };
}

/** Secret entries → what the session serves: `type=env` reads a variable (its name defaults to src, then id); files are relative to cwd. */
export function secrets(t: Target, cwd: string): Map<string, SecretSpec> {
  const out = new Map<string, SecretSpec>();
  for (const s of t.secret ?? []) {
    const id = s['id'];
    if (!id) throw bakeError(`a secret of target ${t.name} has no id`, undefined, 'Write secret = ["id=NAME,src=PATH"].');
    const src = s['src'] ?? s['source'];
    const env = s['env'];
    if (s['type'] === 'env') out.set(id, { env: env ?? src ?? id });
    else out.set(id, { ...(src !== undefined ? { src: posix.resolve(cwd, src) } : {}), ...(env !== undefined ? { env } : {}) });
  }
  return out;
}

/** SSH entries → agent sockets, relative to cwd; an entry without paths forwards $SSH_AUTH_SOCK, as buildx does. */
function sshAgents(t: Target, cwd: string, authSock: string | undefined): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  for (const e of t.ssh ?? []) {
    const id = e['id'] || 'default';
    const paths = sshPaths(e);
    if (!paths.length && !authSock) throw bakeError(`ssh ${id} of target ${t.name} names no agent socket and SSH_AUTH_SOCK is not set`, undefined, `Start an ssh-agent, or write ssh = ["${id}=/path/to/agent.sock"].`);
    out.set(id, paths.length ? paths.map((p) => posix.resolve(cwd, p)) : [authSock as string]);
  }
  return out;
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
