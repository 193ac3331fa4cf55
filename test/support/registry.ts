/**
 * A real registry for the auth tests: Debian's `docker-registry` (distribution
 * 2.8) on a free 127.0.0.1 port, with a temp storage dir and one htpasswd
 * user. dockerd treats 127.0.0.0/8 as an insecure registry, so plain HTTP
 * works for the engine's push and for BuildKit's pull alike.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';

const REGISTRY = '/usr/bin/docker-registry';

export interface TestRegistry {
  /** `127.0.0.1:<port>`, the name prefix of its images and the key of its credentials. */
  readonly host: string;
  /** GET on the registry's HTTP API with basic auth; resolves with the status. */
  get(path: string, user: string, password: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startRegistry(user: string, password: string): Promise<TestRegistry> {
  if (!existsSync(REGISTRY)) {
    throw new Error(
      `${REGISTRY} is missing: run \`sudo apt-get install docker-registry\` (scripts/ensure-engine.sh installs it when \`npm test\` runs as root).`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'bake-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  // bcrypt is the only htpasswd hash distribution accepts.
  writeFileSync(join(dir, 'htpasswd'), `${user}:${bcrypt.hashSync(password, 5)}\n`);
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: { level: error }',
      `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} } }`,
      // A fixed secret keeps the registry from warning that it generated one.
      `http: { addr: "${host}", secret: bake-test }`,
      `auth: { htpasswd: { realm: bake-test, path: ${join(dir, 'htpasswd')} } }`,
      '',
    ].join('\n'),
  );
  const child = spawn(REGISTRY, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const get = (path: string, u: string, p: string): Promise<number> => httpStatus(`http://${host}${path}`, `${u}:${p}`);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await ready(child, host, () => log);
  } catch (e) {
    await stop();
    throw e;
  }
  return { host, get, stop };
}

/** Polls /v2/ until the registry answers (401 without credentials); fails if it exits or takes 10 s. */
async function ready(child: ChildProcess, host: string, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode} before answering on ${host}: ${log().trim()}`);
    const status = await httpStatus(`http://${host}/v2/`, undefined).catch(() => 0);
    if (status === 401) return;
    if (Date.now() > deadline) throw new Error(`docker-registry did not answer on ${host} within 10 s (last status ${status}): ${log().trim()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function httpStatus(url: string, auth: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Accept: 'application/vnd.docker.distribution.manifest.v2+json' };
    if (auth !== undefined) headers['Authorization'] = `Basic ${Buffer.from(auth).toString('base64')}`;
    const req = request(url, { headers, signal: AbortSignal.timeout(5_000) }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A port nothing listens on now; the registry binds it a moment later. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}
