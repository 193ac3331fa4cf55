/**
 * Build avoidance, as Skaffold's artifact cache and make do it: a target
 * whose inputs have not changed since its last build, and whose image is
 * still in the engine under every tag, is not sent to BuildKit at all.
 *
 * The inputs are what decides BuildKit's result: the resolved target, the
 * Dockerfile, the .dockerignore, every file of the context that survives it
 * (path, mode, size, mtime: the fields BuildKit's own kept copy compares to
 * decide a file is unchanged, protocol §5.6) and the image ID of every base
 * image, from the engine's store. Only plain loads qualify: no push or
 * other export (their side effects must happen), no secrets or SSH (their
 * content is not ours to read), no named contexts but `target:` links (the
 * linked target's image ID is an input then), no --no-cache or --pull, and
 * only bases the store holds (a registry's image could have moved). Any
 * doubt means "build", never a stale "up to date".
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Target } from '../bakefile/model.js';
import { isRemoteContext } from '../buildkit/build-spec.js';
import type { ContextWalks } from '../buildkit/session/context-walks.js';
import type { WalkEntry } from '../buildkit/session/walk.js';
import { parseDockerignore } from '../buildkit/solve-request.js';
import { rewriteDockerfile } from '../dockerfile/links.js';
import { EngineApiError } from '../docker/errors.js';
import type { Images } from '../docker/images.js';
import { writeWholeFile } from '../docker/whole-file.js';

/** Bumped whenever what goes into a fingerprint changes, so old records never match. */
const FORMAT = 2;

export interface UpToDateInputs {
  readonly target: Target;
  readonly contextPath: string;
  /** The Dockerfile's text; undefined when it is missing (the build reports that). */
  readonly dockerfile: string | undefined;
  readonly dockerignore: string | undefined;
  /** The context's followpaths, as its build sends them; undefined: the whole context. */
  readonly contextPaths: readonly string[] | undefined;
  /** The image ID each `target:` context names, by context key (what the linked target built or last built). */
  readonly links: ReadonlyMap<string, string>;
  /** The engine as the user addressed it: records of one engine never answer for another. */
  readonly engineAddress: string;
  /** The engine's image store, where the bases and the last build's image must be. */
  readonly images: Pick<Images, 'inspect'>;
  /**
   * Whether the last build's image must still be in the store. False only for
   * a target that is merely linked, asked without building: a run removes
   * its image when it ends, and only its ID (its dependants' input) matters.
   */
  readonly imageNeeded: boolean;
  /** Where records live ($XDG_STATE_HOME/bake/up-to-date). */
  readonly stateDir: string;
  /** The run's digests of context directories, by path and exclusions: each is made once per run, however many targets share it. */
  readonly contextDigests: Map<string, Promise<string>>;
  /** The run's walks of its contexts: the one a digest is made of is the one its build sends. */
  readonly contextWalks: ContextWalks;
  readonly signal: AbortSignal;
}

export type UpToDate =
  /** Nothing changed: the last build's exporter response, still true of the engine. */
  | { readonly kind: 'hit'; readonly exporterResponse: Readonly<Record<string, string>> }
  /**
   * Build, then `record` what the build answered. A record that cannot be
   * written (the disk is full) is only a lost shortcut: record leaves no part
   * of it behind and says why, and the next run builds again.
   */
  | { readonly kind: 'miss'; record(exporterResponse: Readonly<Record<string, string>>): string | undefined };

/** Why a target is always built; undefined when it may be skipped. Pure. */
export function alwaysBuilt(t: Target): string | undefined {
  if (t['no-cache'] || t['no-cache-filter']?.length) return 'no-cache';
  if (t.pull) return 'pull';
  if (t.secret?.length || t.ssh?.length) return 'secrets or ssh';
  if (Object.values(t.contexts ?? {}).some((c) => !c.startsWith('target:'))) return 'named contexts';
  if (t['cache-to']?.length) return 'cache export';
  if ((t.platforms?.length ?? 0) > 1) return 'several platforms';
  if (t.call !== undefined && t.call !== 'build') return 'call';
  if (!(t.output ?? []).every((o) => o['type'] === 'docker' && o['dest'] === undefined && Object.keys(o).length === 1))
    return 'outputs other than a plain load';
  if (isRemoteContext(t.context ?? '')) return 'remote context';
  return undefined;
}

/** Checks a target; undefined when it must be built without a record (see alwaysBuilt, bases not in the store). */
export async function checkUpToDate(inputs: UpToDateInputs): Promise<UpToDate | undefined> {
  const t = inputs.target;
  if (alwaysBuilt(t) !== undefined || inputs.dockerfile === undefined) return undefined;
  if (Object.keys(t.contexts ?? {}).some((key) => !inputs.links.has(key))) return undefined;
  const bases = await baseImageIds(inputs.dockerfile, t, inputs.links, inputs.images, inputs.signal);
  if (!bases) return undefined;
  const excludePatterns = inputs.dockerignore === undefined ? [] : parseDockerignore(inputs.dockerignore);
  const followPaths = inputs.contextPaths;
  const walkKey = `${inputs.contextPath}\0${JSON.stringify(excludePatterns)}\0${JSON.stringify(followPaths ?? null)}`;
  let files = inputs.contextDigests.get(walkKey);
  if (!files)
    inputs.contextDigests.set(
      walkKey,
      (files = contextDigest(inputs.contextWalks.list(inputs.contextPath, { excludePatterns, ...(followPaths ? { followPaths } : {}) }, inputs.signal))),
    );
  let digest: string;
  try {
    digest = await files;
  } catch (e) {
    if (inputs.signal.aborted) throw e;
    // A context it cannot walk (an unreadable directory) is built: the transfer then says what it cannot read, and the fix.
    return undefined;
  }
  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify({
        FORMAT,
        engine: inputs.engineAddress,
        target: t,
        dockerfile: inputs.dockerfile,
        dockerignore: inputs.dockerignore ?? null,
        bases,
        links: Object.fromEntries(inputs.links),
        files: digest,
      }),
    )
    .digest('hex');
  const file = join(
    inputs.stateDir,
    `${createHash('sha256').update(`${inputs.engineAddress}\0${inputs.contextPath}\0${t.name}`).digest('hex').slice(0, 32)}.json`,
  );
  const last = readRecord(file);
  if (last?.fingerprint === fingerprint && (!inputs.imageNeeded || (await stillTagged(last.exporterResponse, t.tags ?? [], inputs.images, inputs.signal)))) {
    return { kind: 'hit', exporterResponse: last.exporterResponse };
  }
  return {
    kind: 'miss',
    record(exporterResponse) {
      // Whole, so a concurrent run never reads half a record.
      try {
        mkdirSync(inputs.stateDir, { recursive: true, mode: 0o700 });
        writeWholeFile(file, JSON.stringify({ fingerprint, exporterResponse }));
        return undefined;
      } catch (e) {
        return `bake could not record that ${t.name} is built (${(e as Error).message}), so the next run builds it again; free space in ${inputs.stateDir} or set XDG_STATE_HOME to a directory with room`;
      }
    },
  };
}

/** What BuildKit's kept copy compares of each file the context sends (protocol §5.6), hashed in walk order. */
async function contextDigest(walked: Promise<readonly WalkEntry[]>): Promise<string> {
  const hash = createHash('sha256');
  for (const { stat } of await walked) hash.update(`${stat.path}\0${stat.mode}\0${stat.size}\0${stat.modTime}\0${stat.linkname}\0`);
  return hash.digest('hex');
}

interface UpToDateRecord {
  readonly fingerprint: string;
  readonly exporterResponse: Readonly<Record<string, string>>;
}

function readRecord(file: string): UpToDateRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as Partial<UpToDateRecord>;
    return typeof r.fingerprint === 'string' && r.exporterResponse && typeof r.exporterResponse === 'object' ? (r as UpToDateRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** The store's image ID for each image the Dockerfile reads but its links; undefined when one is not there (or is not a plain reference). */
async function baseImageIds(
  dockerfile: string,
  t: Target,
  links: ReadonlyMap<string, string>,
  images: Pick<Images, 'inspect'>,
  signal: AbortSignal,
): Promise<Record<string, string> | undefined> {
  const ids: Record<string, string> = {};
  for (const ref of rewriteDockerfile(dockerfile, links, t.args ?? {}).images) {
    if (ref.includes('$')) return undefined;
    const id = await imageId(ref, images, signal);
    if (id === undefined) return undefined;
    ids[ref] = id;
  }
  return ids;
}

/** The built image is still the one every tag names (a later `docker build -t` may have moved one). */
async function stillTagged(
  response: Readonly<Record<string, string>>,
  tags: readonly string[],
  images: Pick<Images, 'inspect'>,
  signal: AbortSignal,
): Promise<boolean> {
  const id = response['containerimage.digest'];
  if (!id) return false;
  for (const ref of tags.length ? tags : [id]) if ((await imageId(ref, images, signal)) !== id) return false;
  return true;
}

async function imageId(ref: string, images: Pick<Images, 'inspect'>, signal: AbortSignal): Promise<string | undefined> {
  try {
    return (await images.inspect(ref, signal)).Id;
  } catch (e) {
    if (e instanceof EngineApiError && e.status === 404) return undefined;
    throw e;
  }
}
