/** Networks (a dev session's services share one). */
import { encodeFilters, type Filters } from './filters.js';
import type { EngineHttp } from './http.js';
import type { NetworkInspect, NetworkSpec } from './types.js';

export class Networks {
  constructor(private readonly http: EngineHttp) {}

  /** Creates a network and returns its id. */
  async create(spec: NetworkSpec, signal: AbortSignal): Promise<string> {
    const res = await this.http.json<{ Id: string }>({ method: 'POST', path: '/networks/create', body: { CheckDuplicate: true, ...spec } }, signal);
    return res.Id;
  }

  inspect(id: string, signal: AbortSignal): Promise<NetworkInspect> {
    return this.http.json({ method: 'GET', path: `/networks/${encodeURIComponent(id)}` }, signal);
  }

  list(filters: Filters | undefined, signal: AbortSignal): Promise<NetworkInspect[]> {
    return this.http.json({ method: 'GET', path: '/networks', query: { filters: encodeFilters(filters) } }, signal);
  }

  remove(id: string, signal: AbortSignal): Promise<void> {
    return this.http.empty({ method: 'DELETE', path: `/networks/${encodeURIComponent(id)}` }, signal);
  }
}
