/** Processes started in a running container (`docker exec`), hijacked for their stdio. */
import { HijackedStream } from './hijacked.js';
import type { EngineHttp } from './http.js';
import type { ExecInspect, ExecSpec, TerminalSize } from './types.js';

/** ExecInspect with what tells an interactive exec (bake's, `docker exec -it`) from a health probe or a detached one. */
export interface ExecDetails extends ExecInspect {
  readonly OpenStdin: boolean;
  readonly ProcessConfig: { readonly tty: boolean; readonly entrypoint: string; readonly arguments: readonly string[] };
}

export class Execs {
  constructor(private readonly http: EngineHttp) {}

  /** Creates an exec instance and returns its id. */
  async create(containerId: string, spec: ExecSpec, signal: AbortSignal): Promise<string> {
    const res = await this.http.json<{ Id: string }>({ method: 'POST', path: `/containers/${containerId}/exec`, body: spec }, signal);
    return res.Id;
  }

  /** Starts it and hands over its stdio; `tty` must match the spec's `Tty`. */
  async start(id: string, tty: boolean, signal: AbortSignal): Promise<HijackedStream> {
    return new HijackedStream(await this.http.hijack({ method: 'POST', path: `/exec/${id}/start`, body: { Detach: false, Tty: tty } }, signal), tty);
  }

  resize(id: string, size: TerminalSize, signal: AbortSignal): Promise<void> {
    return this.http.empty({ method: 'POST', path: `/exec/${id}/resize`, query: { h: size.rows, w: size.columns } }, signal);
  }

  inspect(id: string, signal: AbortSignal): Promise<ExecDetails> {
    return this.http.json({ method: 'GET', path: `/exec/${id}/json` }, signal);
  }
}
