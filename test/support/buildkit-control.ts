/**
 * A minimal Control client for the session tests: dockerd's `/grpc` route
 * behind an in-process unix-socket proxy (grpc-js cannot take a connected
 * socket), plus a Duplex that carries a session over `Control.Session`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { credentials, loadPackageDefinition, Metadata, type Client, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { BuildSession } from '../../src/buildkit/session/index.js';
import { packageRoot } from '../../src/buildkit/session/protos.js';
import { resolveEngineEndpoint } from '../../src/docker/endpoint.js';

/** The engine bake itself would use (DOCKER_HOST, the embedded engine, the system socket); unix sockets only. */
export function dockerSocketPath(): string {
  const { endpoint } = resolveEngineEndpoint(process.env);
  if (endpoint.kind !== 'unix') throw new Error(`The session tests need a unix:// engine, not ${endpoint.address}.`);
  return endpoint.socketPath;
}

export interface SolveRequest {
  Ref: string;
  Exporter?: string;
  ExporterAttrs?: Record<string, string>;
  Session: string;
  Frontend?: string;
  FrontendAttrs?: Record<string, string>;
}

export interface SolveResponse {
  ExporterResponse: Record<string, string>;
}

interface BytesMessage {
  data: Buffer;
}

type Unary<Req, Res> = (req: Req, cb: (err: ServiceError | null, res: Res) => void) => void;
interface ControlStub extends Client {
  Solve: Unary<SolveRequest, SolveResponse>;
  Session(md: Metadata): ClientDuplexStream<BytesMessage, BytesMessage>;
  Status(req: { Ref: string }): NodeJS.ReadableStream;
}

export class ControlClient {
  private readonly proxyDir = mkdtempSync(join(tmpdir(), 'bake-grpc-'));
  private readonly sockets = new Set<Socket>();
  private readonly proxy: NetServer;
  private readonly stub: ControlStub;

  private constructor(private readonly dockerSocket: string) {
    this.proxy = createServer({ pauseOnConnect: true }, (conn) => this.forward(conn));
    this.proxy.listen(join(this.proxyDir, 'grpc.sock'));
    const def = loadSync('control.proto', { includeDirs: [join(packageRoot(), 'test', 'support')], keepCase: true, longs: String, defaults: true });
    const pkg = loadPackageDefinition(def) as unknown as { moby: { buildkit: { v1: { Control: new (target: string, creds: ReturnType<typeof credentials.createInsecure>) => ControlStub } } } };
    this.stub = new pkg.moby.buildkit.v1.Control(`unix://${join(this.proxyDir, 'grpc.sock')}`, credentials.createInsecure());
  }

  static async connect(dockerSocket = dockerSocketPath()): Promise<ControlClient> {
    const client = new ControlClient(dockerSocket);
    await new Promise<void>((resolve, reject) => {
      client.proxy.once('listening', resolve);
      client.proxy.once('error', reject);
    });
    return client;
  }

  /** One proxied connection: the `/grpc` upgrade on a fresh engine connection, then bytes both ways. */
  private forward(conn: Socket): void {
    const engine = connect(this.dockerSocket);
    this.sockets.add(conn).add(engine);
    const drop = (): void => {
      conn.destroy();
      engine.destroy();
    };
    conn.on('close', drop).on('error', drop);
    engine.on('close', drop).on('error', drop);
    engine.write('POST /grpc HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n');
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      engine.off('data', onData);
      if (!/^HTTP\/1\.1 101/.test(head.toString('latin1'))) return drop();
      const rest = head.subarray(end + 4);
      if (rest.length > 0) engine.unshift(rest);
      engine.pipe(conn);
      conn.pipe(engine);
      conn.resume();
    };
    engine.on('data', onData);
  }

  solve(req: SolveRequest): Promise<SolveResponse> {
    return new Promise((resolve, reject) => this.stub.Solve(req, (err, res) => (err ? reject(err) : resolve(res))));
  }

  /** The build's log lines and vertex errors, as text. */
  logs(ref: string): Promise<string> {
    return new Promise((resolve) => {
      let text = '';
      const stream = this.stub.Status({ Ref: ref });
      stream.on('data', (r: { logs: { msg: Buffer }[]; vertexes: { name: string; error: string }[] }) => {
        for (const l of r.logs) text += l.msg.toString('utf8');
        for (const v of r.vertexes) if (v.error) text += `[${v.name}] ${v.error}\n`;
      });
      stream.on('error', () => resolve(text));
      stream.on('end', () => resolve(text));
    });
  }

  /** Serves `session` over a Control.Session stream; the session lives until `end()`. */
  attach(session: BuildSession): { end(): void } {
    const md = new Metadata();
    for (const [key, value] of Object.entries(session.metadata())) {
      for (const v of Array.isArray(value) ? value : [value]) md.add(key, v);
    }
    const call = this.stub.Session(md);
    const duplex = new Duplex({
      write(chunk: Buffer, _enc, cb) {
        if (call.write({ data: chunk })) cb();
        else call.once('drain', () => cb());
      },
      final(cb) {
        call.end();
        cb();
      },
      read() {
        call.resume();
      },
    });
    call.on('data', (m: BytesMessage) => {
      if (!duplex.push(m.data)) call.pause();
    });
    call.on('end', () => duplex.push(null));
    call.on('error', () => duplex.destroy());
    session.serve(duplex);
    return { end: () => call.cancel() };
  }

  /** Serves `session` over dockerd's `/session` hijack instead (one header line per value). */
  async hijack(session: BuildSession): Promise<{ end(): void }> {
    const socket = connect(this.dockerSocket);
    this.sockets.add(socket);
    const headers = Object.entries(session.metadata()).flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${key}: ${v}\r\n`));
    socket.write(`POST /session HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n${headers.join('')}\r\n`);
    let head = Buffer.alloc(0);
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        socket.pause();
        const reply = head.subarray(0, end).toString('latin1');
        if (!/^HTTP\/1\.1 101/.test(reply)) return reject(new Error(`dockerd refused the session upgrade: ${reply.split('\r\n')[0]}`));
        const rest = head.subarray(end + 4);
        if (rest.length > 0) socket.unshift(rest);
        resolve();
      };
      socket.on('data', onData);
      socket.once('error', reject);
    });
    session.serve(socket);
    return { end: () => socket.destroy() };
  }

  close(): void {
    this.stub.close();
    for (const s of this.sockets) s.destroy();
    this.proxy.close();
    rmSync(this.proxyDir, { recursive: true, force: true });
  }
}
