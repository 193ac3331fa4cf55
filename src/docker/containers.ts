/** Containers: lifecycle, inspect, list, wait, logs, attach (hijacked), resize, and their files (the archive API). */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { encodeFilters, type Filters } from './filters.js';
import { HijackedStream } from './hijacked.js';
import { readText, type EngineHttp } from './http.js';
import { readFrames, type OutputFrame } from './stdcopy.js';
import type { AttachOptions, ContainerInspect, ContainerPathStat, ContainerSpec, ContainerSummary, LogOptions, TerminalSize, WaitResult } from './types.js';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export class Containers {
  constructor(private readonly http: EngineHttp) {}

  /** Creates a container and returns its id. */
  async create(spec: ContainerSpec, name: string | undefined, signal: AbortSignal): Promise<string> {
    const res = await this.http.json<{ Id: string }>({ method: 'POST', path: '/containers/create', query: { name }, body: spec }, signal);
    return res.Id;
  }

  start(id: string, signal: AbortSignal): Promise<void> {
    return this.http.empty({ method: 'POST', path: `/containers/${id}/start` }, signal);
  }

  /** Stops with SIGTERM, then SIGKILL after `timeoutSeconds` (the engine's default when undefined). */
  stop(id: string, timeoutSeconds: number | undefined, signal: AbortSignal): Promise<void> {
    return this.http.empty({ method: 'POST', path: `/containers/${id}/stop`, query: { t: timeoutSeconds } }, signal);
  }

  remove(id: string, options: { readonly force?: boolean; readonly volumes?: boolean }, signal: AbortSignal): Promise<void> {
    return this.http.empty({ method: 'DELETE', path: `/containers/${id}`, query: { force: options.force, v: options.volumes } }, signal);
  }

  rename(id: string, name: string, signal: AbortSignal): Promise<void> {
    return this.http.empty({ method: 'POST', path: `/containers/${id}/rename`, query: { name } }, signal);
  }

  inspect(id: string, signal: AbortSignal): Promise<ContainerInspect> {
    return this.http.json({ method: 'GET', path: `/containers/${id}/json` }, signal);
  }

  /** What changed in the container's own filesystem since its image (volumes and binds are not in it): paths and kinds, 0 changed, 1 added, 2 deleted. */
  async changes(id: string, signal: AbortSignal): Promise<{ readonly Path: string; readonly Kind: 0 | 1 | 2 }[]> {
    // The engine answers null for none.
    return (await this.http.json<{ Path: string; Kind: 0 | 1 | 2 }[] | null>({ method: 'GET', path: `/containers/${id}/changes` }, signal)) ?? [];
  }

  /** Containers matching `filters` (e.g. labels), stopped ones included. */
  list(filters: Filters | undefined, signal: AbortSignal): Promise<ContainerSummary[]> {
    return this.http.json({ method: 'GET', path: '/containers/json', query: { all: true, filters: encodeFilters(filters) } }, signal);
  }

  /**
   * Resolves when the container stops. Call it before `start` with
   * `next-exit` so a quick exit cannot be missed.
   */
  async wait(id: string, condition: WaitCondition, signal: AbortSignal): Promise<WaitResult> {
    return (await this.watchExit(id, condition, signal)).exit;
  }

  /**
   * Like `wait`, but resolves as soon as the engine has registered the wait
   * (it answers with headers at once and sends the status when the container
   * stops): a `start` issued afterwards cannot slip past it.
   */
  async watchExit(id: string, condition: WaitCondition, signal: AbortSignal): Promise<{ readonly exit: Promise<WaitResult> }> {
    const res = await this.http.stream({ method: 'POST', path: `/containers/${id}/wait`, query: { condition } }, signal);
    return { exit: readText(res).then((text) => JSON.parse(text) as WaitResult) };
  }

  /** Output so far (and, with `follow`, until the container stops). */
  async *logs(id: string, options: LogOptions, signal: AbortSignal): AsyncGenerator<OutputFrame> {
    const query = {
      stdout: options.stdout ?? true,
      stderr: options.stderr ?? true,
      follow: options.follow,
      tail: options.tail,
      timestamps: options.timestamps,
    };
    yield* readFrames(await this.http.stream({ method: 'GET', path: `/containers/${id}/logs`, query }, signal), options.tty);
  }

  /** Connects to the container's stdio; attach before `start` to see all output. */
  async attach(id: string, options: AttachOptions, signal: AbortSignal): Promise<HijackedStream> {
    const query = {
      stream: true,
      stdin: options.stdin ?? false,
      stdout: options.stdout ?? true,
      stderr: options.stderr ?? true,
      logs: options.logs,
      detachKeys: options.detachKeys,
    };
    return new HijackedStream(await this.http.hijack({ method: 'POST', path: `/containers/${id}/attach`, query }, signal), options.tty);
  }

  /** Resizes the container's TTY. */
  resize(id: string, size: TerminalSize, signal: AbortSignal): Promise<void> {
    return this.http.empty({ method: 'POST', path: `/containers/${id}/resize`, query: { h: size.rows, w: size.columns } }, signal);
  }

  /** The stat of `path` in the container, running or not; a symlink's own, not its target's. */
  async statPath(id: string, path: string, signal: AbortSignal): Promise<ContainerPathStat> {
    const res = await this.http.stream({ method: 'HEAD', path: `/containers/${id}/archive`, query: { path } }, signal);
    res.resume();
    return pathStat(res);
  }

  /** `path` as a tar (a directory with its whole tree), and its stat; the caller reads or destroys `tar`. */
  async getArchive(id: string, path: string, signal: AbortSignal): Promise<{ readonly stat: ContainerPathStat; readonly tar: IncomingMessage }> {
    const tar = await this.http.stream({ method: 'GET', path: `/containers/${id}/archive`, query: { path } }, signal);
    return { stat: pathStat(tar), tar };
  }

  /** Unpacks `tar` into the directory `dir` of the container, which must exist. */
  putArchive(id: string, dir: string, tar: Buffer, signal: AbortSignal): Promise<void> {
    return this.http.empty(
      { method: 'PUT', path: `/containers/${id}/archive`, query: { path: dir }, body: Readable.from([tar]), contentType: 'application/x-tar' },
      signal,
    );
  }
}

function pathStat(res: IncomingMessage): ContainerPathStat {
  const header = res.headers['x-docker-container-path-stat'];
  if (typeof header !== 'string') throw new Error('the engine sent no X-Docker-Container-Path-Stat header with the archive');
  return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as ContainerPathStat;
}
