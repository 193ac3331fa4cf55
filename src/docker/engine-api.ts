/**
 * The Docker Engine API client: one object per engine, grouped as the API is.
 * Our own small client on node:http rather than dockerode: it loads in a few
 * milliseconds where dockerode takes 60-120 ms and 56 packages (ssh2 with a
 * native build, a second grpc-js and proto-loader), its types are the API's
 * own under exactOptionalPropertyTypes (dockerode has none of its own), and
 * the hijack is ours to shape: half-close of stdin, output read across loops.
 */
import { Containers } from './containers.js';
import { resolveEngineEndpoint, type EngineEndpoint } from './endpoint.js';
import { Execs } from './exec.js';
import { encodeFilters, type Filters } from './filters.js';
import { EngineHttp, readText } from './http.js';
import { Images } from './images.js';
import { jsonLines } from './json-lines.js';
import { Networks } from './networks.js';
import type { EngineEvent, EngineInfo, EngineVersion } from './types.js';
import { Volumes } from './volumes.js';

export class DockerEngine {
  readonly images: Images;
  readonly containers: Containers;
  readonly execs: Execs;
  readonly networks: Networks;
  readonly volumes: Volumes;
  private readonly http: EngineHttp;

  constructor(readonly endpoint: EngineEndpoint) {
    this.http = new EngineHttp(endpoint);
    this.images = new Images(this.http);
    this.containers = new Containers(this.http);
    this.execs = new Execs(this.http);
    this.networks = new Networks(this.http);
    this.volumes = new Volumes(this.http);
  }

  /** The engine bake would use with this environment (see resolveEngineEndpoint). */
  static fromEnv(env: Readonly<Record<string, string | undefined>>): DockerEngine {
    return new DockerEngine(resolveEngineEndpoint(env).endpoint);
  }

  /** True when the engine answers `OK` on /_ping. */
  async ping(signal: AbortSignal): Promise<boolean> {
    return (await readText(await this.http.stream({ method: 'GET', path: '/_ping' }, signal))) === 'OK';
  }

  version(signal: AbortSignal): Promise<EngineVersion> {
    return this.http.json({ method: 'GET', path: '/version' }, signal);
  }

  info(signal: AbortSignal): Promise<EngineInfo> {
    return this.http.json({ method: 'GET', path: '/info' }, signal);
  }

  /**
   * Subscribes to engine events. Resolves once the engine has accepted the
   * subscription, so anything done afterwards is seen; ends when `signal` aborts.
   */
  async events(filters: Filters | undefined, signal: AbortSignal): Promise<AsyncGenerator<EngineEvent>> {
    return jsonLines<EngineEvent>(await this.http.stream({ method: 'GET', path: '/events', query: { filters: encodeFilters(filters) } }, signal));
  }

  /** Closes idle connections. */
  close(): void {
    this.http.close();
  }
}
