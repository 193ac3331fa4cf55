/**
 * `--builder tcp://host:port`, plain and TLS, against the real engine: a
 * local TCP (or TLS) server stands in for a remote buildkitd by forwarding
 * each connection to BuildKit inside dockerd. DOCKER_HOST points nowhere, so
 * the build can only have gone through the builder address. Without an
 * engine (or without openssl) these tests fail, never skip.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { forwardToEngine, runBake, type Run } from '../support/bake-cli.js';

import { requireBuildEngine } from '../support/engine.js';

const nonce = randomBytes(4).toString('hex');
let socketPath = '';
let project = '';
let pki = '';

const run = (args: string[]): Promise<Run> => runBake(args, { cwd: project, socketPath, env: { DOCKER_HOST: 'unix:///nonexistent.sock' } });

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Builds `app` through the builder and returns what its RUN wrote, read back from the tar output. */
async function buildApp(builder: string): Promise<{ r: Run; out: string }> {
  rmSync(join(project, 'app.tar'), { force: true });
  const r = await run(['-f', join(project, 'docker-bake.hcl'), 'app', '--builder', builder, '--progress=plain']);
  assert.equal(r.status, 0, r.stderr);
  return { r, out: execFileSync('tar', ['-xOf', join(project, 'app.tar'), 'out.txt'], { encoding: 'utf8' }) };
}

/** A throwaway PKI: a CA, a server certificate for IP 127.0.0.1 and a client certificate it signed, plus an unrelated CA. */
function makePki(dir: string): void {
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  for (const ca of ['ca', 'other-ca'])
    openssl('req', '-x509', ...key, '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '1', '-subj', `/CN=bake test ${ca}`);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const leaf of ['server', 'client']) {
    openssl('req', ...key, '-keyout', `${leaf}.key`, '-out', `${leaf}.csr`, '-subj', `/CN=bake test ${leaf}`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${leaf}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${leaf}.crt`,
      '-days',
      '1',
      '-extfile',
      `${leaf}.ext`,
    );
  }
}

/** A buildkitd stand-in that requires a client certificate from `ca`; counts the connections it forwarded and who they were. */
function tlsForwarder(): { server: Server; clients: string[] } {
  const clients: string[] = [];
  const pem = (name: string): Buffer => readFileSync(join(pki, name));
  // grpc-js insists on ALPN h2, as buildkitd's Go server offers it.
  const server = createTlsServer(
    { key: pem('server.key'), cert: pem('server.crt'), ca: pem('ca.crt'), requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['h2'] },
    (client: TLSSocket) => {
      clients.push(String(client.getPeerCertificate().subject.CN));
      forwardToEngine(client, socketPath);
    },
  );
  return { server, clients };
}

before(async () => {
  socketPath = await requireBuildEngine();
  project = mkdtempSync(join(tmpdir(), 'bake-tcp-'));
  pki = mkdtempSync(join(tmpdir(), 'bake-pki-'));
  makePki(pki);
  writeFileSync(join(project, 'word.txt'), `over tcp ${nonce}\n`);
  // COPY and a tar output: the context travels to BuildKit and the filesystem back, both over the builder connection.
  writeFileSync(join(project, 'Dockerfile'), 'FROM bake-test/busybox\nCOPY word.txt /word.txt\nRUN cat /word.txt > /out.txt && echo built >> /out.txt\n');
  // The test engine runs with --bridge=none: RUN steps need network "none".
  writeFileSync(join(project, 'docker-bake.hcl'), 'target "app" {\n  network = "none"\n  output = ["type=tar,dest=app.tar"]\n}\n');
});

after(() => {
  if (project) rmSync(project, { recursive: true, force: true });
  if (pki) rmSync(pki, { recursive: true, force: true });
});

test('--builder tcp://127.0.0.1:PORT (insecure) builds through a TCP server that forwards to BuildKit', async () => {
  let connections = 0;
  const server = createServer((client) => {
    connections++;
    forwardToEngine(client, socketPath);
  });
  const port = await listen(server);
  try {
    const { r, out } = await buildApp(`tcp://127.0.0.1:${port}`);
    assert.equal(out, `over tcp ${nonce}\nbuilt\n`);
    assert.ok(connections >= 1, 'the build went through the TCP server');
    console.log(`tcp build: ${r.ms.toFixed(0)} ms over ${connections} connection(s)`);
  } finally {
    await close(server);
  }
});

test('tcp://…?cacert=&cert=&key= builds over TLS with a client certificate checked by the server', async () => {
  const { server, clients } = tlsForwarder();
  const port = await listen(server);
  try {
    const { r, out } = await buildApp(`tcp://127.0.0.1:${port}?cacert=${join(pki, 'ca.crt')}&cert=${join(pki, 'client.crt')}&key=${join(pki, 'client.key')}`);
    assert.equal(out, `over tcp ${nonce}\nbuilt\n`);
    assert.ok(clients.length >= 1, 'the build went through the TLS server');
    assert.deepEqual(new Set(clients), new Set(['bake test client']), 'every connection presented the client certificate');
    // Nothing but progress: grpc-js's IP server name must not surface as Node's DEP0123 warning.
    assert.doesNotMatch(r.stderr, /DeprecationWarning/);
    console.log(`tls build: ${r.ms.toFixed(0)} ms over ${clients.length} mutually authenticated connection(s)`);
  } finally {
    await close(server);
  }
});

test('a cacert that did not sign the server certificate: exit 1 and one sentence naming the TLS failure, nothing forwarded', async () => {
  const { server, clients } = tlsForwarder();
  const port = await listen(server);
  try {
    const address = `tcp://127.0.0.1:${port}?cacert=${join(pki, 'other-ca.crt')}&cert=${join(pki, 'client.crt')}&key=${join(pki, 'client.key')}`;
    const r = await run(['-f', join(project, 'docker-bake.hcl'), 'app', '--builder', address]);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(
      r.stderr,
      `error: the TLS handshake with the builder at ${address} failed (self-signed certificate in certificate chain): check that cacert signed the builder's certificate and that cert and key are a client certificate it trusts.\n`,
    );
    assert.deepEqual(clients, []);
  } finally {
    await close(server);
  }
});

test('TLS options bake cannot use are an address error (exit 2), not a crash: an unreadable cacert, a cert without key', async () => {
  const missing = await run(['-f', join(project, 'docker-bake.hcl'), 'app', '--builder', 'tcp://127.0.0.1:1?cacert=/nonexistent/ca.pem']);
  assert.equal(missing.status, 2, missing.stderr);
  assert.equal(
    missing.stderr,
    'error: cannot read the cacert file /nonexistent/ca.pem of builder tcp://127.0.0.1:1?cacert=/nonexistent/ca.pem: no such file or directory.\n',
  );
  const lone = `tcp://127.0.0.1:1?cacert=${join(pki, 'ca.crt')}&cert=${join(pki, 'client.crt')}`;
  const certOnly = await run(['-f', join(project, 'docker-bake.hcl'), 'app', '--builder', lone]);
  assert.equal(certOnly.status, 2, certOnly.stderr);
  assert.equal(certOnly.stderr, `error: builder ${lone} gives cert without key: a client certificate needs both.\n`);
});
