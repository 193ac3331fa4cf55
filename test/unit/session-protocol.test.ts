/**
 * The session's gRPC surface without an engine: an in-process client plays
 * the daemon over a unix socket handed to BuildSession.serve.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { chmodSync, mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import {
  credentials,
  makeClientConstructor,
  Metadata,
  status,
  type Client,
  type ClientDuplexStream,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { createSession, type BuildSession } from '../../src/buildkit/session/index.js';
import { PACKET_DATA, PACKET_ERR, PACKET_FIN, PACKET_REQ, PACKET_STAT, type Packet } from '../../src/buildkit/session/packet.js';
import { packageRoot } from '../../src/buildkit/package-root.js';
import { sessionProtos } from '../../src/buildkit/session/protos.js';
import { tempDir } from '../support/temp-dir.js';

const work = tempDir('bake-session-unit-');
const ctx = join(work, 'ctx');
const BIG = Buffer.alloc(3 * 32 * 1024 + 5, 7);
let session: BuildSession;
let listener: NetServer;
const agent = createServer((s) => s.pipe(s));
const sockets = new Set<Socket>();
const clients: Client[] = [];

type AnyClient = Client & Record<string, (...args: unknown[]) => unknown>;
function client(def: ServiceDefinition): AnyClient {
  const Ctor = makeClientConstructor(def, 'x');
  const c = new Ctor(`unix://${join(work, 'session.sock')}`, credentials.createInsecure()) as unknown as AnyClient;
  clients.push(c);
  return c;
}

function unary<T>(c: AnyClient, method: string, req: object): Promise<T> {
  return new Promise((resolve, reject) =>
    (c[method] as (r: object, cb: (e: ServiceError | null, r: T) => void) => void).call(c, req, (e, r) => (e ? reject(e) : resolve(r))),
  );
}

function diffCopy(dirName: string, extra: Record<string, string> = {}): ClientDuplexStream<Packet, Packet> {
  const md = new Metadata();
  md.set('dir-name', dirName);
  for (const [k, v] of Object.entries(extra)) md.set(k, v);
  const c = client(sessionProtos().fileSync);
  return (c['DiffCopy'] as (md: Metadata) => ClientDuplexStream<Packet, Packet>).call(c, md);
}

function ended<A, B>(call: ClientDuplexStream<A, B>): Promise<{ code: number; details: string }> {
  return new Promise((resolve) => {
    call.on('status', (s: { code: number; details: string }) => resolve(s));
    call.on('error', () => undefined);
  });
}

before(async () => {
  mkdirSync(join(ctx, 'sub'), { recursive: true });
  writeFileSync(join(ctx, 'big.bin'), BIG);
  writeFileSync(join(ctx, 'sub', 'small.txt'), 'small');
  writeFileSync(join(work, 'secret-file'), 'from-file');
  writeFileSync(
    join(work, 'config.json'),
    JSON.stringify({
      auths: { 'registry.example': { auth: Buffer.from('alice:pa:ss').toString('base64') }, 'https://other.example/v1/': { identitytoken: 'tok123' } },
      credHelpers: { 'helped.example': 'baketest' },
    }),
  );
  // A fake credential helper on PATH.
  const bin = join(work, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'docker-credential-baketest'),
    '#!/bin/sh\nread host\nif [ "$host" = helped.example ]; then echo \'{"ServerURL":"helped.example","Username":"bob","Secret":"hunter2"}\'; else echo "credentials not found in native keychain"; exit 1; fi\n',
  );
  chmodSync(join(bin, 'docker-credential-baketest'), 0o755);
  process.env['PATH'] = `${bin}:${process.env['PATH'] ?? ''}`;
  // A fake SSH agent: echoes what it reads.
  agent.listen(join(work, 'agent.sock'));
  await once(agent, 'listening');

  session = createSession({
    name: 'unit',
    sharedKey: 'unit-key',
    dirs: new Map([['ctx', { path: ctx }]]),
    secrets: new Map([
      ['env', { env: 'UNIT_SECRET' }],
      ['file', { src: join(work, 'secret-file') }],
      ['missing', { src: join(work, 'nope') }],
    ]),
    env: (n) => (n === 'UNIT_SECRET' ? 'from-env' : undefined),
    ssh: new Map([['default', [join(work, 'agent.sock')]]]),
    dockerConfigDir: work,
    fileSend: { kind: 'local', dest: join(work, 'out') },
  });
  listener = createServer((s) => {
    sockets.add(s);
    session.serve(s);
  });
  listener.listen(join(work, 'session.sock'));
  await once(listener, 'listening');
});

after(async () => {
  for (const c of clients) c.close();
  await session.close();
  for (const s of sockets) s.destroy();
  listener.close();
  agent.close();
});

test('id, announced methods and Control.Session metadata', () => {
  assert.match(session.id, /^[0-9a-z]{25}$/);
  const md = session.metadata();
  assert.equal(md['x-docker-expose-session-uuid'], session.id);
  assert.equal(md['x-docker-expose-session-name'], 'unit');
  assert.equal(md['x-docker-expose-session-sharedkey'], 'unit-key');
  assert.deepEqual(md['x-docker-expose-session-grpc-method'], [
    '/grpc.health.v1.Health/Check',
    '/moby.filesync.v1.FileSync/DiffCopy',
    '/moby.filesync.v1.FileSend/DiffCopy',
    '/moby.buildkit.secrets.v1.Secrets/GetSecret',
    '/moby.sshforward.v1.SSH/CheckAgent',
    '/moby.sshforward.v1.SSH/ForwardAgent',
    '/moby.filesync.v1.Auth/Credentials',
  ]);
  assert.deepEqual(session.methods, md['x-docker-expose-session-grpc-method']);
});

test('Health/Check answers SERVING', async () => {
  assert.deepEqual(await unary(client(sessionProtos().health), 'Check', {}), { status: 1 });
});

test('FileSync: an unknown dir is NOT_FOUND', async () => {
  const call = diffCopy('nope');
  call.end();
  const st = await ended(call);
  assert.equal(st.code, status.NOT_FOUND);
  assert.match(st.details, /does not serve a directory named "nope"/);
});

test('FileSync: STATs, REQ → 32 KiB DATA chunks, FIN handshake, counters', async () => {
  const call = diffCopy('ctx');
  const done = ended(call);
  const stats: string[] = [];
  const chunks: number[] = [];
  let gotFin = false;
  call.on('data', (p: Packet) => {
    if (p.type === PACKET_STAT) {
      if (!p.stat) {
        call.write({ type: PACKET_REQ, ID: 0 }); // big.bin
        call.write({ type: PACKET_REQ, ID: 2 }); // sub/small.txt
        return;
      }
      stats.push(p.stat.path);
    } else if (p.type === PACKET_DATA) {
      if (p.ID === 0) chunks.push(p.data!.length);
      if (p.ID === 0 && p.data!.length === 0) call.write({ type: PACKET_FIN });
    } else if (p.type === PACKET_FIN) {
      gotFin = true;
      call.end();
    }
  });
  const st = await done;
  assert.equal(st.code, status.OK, st.details);
  assert.ok(gotFin, 'our FIN is answered');
  assert.deepEqual(stats, ['big.bin', 'sub', 'sub/small.txt']);
  assert.deepEqual(chunks, [32768, 32768, 32768, 5, 0]);
  const counters = session.stats.get('ctx')!;
  assert.equal(counters.files, 3);
  assert.equal(counters.requests, 2);
  assert.equal(counters.bytes, BIG.length + 5);
});

test('FileSync: exclude-patterns and followpaths from metadata, an ERR aborts', async () => {
  const call = diffCopy('ctx', { 'exclude-patterns': 'big.bin, sub/small.txt' });
  const done = ended(call);
  const paths: string[] = [];
  call.on('data', (p: Packet) => {
    if (p.type === PACKET_STAT && p.stat) paths.push(p.stat.path);
    else if (p.type === PACKET_STAT) call.write({ type: PACKET_ERR, data: Buffer.from('receiver gave up') });
  });
  const st = await done;
  assert.deepEqual(paths, ['sub']);
  assert.notEqual(st.code, status.OK);
  assert.match(st.details, /receiver gave up/);
});

test('FileSync: a REQ for an ID that is not a file fails the call', async () => {
  const call = diffCopy('ctx', { followpaths: 'sub/small.txt' });
  const done = ended(call);
  call.on('data', (p: Packet) => {
    if (p.type === PACKET_STAT && !p.stat) call.write({ type: PACKET_REQ, ID: 0 }); // "sub" is a dir
  });
  const st = await done;
  assert.notEqual(st.code, status.OK);
  assert.match(st.details, /requested file 0/);
});

test('FileSend (local): files, links and modes land in dest; the FIN handshake ends it', async () => {
  const c = client({ DiffCopy: { ...sessionProtos().fileSync['DiffCopy']!, path: '/moby.filesync.v1.FileSend/DiffCopy' } });
  const call = (c['DiffCopy'] as () => ClientDuplexStream<Packet, Packet>).call(c);
  const done = ended(call);
  const stat = (path: string, mode: number, extra: object = {}): Packet => ({
    type: PACKET_STAT,
    stat: { path, mode, uid: 0, gid: 0, size: '0', modTime: '1600000000123456789', linkname: '', devmajor: '0', devminor: '0', ...extra },
  });
  for (const p of [
    stat('d', 0x80000000 | 0o750),
    stat('d/run.sh', 0o755, { size: '3' }),
    stat('d/x', (1 << 27) | 0o777, { linkname: 'run.sh' }),
    stat('e.txt', 0o600, { size: '70000' }),
    { type: PACKET_STAT },
  ])
    call.write(p);
  const reqs: number[] = [];
  call.on('data', (p: Packet) => {
    if (p.type === PACKET_REQ) {
      reqs.push(p.ID ?? 0);
      const data = p.ID === 1 ? Buffer.from('hi\n') : Buffer.alloc(70000, 1);
      for (let at = 0; at < data.length; at += 32768) call.write({ type: PACKET_DATA, ID: p.ID ?? 0, data: data.subarray(at, at + 32768) });
      call.write({ type: PACKET_DATA, ID: p.ID ?? 0, data: Buffer.alloc(0) });
    } else if (p.type === PACKET_FIN) {
      call.write({ type: PACKET_FIN });
      call.end();
    }
  });
  const st = await done;
  assert.equal(st.code, status.OK, st.details);
  assert.deepEqual(reqs.sort(), [1, 3]);
  const out = join(work, 'out');
  assert.equal(readFileSync(join(out, 'd/run.sh'), 'utf8'), 'hi\n');
  assert.equal(statSync(join(out, 'd/run.sh')).mode & 0o777, 0o755);
  assert.equal(statSync(join(out, 'd')).mode & 0o777, 0o750);
  assert.equal(readlinkSync(join(out, 'd/x')), 'run.sh');
  assert.equal(readFileSync(join(out, 'e.txt')).length, 70000);
  assert.equal(Math.round(statSync(join(out, 'e.txt')).mtimeMs), 1600000000123, 'mtimes are kept to the millisecond');
});

test('FileSend (local): paths that escape dest are refused', async () => {
  for (const bad of ['../evil', '/abs', 'a/../../evil']) {
    const c = client({ DiffCopy: { ...sessionProtos().fileSync['DiffCopy']!, path: '/moby.filesync.v1.FileSend/DiffCopy' } });
    const call = (c['DiffCopy'] as () => ClientDuplexStream<Packet, Packet>).call(c);
    const done = ended(call);
    call.on('data', () => undefined);
    call.write({ type: PACKET_STAT, stat: { path: bad, mode: 0o644, uid: 0, gid: 0, size: '1', modTime: '0', linkname: '', devmajor: '0', devminor: '0' } });
    const st = await done;
    assert.notEqual(st.code, status.OK, bad);
    assert.match(st.details, /unsafe path/, bad);
  }
});

test('Secrets: env, file, NOT_FOUND', async () => {
  const c = client(sessionProtos().secrets);
  assert.equal((await unary<{ data: Buffer }>(c, 'GetSecret', { ID: 'env' })).data.toString(), 'from-env');
  assert.equal((await unary<{ data: Buffer }>(c, 'GetSecret', { ID: 'file' })).data.toString(), 'from-file');
  for (const id of ['unknown', 'missing']) {
    await assert.rejects(unary(c, 'GetSecret', { ID: id }), (e: ServiceError) => e.code === status.NOT_FOUND);
  }
});

test('Auth: config.json auths, identity tokens, credential helpers, anonymous, UNIMPLEMENTED token methods', async () => {
  const c = client(sessionProtos().auth);
  assert.deepEqual(await unary(c, 'Credentials', { Host: 'registry.example' }), { Username: 'alice', Secret: 'pa:ss' });
  assert.deepEqual(await unary(c, 'Credentials', { Host: 'other.example' }), { Username: '', Secret: 'tok123' });
  assert.deepEqual(await unary(c, 'Credentials', { Host: 'helped.example' }), { Username: 'bob', Secret: 'hunter2' });
  assert.deepEqual(await unary(c, 'Credentials', { Host: 'nowhere.example' }), { Username: '', Secret: '' });
  await assert.rejects(unary(c, 'FetchToken', { Host: 'registry.example' }), (e: ServiceError) => e.code === status.UNIMPLEMENTED);
  await assert.rejects(unary(c, 'GetTokenAuthority', { Host: 'registry.example' }), (e: ServiceError) => e.code === status.UNIMPLEMENTED);
});

test('SSH: CheckAgent and ForwardAgent piped to the agent socket', async () => {
  const c = client(sessionProtos().ssh);
  assert.deepEqual(await unary(c, 'CheckAgent', { ID: '' }), {});
  await assert.rejects(unary(c, 'CheckAgent', { ID: 'other' }), (e: ServiceError) => e.code === status.NOT_FOUND);
  const call = (c['ForwardAgent'] as (md: Metadata) => ClientDuplexStream<{ data: Buffer }, { data: Buffer }>).call(c, new Metadata());
  call.write({ data: Buffer.from('ping') });
  const [reply] = (await once(call, 'data')) as [{ data: Buffer }];
  assert.equal(reply.data.toString(), 'ping');
  call.on('error', () => undefined); // our own cancel
  call.cancel();
});

test('the proto directory is found from build/ and from the dist/ bundle', () => {
  const root = packageRoot();
  assert.equal(packageRoot(join(root, 'dist', 'bake.mjs')), root);
  assert.equal(packageRoot(join(root, 'build', 'src', 'buildkit', 'session', 'protos.js')), root);
});
