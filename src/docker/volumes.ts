/** Named volumes (a session's data outlives its containers). */
import { encodeFilters, type Filters } from './filters.js';
import type { EngineHttp } from './http.js';
import type { VolumeInspect, VolumeSpec } from './types.js';

export class Volumes {
  constructor(private readonly http: EngineHttp) {}

  create(spec: VolumeSpec, signal: AbortSignal): Promise<VolumeInspect> {
    return this.http.json({ method: 'POST', path: '/volumes/create', body: spec }, signal);
  }

  inspect(name: string, signal: AbortSignal): Promise<VolumeInspect> {
    return this.http.json({ method: 'GET', path: `/volumes/${encodeURIComponent(name)}` }, signal);
  }

  async list(filters: Filters | undefined, signal: AbortSignal): Promise<VolumeInspect[]> {
    const res = await this.http.json<{ Volumes: VolumeInspect[] | null }>(
      { method: 'GET', path: '/volumes', query: { filters: encodeFilters(filters) } },
      signal,
    );
    return res.Volumes ?? [];
  }

  remove(name: string, options: { readonly force?: boolean }, signal: AbortSignal): Promise<void> {
    return this.http.empty({ method: 'DELETE', path: `/volumes/${encodeURIComponent(name)}`, query: { force: options.force } }, signal);
  }
}
