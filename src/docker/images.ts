/** Images: inspect, list, tag, remove, import from a root filesystem tar. */
import type { Readable } from 'node:stream';
import { EngineApiError } from './errors.js';
import { encodeFilters, type Filters } from './filters.js';
import type { EngineHttp } from './http.js';
import { jsonLines } from './json-lines.js';
import type { ImageImportOptions, ImageInspect, ImageSummary } from './types.js';

interface ProgressLine {
  readonly status?: string;
  readonly error?: string;
}

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
}
