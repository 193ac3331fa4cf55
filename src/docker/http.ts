/**
 * HTTP/1.1 to the Engine API over a unix socket or TCP, with node:http only:
 * JSON calls, raw streams, and hijacks (`Connection: Upgrade`, as the docker
 * CLI does for attach and exec: the engine answers 101 and the socket then
 * carries the process's raw stdio both ways).
 */
import { Agent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { EngineApiError, EngineError } from './errors.js';
import type { EngineEndpoint } from './endpoint.js';

/** A list is a repeated parameter (`changes=…&changes=…`). */
export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface EngineRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** A JSON body, or a stream sent as-is (image import). */
  readonly body?: unknown;
  readonly contentType?: string;
  /** Extra request headers (`X-Registry-Auth` for a push). */
  readonly headers?: Readonly<Record<string, string>>;
}

export class EngineHttp {
  // Keep-alive: most calls are short and back to back; idle sockets are unref'd and don't hold the process.
  private readonly agent = new Agent({ keepAlive: true });

  constructor(readonly endpoint: EngineEndpoint) {}

  /** The response of a call that succeeded (2xx); other statuses throw EngineApiError with the daemon's message. */
  async stream(req: EngineRequest, signal: AbortSignal): Promise<IncomingMessage> {
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const r = httpRequest(this.options(req, signal, this.agent), resolve);
      r.on('error', (e) => reject(this.connectError(e, signal)));
      sendBody(r, req.body);
    });
    if ((res.statusCode ?? 500) >= 300) throw await apiError(res, req);
    return res;
  }

  async json<T>(req: EngineRequest, signal: AbortSignal): Promise<T> {
    const text = await readText(await this.stream(req, signal));
    return JSON.parse(text) as T;
  }

  /** A call whose answer has no body we use (204 or a small status). */
  async empty(req: EngineRequest, signal: AbortSignal): Promise<void> {
    (await this.stream(req, signal)).resume();
  }

  /**
   * Upgrades the connection and hands over its socket. Bytes that arrived with
   * the 101 already belong to the stream and are put back (protocol §1a).
   */
  hijack(req: EngineRequest, signal: AbortSignal): Promise<Socket> {
    return new Promise<Socket>((resolve, reject) => {
      // A fresh connection: an upgraded socket never goes back to a pool.
      const r = httpRequest({ ...this.options(req, signal, false), headers: { ...this.headers(req), Connection: 'Upgrade', Upgrade: 'tcp' } });
      r.on('upgrade', (_res, socket: Socket, head: Buffer) => {
        if (head.length > 0) socket.unshift(head);
        const abort = (): void => void socket.destroy(signal.reason as Error);
        signal.addEventListener('abort', abort, { once: true });
        socket.once('close', () => signal.removeEventListener('abort', abort));
        resolve(socket);
      });
      r.on('response', (res) => {
        if ((res.statusCode ?? 500) >= 300) apiError(res, req).then(reject, reject);
        else {
          res.resume();
          reject(
            new EngineError(`the engine at ${this.endpoint.address} did not upgrade ${req.path} (HTTP ${res.statusCode})`, 'Use Docker Engine 20.10 or newer.'),
          );
        }
      });
      r.on('error', (e) => reject(this.connectError(e, signal)));
      sendBody(r, req.body);
    });
  }

  /** Closes idle connections. */
  close(): void {
    this.agent.destroy();
  }

  private options(req: EngineRequest, signal: AbortSignal, agent: Agent | false): RequestOptions & { servername: string } {
    const where = this.endpoint.kind === 'unix' ? { socketPath: this.endpoint.socketPath } : { host: this.endpoint.host, port: this.endpoint.port };
    // An empty servername: node's agent otherwise derives one from the Host header through net.isIP,
    // whose first calls compile its address regexes (~10 ms of every run). No TLS here uses it.
    return { ...where, servername: '', method: req.method, path: req.path + queryString(req.query), headers: this.headers(req), agent, signal };
  }

  private headers(req: EngineRequest): Record<string, string> {
    const headers: Record<string, string> = { ...req.headers, Host: 'docker' };
    if (req.body === undefined) return headers;
    headers['Content-Type'] = req.contentType ?? 'application/json';
    if (!isStream(req.body)) headers['Content-Length'] = String(Buffer.byteLength(JSON.stringify(req.body)));
    return headers;
  }

  private connectError(e: Error, signal: AbortSignal): Error {
    if (signal.aborted) return e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES') {
      return new EngineError(
        `cannot reach the Docker engine at ${this.endpoint.address} (${code})`,
        'Start one with `bake engine start`, or point DOCKER_HOST at a running engine.',
      );
    }
    return e;
  }
}

function sendBody(r: ReturnType<typeof httpRequest>, body: unknown): void {
  if (body === undefined) r.end();
  else if (isStream(body)) body.on('error', (e) => r.destroy(e)).pipe(r);
  else r.end(JSON.stringify(body));
}

function isStream(body: unknown): body is Readable {
  return typeof body === 'object' && body !== null && typeof (body as Readable).pipe === 'function';
}

export function queryString(query: Readonly<Record<string, QueryValue>> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) for (const v of value as readonly string[]) params.append(key, v);
    else if (value !== undefined) params.set(key, String(value));
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

export async function readText(res: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function apiError(res: IncomingMessage, req: EngineRequest): Promise<EngineApiError> {
  const text = await readText(res);
  let message = text.trim();
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? message;
  } catch {
    // Not JSON (a proxy's page, say): keep the text.
  }
  return new EngineApiError(res.statusCode ?? 500, message || `HTTP ${res.statusCode}`, req.method, req.path);
}
