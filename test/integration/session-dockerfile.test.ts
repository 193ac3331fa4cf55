/**
 * The session against the real engine through Control.Session: a context
 * with every awkward kind of entry goes in through FileSync (moby export),
 * comes back through FileSend (tar and local exporters) and is compared;
 * a second session with the same shared key transfers almost nothing; a
 * secret reaches RUN without reaching the image. Fails when no engine answers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSession, type BuildSession, type SessionSpec } from '../../src/buildkit/session/index.js';
import { ensureBusyboxImage, engineRequest } from '../support/busybox-image.js';
import { ControlClient, dockerSocketPath, type SolveResponse } from '../support/buildkit-control.js';

const work = mkdtempSync(join(tmpdir(), 'bake-session-it-'));
const context = join(work, 'context');
const IMAGE = 'bake-test/session-ctx:latest';
const sharedKey = `bake-session-it-${randomBytes(6).toString('hex')}`;
const BIG = randomBytes(2 * 1024 * 1024 + 123);
let control: ControlClient;

/** What COPY . /ctx must produce: path -> [type, permissions, content or link target]. */
const EXPECTED: Record<string, ['dir' | 'file' | 'symlink', number, string?]> = {
  '.dockerignore': ['file', 0o644],
  a: ['dir', 0o755],
  'a/b': ['dir', 0o755],
  'a/b/c': ['dir', 0o755],
  'a/b/c/deep.txt': ['file', 0o644, 'deep\n'],
  'a-b': ['file', 0o644, 'dash\n'],
  'a.txt': ['file', 0o644, 'dot\n'],
  'big.bin': ['file', 0o644],
  bin: ['dir', 0o755],
  'bin/run.sh': ['file', 0o755, '#!/bin/sh\necho run\n'],
  'bin/ro.txt': ['file', 0o444, 'read only\n'],
  empty: ['dir', 0o755],
  'empty/nested-empty': ['dir', 0o700],
  'link-inside': ['symlink', 0o777, 'a/b/c/deep.txt'],
  'link-dir': ['symlink', 0o777, 'a'],
  'link-outside': ['symlink', 0o777, '../outside.txt'],
  'link-absolute': ['symlink', 0o777, '/etc/passwd'],
  logs: ['dir', 0o755],
  'logs/keep.log': ['file', 0o644, 'kept by negation\n'],
  'ünïcödé': ['dir', 0o755],
  'ünïcödé/日本語.txt': ['file', 0o644, 'こんにちは\n'],
  'emoji-😀.txt': ['file', 0o644, 'smile\n'],
};

function writeContext(): void {
  mkdirSync(context, { recursive: true });
  writeFileSync(join(work, 'outside.txt'), 'must never be read\n');
  const files: Record<string, string | Buffer> = {
    '.dockerignore': '# comment line\n*.log\nlogs/**\n!logs/keep.log\nsecret/\n**/*.tmp\n',
    'big.bin': BIG,
    'debug.log': 'excluded\n',
    'logs/a.log': 'excluded\n',
    'secret/token': 'excluded dir\n',
    'a/x.tmp': 'excluded\n',
    'a/b/y.tmp': 'excluded\n',
  };
  for (const [path, [type, , content]] of Object.entries(EXPECTED)) if (type === 'file' && content !== undefined) files[path] = content;
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(context, path, '..'), { recursive: true });
    writeFileSync(join(context, path), content);
  }
  mkdirSync(join(context, 'empty/nested-empty'), { recursive: true });
  for (const [path, [type, mode, target]] of Object.entries(EXPECTED)) {
    if (type === 'symlink') symlinkSync(target as string, join(context, path));
    else chmodSync(join(context, path), mode);
  }
}

function dockerfileDir(name: string, text: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), text);
  return dir;
}

/** Runs one dockerfile.v0 solve over a fresh session; logs are attached to failures. */
async function build(
  spec: Omit<SessionSpec, 'name' | 'sharedKey'> & { sharedKey?: string },
  exporter: string,
  exporterAttrs: Record<string, string> = {},
  frontendAttrs: Record<string, string> = {},
): Promise<{ session: BuildSession; res: SolveResponse; ms: number }> {
  const session = createSession({ name: 'session-it', sharedKey, ...spec });
  const stream = control.attach(session);
  const ref = `bake-it-${randomBytes(8).toString('hex')}`;
  const logs = control.logs(ref);
  const started = performance.now();
  try {
    const res = await control.solve({ Ref: ref, Session: session.id, Frontend: 'dockerfile.v0', Exporter: exporter, ExporterAttrs: exporterAttrs, FrontendAttrs: frontendAttrs });
    return { session, res, ms: performance.now() - started };
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- build log ---\n${await logs}`);
  } finally {
    stream.end();
    await session.close();
  }
}

before(async () => {
  await ensureBusyboxImage(dockerSocketPath());
  control = await ControlClient.connect();
  writeContext();
});

after(() => {
  control?.close();
  rmSync(work, { recursive: true, force: true });
});

let firstContextBytes = 0;

test('a context goes in through FileSync (moby export) and comes back identical through the tar exporter', async () => {
  const df = dockerfileDir('df-copy', 'FROM bake-test/busybox:latest\nCOPY . /ctx\n');
  const first = await build({ dirs: new Map([['context', { path: context }], ['dockerfile', { path: df }]]) }, 'moby', { name: IMAGE });
  assert.match(first.res.ExporterResponse['containerimage.digest'] ?? '', /^sha256:[0-9a-f]{64}$/);
  assert.equal((await engineRequest(dockerSocketPath(), 'GET', `/images/${IMAGE}/json`)).status, 200, 'the image is in the engine');
  const ctx = first.session.stats.get('context');
  assert.ok(ctx && ctx.bytes >= BIG.length, `the context was sent: ${JSON.stringify(ctx)}`);
  firstContextBytes = ctx.bytes;
  console.log(`# first transfer: context ${JSON.stringify(ctx)}, dockerfile ${JSON.stringify(first.session.stats.get('dockerfile'))}, ${first.ms.toFixed(0)} ms`);

  // Read the loaded image back: FROM it, export the tree as a tar through FileSend.
  const out = join(work, 'image.tar');
  const df2 = dockerfileDir('df-readback', `FROM ${IMAGE}\n`);
  const empty = join(work, 'empty-context');
  mkdirSync(empty, { recursive: true });
  const back = await build({ sharedKey: `${sharedKey}-readback`, dirs: new Map([['context', { path: empty }], ['dockerfile', { path: df2 }]]), fileSend: { kind: 'tar', dest: out } }, 'tar');
  const entries = new Map(readTar(readFileSync(out)).map((e) => [e.name.replace(/^\.?\//, '').replace(/\/$/, ''), e]));
  const got = [...entries.keys()].filter((n) => n.startsWith('ctx/')).map((n) => n.slice(4)).sort();
  assert.deepEqual(got, Object.keys(EXPECTED).sort(), 'exactly the entries .dockerignore lets through');
  for (const [path, [type, mode, content]] of Object.entries(EXPECTED)) {
    const e = entries.get(`ctx/${path}`)!;
    assert.equal(e.type, type, `${path} type`);
    if (type !== 'symlink') assert.equal(e.mode & 0o7777, mode, `${path} mode`);
    if (type === 'symlink') assert.equal(e.linkname, content, `${path} link target`);
    else if (type === 'file') {
      const expected = path === 'big.bin' ? BIG : Buffer.from(content ?? readFileSync(join(context, path), 'utf8'));
      assert.equal(e.size, expected.length, `${path} size`);
      assert.ok(e.data!.equals(expected), `${path} content`);
    }
  }
  console.log(`# tar read-back: ${readFileSync(out).length} bytes, ${got.length} entries under /ctx, ${back.ms.toFixed(0)} ms`);
});

test('a second session with the same shared key sends only the changed file', async () => {
  assert.ok(firstContextBytes > 0, 'the first test ran');
  writeFileSync(join(context, 'a.txt'), 'changed\n');
  EXPECTED['a.txt'] = ['file', 0o644, 'changed\n'];
  const df = join(work, 'df-copy');
  const second = await build({ dirs: new Map([['context', { path: context }], ['dockerfile', { path: df }]]) }, 'moby', { name: IMAGE });
  const ctx = second.session.stats.get('context')!;
  console.log(`# second transfer: ${JSON.stringify(ctx)} vs ${firstContextBytes} bytes first, ${second.ms.toFixed(0)} ms`);
  assert.ok(ctx.bytes <= firstContextBytes / 100, `${ctx.bytes} bytes is more than 1% of ${firstContextBytes}`);
  assert.equal(ctx.bytes, Buffer.byteLength('changed\n'));
});

test('the local exporter writes the tree through FileSend into a directory', async () => {
  const dest = join(work, 'local-out');
  const df = dockerfileDir('df-scratch', 'FROM scratch\nCOPY . /\n');
  await build({ dirs: new Map([['context', { path: context }], ['dockerfile', { path: df }]]), fileSend: { kind: 'local', dest } }, 'local');
  const got: string[] = [];
  const list = (rel: string): void => {
    for (const name of readdirSync(join(dest, rel))) {
      const p = rel ? `${rel}/${name}` : name;
      got.push(p);
      if (lstatSync(join(dest, p)).isDirectory()) list(p);
    }
  };
  list('');
  assert.deepEqual(got.sort(), Object.keys(EXPECTED).sort());
  for (const [path, [type, mode, content]] of Object.entries(EXPECTED)) {
    const st = lstatSync(join(dest, path));
    if (type === 'symlink') assert.equal(readlinkSync(join(dest, path)), content, `${path} link`);
    else assert.equal(st.mode & 0o7777, mode, `${path} mode`);
    if (type === 'file') assert.ok(readFileSync(join(dest, path)).equals(readFileSync(join(context, path))), `${path} content`);
  }
});

test('a secret reaches RUN and stays out of the image', async () => {
  const secret = `s3cr3t-${randomBytes(12).toString('hex')}`;
  const fileSecret = join(work, 'file-secret');
  writeFileSync(fileSecret, `from-file-${secret}`);
  const df = dockerfileDir(
    'df-secret',
    'FROM bake-test/busybox:latest\n' +
      'RUN --mount=type=secret,id=tok,required=true --mount=type=secret,id=filetok,required=true ' +
      "sh -c 'sha256sum /run/secrets/tok | cut -d\" \" -f1 > /tok.sha256 && sha256sum /run/secrets/filetok | cut -d\" \" -f1 > /filetok.sha256'\n",
  );
  const out = join(work, 'secret.tar');
  await build(
    {
      dirs: new Map([['context', { path: join(work, 'empty-context') }], ['dockerfile', { path: df }]]),
      secrets: new Map([['tok', { env: 'BAKE_IT_TOKEN' }], ['filetok', { src: fileSecret }]]),
      env: (name) => (name === 'BAKE_IT_TOKEN' ? secret : undefined),
      fileSend: { kind: 'tar', dest: out },
    },
    'tar',
    {},
    // No bridge network on the test engine; secrets are not in the cache key, so a cached RUN would show an old one.
    { 'force-network-mode': 'none', 'no-cache': '' },
  );
  const tar = readFileSync(out);
  const entries = new Map(readTar(tar).map((e) => [e.name.replace(/^\.?\//, ''), e]));
  const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
  assert.equal(entries.get('tok.sha256')?.data?.toString().trim(), sha(secret), 'the env secret reached RUN');
  assert.equal(entries.get('filetok.sha256')?.data?.toString().trim(), sha(`from-file-${secret}`), 'the file secret reached RUN');
  assert.equal(tar.indexOf(secret), -1, 'the secret is nowhere in the exported tree');
  assert.ok(![...entries.keys()].some((n) => n.startsWith('run/secrets/') && (entries.get(n)?.size ?? 0) > 0), 'no secret file in the tree');
});

test('a secret the session does not hold fails the build with "not found"', async () => {
  const df = dockerfileDir('df-nosecret', 'FROM bake-test/busybox:latest\nRUN --mount=type=secret,id=nope,required=true cat /run/secrets/nope\n');
  await assert.rejects(build({ dirs: new Map([['context', { path: join(work, 'empty-context') }], ['dockerfile', { path: df }]]), secrets: new Map() }, ''), /secret nope not found/);
});

test('the same session serves over the /session hijack', async () => {
  const session = createSession({ name: 'session-it', sharedKey: `${sharedKey}-hijack`, dirs: new Map([['context', { path: context }], ['dockerfile', { path: join(work, 'df-copy') }]]) });
  const conn = await control.hijack(session);
  try {
    const res = await control.solve({ Ref: `bake-it-${randomBytes(8).toString('hex')}`, Session: session.id, Frontend: 'dockerfile.v0', Exporter: '' });
    assert.deepEqual(res.ExporterResponse, {});
    assert.ok((session.stats.get('context')?.bytes ?? 0) >= BIG.length, 'the context went over the hijacked connection');
  } finally {
    conn.end();
    await session.close();
  }
});

interface TarEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  mode: number;
  size: number;
  linkname: string;
  data: Buffer;
}

/** Entries of a tar (Go archive/tar output), PAX `path`/`linkpath` records applied. */
function readTar(buf: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  let at = 0;
  let pax: Record<string, string> = {};
  while (at + 512 <= buf.length) {
    const h = buf.subarray(at, at + 512);
    if (h.every((b) => b === 0)) break;
    const field = (o: number, n: number): string => h.subarray(o, o + n).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const flag = String.fromCharCode(h[156] ?? 0x30);
    const prefix = field(345, 155);
    const data = buf.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (flag === 'x') {
      pax = parsePax(data);
      continue;
    }
    if (flag === 'g') continue;
    const name = pax['path'] ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    const linkname = pax['linkpath'] ?? field(157, 100);
    pax = {};
    const type = flag === '5' ? 'dir' : flag === '2' ? 'symlink' : flag === '1' ? 'hardlink' : flag === '0' || flag === '\0' ? 'file' : 'other';
    out.push({ name, type, mode: parseInt(field(100, 8).trim() || '0', 8), size, linkname, data: Buffer.from(data) });
  }
  return out;
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const len = parseInt(data.subarray(at, space).toString('ascii'), 10);
    const record = data.subarray(space + 1, at + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    out[record.slice(0, eq)] = record.slice(eq + 1);
    at += len;
  }
  return out;
}
