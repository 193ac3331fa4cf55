/** Images: inspect, list, tag, remove, import from a root filesystem tar, pull, push. */
import type { Readable } from 'node:stream';
import { EngineApiError, EngineError } from './errors.js';
import { encodeFilters, type Filters } from './filters.js';
import type { EngineHttp } from './http.js';
import { jsonLines } from './json-lines.js';
import type { ImageImportOptions, ImageInspect, ImagePushProgress, ImageSummary, RegistryAuth } from './types.js';

interface ProgressLine {
  readonly status?: string;
  readonly error?: string;
}

type PushLine = ImagePushProgress & { readonly error?: string };

export class Images {
  constructor(private readonly http: EngineHttp) {}

  inspect(ref: string, signal: AbortSignal): Promise<ImageInspect> {
    return this.http.json({ method: 'GET', path: `/images/${encodeURIComponent(ref)}/json` }, signal);
  }

  list(filters: Filters | undefined, signal: AbortSignal): Promise<ImageSummary[]> {
    return this.http.json({ method: 'GET', path: '/images/json', query: { filters: encodeFilters(filters) } }, signal);
  }

  /** Gives `ref` the name `repo:tag` as well. */
  tag(ref: string, repo: string, tag: string, signal: AbortSignal): Promise<void> {
    return this.http.empty({ method: 'POST', path: `/images/${encodeURIComponent(ref)}/tag`, query: { repo, tag } }, signal);
  }

  async remove(ref: string, options: { readonly force?: boolean }, signal: AbortSignal): Promise<void> {
    await this.http.empty({ method: 'DELETE', path: `/images/${encodeURIComponent(ref)}`, query: { force: options.force } }, signal);
  }

  /**
   * Imports a tar of a root filesystem as `repo:tag` (`docker import`) and
   * returns the image id. The engine reports failures inside a 200 stream.
   */
  async import(tar: Readable, options: ImageImportOptions, signal: AbortSignal): Promise<string> {
    const path = '/images/create';
    const query = { fromSrc: '-', repo: options.repo, tag: options.tag, message: options.message, changes: options.changes };
    const res = await this.http.stream({ method: 'POST', path, query, body: tar, contentType: 'application/x-tar' }, signal);
    let id: string | undefined;
    for await (const line of jsonLines<ProgressLine>(res)) {
      if (line.error) throw new EngineApiError(500, line.error, 'POST', path);
      if (line.status?.startsWith('sha256:')) id = line.status;
    }
    if (id === undefined) throw new EngineApiError(500, 'the engine did not say which image it imported', 'POST', path);
    return id;
  }

  /**
   * Pulls `ref` (`docker pull`), for `platform` if given; a reference without
   * tag or digest is `:latest`. The engine reports a failed pull inside its
   * 200 stream; that line throws.
   */
  async pull(ref: string, auth: RegistryAuth | undefined, platform: string | undefined, signal: AbortSignal): Promise<void> {
    const at = ref.indexOf('@');
    const colon = ref.lastIndexOf(':');
    const [fromImage, tag] =
      at >= 0 ? [ref.slice(0, at), ref.slice(at + 1)] : colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
    const path = '/images/create';
    const res = await this.http.stream({ method: 'POST', path, query: { fromImage, tag, platform }, headers: { 'X-Registry-Auth': authHeader(auth) } }, signal);
    for await (const line of jsonLines<ProgressLine>(res)) if (line.error) throw new EngineApiError(500, line.error, 'POST', path);
  }

  /**
   * Pushes `repo:tag` to the registry its name starts with (`docker push`),
   * yielding the engine's progress lines. The engine reports a failed push
   * inside its 200 stream; that line throws an EngineError instead.
   * Without `auth` the push is anonymous.
   */
  async *push(repo: string, tag: string, auth: RegistryAuth | undefined, signal: AbortSignal): AsyncGenerator<ImagePushProgress> {
    const res = await this.http.stream(
      { method: 'POST', path: `/images/${encodeURIComponent(repo)}/push`, query: { tag }, headers: { 'X-Registry-Auth': authHeader(auth) } },
      signal,
    );
    for await (const line of jsonLines<PushLine>(res)) {
      if (line.error !== undefined) throw pushError(`${repo}:${tag}`, auth, line.error);
      yield line;
    }
  }
}

/** The engine refuses a push without the header, so anonymous is `{}`; it decodes Go's padded URL-safe base64. */
function authHeader(auth: RegistryAuth | undefined): string {
  return Buffer.from(JSON.stringify(auth ?? {}))
    .toString('base64')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
}

function pushError(ref: string, auth: RegistryAuth | undefined, error: string): EngineError {
  const host = registryHost(ref);
  // Basic-auth registries answer "unauthorized: authentication required", or "no basic auth credentials" to none; token registries "denied".
  if (/unauthorized|authentication required|no basic auth credentials|denied/i.test(error)) {
    const who = auth?.username ? `the credentials of ${auth.username}` : 'an anonymous push';
    return new EngineError(
      `the registry ${host} refused ${who} for ${ref}: authentication failed (${error})`,
      `Check the user name and password for ${host} (docker login ${host}).`,
    );
  }
  return new EngineError(`pushing ${ref} to ${host} failed: ${error}`, `Check that the registry ${host} is reachable and accepts pushes.`);
}

/** The registry of a reference as docker reads it: a first component with a dot, a port or `localhost`, else Docker Hub. */
export function registryHost(ref: string): string {
  const first = ref.split('/')[0] ?? '';
  return ref.includes('/') && (/[.:]/.test(first) || first === 'localhost') ? first : 'docker.io';
}
