/**
 * The session against the real engine through Control.Session, on bake's own
 * Control client: a context with every awkward kind of entry goes in through
 * FileSync (moby export), comes back through FileSend (tar and local
 * exporters) and is compared; a second session with the same shared key
 * transfers almost nothing; a secret reaches RUN without reaching the image;
 * two concurrent Solves over one session each see only their own directory.
 * Fails when no engine answers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlClient, type ControlClient, type SolveRequest, type SolveResponse } from '../../src/buildkit/control.js';
import { dial, type Dialed } from '../../src/buildkit/dial.js';
import { createSession, type BuildSession, type SessionSpec } from '../../src/buildkit/session/index.js';
import { solvePlan } from '../../src/buildkit/solve-request.js';
import { buildSpec } from '../../src/orchestrate/build-spec.js';
import { ensureBusyboxImage, engineRequest } from '../support/busybox-image.js';
import { requireEngine } from '../support/engine.js';

const work = mkdtempSync(join(tmpdir(), 'bake-session-it-'));
const context = join(work, 'context');
const IMAGE = 'bake-test/session-ctx:latest';
const sharedKey = `bake-session-it-${randomBytes(6).toString('hex')}`;
const BIG = randomBytes(2 * 1024 * 1024 + 123);
let socketPath = '';
let dialed: Dialed;
let client: ControlClient;

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
  ünïcödé: ['dir', 0o755],
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

/** The job's log lines and failed steps, as text; the stream ends with the job. */
async function logText(ref: string, signal: AbortSignal): Promise<string> {
  let text = '';
  try {
    for await (const r of client.status(ref, signal)) {
      for (const l of r.logs ?? []) text += l.msg?.toString('utf8') ?? '';
      for (const v of r.vertexes ?? []) if (v.error) text += `[${v.name ?? v.digest}] ${v.error}\n`;
    }
  } catch {
    // A failed job ends its stream with the Solve's error, which the caller reports.
  }
  return text;
}

/** Solves `req` while `session` is served over one Control.Session stream; the logs are attached to failures. */
async function solveOver(
  session: BuildSession,
  req: Omit<SolveRequest, 'Session'>,
  signal: AbortSignal,
): Promise<{ res: SolveResponse; logs: string; ms: number }> {
  const started = performance.now();
  const solved = client.solve({ ...req, Session: session.id }, signal);
  // Status waits up to 3 s for the job Solve creates, so it can start at once.
  const logs = logText(req.Ref, signal);
  try {
    const res = await solved;
    return { res, logs: await logs, ms: performance.now() - started };
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- build log ---\n${await logs}`, { cause: e });
  }
}

/** Serves `session` over a Control.Session stream for the duration of `run`, then closes both. */
async function withSession<T>(session: BuildSession, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  session.serve(await client.session(session.metadata(), stop.signal));
  try {
    return await run(stop.signal);
  } finally {
    stop.abort();
    await session.close();
  }
}

/** Runs one dockerfile.v0 solve (the frontend reads the dirs `context` and `dockerfile`) over a fresh session. */
async function build(
  spec: Omit<SessionSpec, 'name' | 'sharedKey'> & { sharedKey?: string },
  exporter: string,
  exporterAttrs: Record<string, string> = {},
  frontendAttrs: Record<string, string> = {},
): Promise<{ session: BuildSession; res: SolveResponse; ms: number }> {
  const session = createSession({ name: 'session-it', sharedKey, ...spec });
  const ref = `bake-it-${randomBytes(8).toString('hex')}`;
  const { res, ms } = await withSession(session, (signal) =>
    solveOver(session, { Ref: ref, Frontend: 'dockerfile.v0', Exporter: exporter, ExporterAttrs: exporterAttrs, FrontendAttrs: frontendAttrs }, signal),
  );
  return { session, res, ms };
}

before(async () => {
  const endpoint = await requireEngine();
  // The image checks and the BusyBox import talk to the engine's socket directly.
  if (endpoint.kind !== 'unix') throw new Error(`The session tests need a unix:// engine, not ${endpoint.address}.`);
  socketPath = endpoint.socketPath;
  await ensureBusyboxImage(socketPath);
  dialed = await dial('docker', { DOCKER_HOST: endpoint.address });
  client = controlClient(dialed);
  writeContext();
});

after(async () => {
  client?.close();
  await dialed?.close();
  rmSync(work, { recursive: true, force: true });
});

let firstContextBytes = 0;

test('a context goes in through FileSync (moby export) and comes back identical through the tar exporter', async () => {
  const df = dockerfileDir('df-copy', 'FROM bake-test/busybox:latest\nCOPY . /ctx\n');
  const first = await build(
    {
      dirs: new Map([
        ['context', { path: context }],
        ['dockerfile', { path: df }],
      ]),
    },
    'moby',
    { name: IMAGE },
  );
  assert.match(first.res.ExporterResponse?.['containerimage.digest'] ?? '', /^sha256:[0-9a-f]{64}$/);
  assert.equal((await engineRequest(socketPath, 'GET', `/images/${IMAGE}/json`)).status, 200, 'the image is in the engine');
  const ctx = first.session.stats.get('context');
  assert.ok(ctx && ctx.bytes >= BIG.length, `the context was sent: ${JSON.stringify(ctx)}`);
  firstContextBytes = ctx.bytes;
  console.log(
    `# first transfer: context ${JSON.stringify(ctx)}, dockerfile ${JSON.stringify(first.session.stats.get('dockerfile'))}, ${first.ms.toFixed(0)} ms`,
  );

  // Read the loaded image back: FROM it, export the tree as a tar through FileSend.
  const out = join(work, 'image.tar');
  const df2 = dockerfileDir('df-readback', `FROM ${IMAGE}\n`);
  const empty = join(work, 'empty-context');
  mkdirSync(empty, { recursive: true });
  const back = await build(
    {
      sharedKey: `${sharedKey}-readback`,
      dirs: new Map([
        ['context', { path: empty }],
        ['dockerfile', { path: df2 }],
      ]),
      fileSend: { kind: 'tar', dest: out },
    },
    'tar',
  );
  const entries = new Map(readTar(readFileSync(out)).map((e) => [e.name.replace(/^\.?\//, '').replace(/\/$/, ''), e]));
  const got = [...entries.keys()]
    .filter((n) => n.startsWith('ctx/'))
    .map((n) => n.slice(4))
    .sort();
  assert.deepEqual(got, Object.keys(EXPECTED).sort(), 'exactly the entries .dockerignore lets through');
  for (const [path, [type, mode, content]] of Object.entries(EXPECTED)) {
    const e = entries.get(`ctx/${path}`)!;
    assert.equal(e.type, type, `${path} type`);
    if (type !== 'symlink') assert.equal(e.mode & 0o7777, mode, `${path} mode`);
    if (type === 'symlink') assert.equal(e.linkname, content, `${path} link target`);
    else if (type === 'file') {
      const expected = path === 'big.bin' ? BIG : Buffer.from(content ?? readFileSync(join(context, path), 'utf8'));
      assert.equal(e.size, expected.length, `${path} size`);
      assert.ok(e.data.equals(expected), `${path} content`);
    }
  }
  console.log(`# tar read-back: ${readFileSync(out).length} bytes, ${got.length} entries under /ctx, ${back.ms.toFixed(0)} ms`);
});

test('a second session with the same shared key sends only the changed file', async () => {
  assert.ok(firstContextBytes > 0, 'the first test ran');
  writeFileSync(join(context, 'a.txt'), 'changed\n');
  EXPECTED['a.txt'] = ['file', 0o644, 'changed\n'];
  const df = join(work, 'df-copy');
  const second = await build(
    {
      dirs: new Map([
        ['context', { path: context }],
        ['dockerfile', { path: df }],
      ]),
    },
    'moby',
    { name: IMAGE },
  );
  const ctx = second.session.stats.get('context')!;
  console.log(`# second transfer: ${JSON.stringify(ctx)} vs ${firstContextBytes} bytes first, ${second.ms.toFixed(0)} ms`);
  assert.ok(ctx.bytes <= firstContextBytes / 100, `${ctx.bytes} bytes is more than 1% of ${firstContextBytes}`);
  // BuildKit v0.13's frontend reads .dockerignore in a transfer of its own, kept by no shared key, so it goes again each build.
  const changed = Buffer.byteLength('changed\n');
  assert.ok(
    [changed, changed + statSync(join(context, '.dockerignore')).size].includes(ctx.bytes),
    `${ctx.bytes} bytes: the changed file${ctx.bytes > changed ? ' and .dockerignore' : ''} only`,
  );
});

test('the local exporter writes the tree through FileSend into a directory', async () => {
  const dest = join(work, 'local-out');
  const df = dockerfileDir('df-scratch', 'FROM scratch\nCOPY . /\n');
  await build(
    {
      dirs: new Map([
        ['context', { path: context }],
        ['dockerfile', { path: df }],
      ]),
      fileSend: { kind: 'local', dest },
    },
    'local',
  );
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
      'sh -c \'sha256sum /run/secrets/tok | cut -d" " -f1 > /tok.sha256 && sha256sum /run/secrets/filetok | cut -d" " -f1 > /filetok.sha256\'\n',
  );
  const out = join(work, 'secret.tar');
  await build(
    {
      dirs: new Map([
        ['context', { path: join(work, 'empty-context') }],
        ['dockerfile', { path: df }],
      ]),
      secrets: new Map([
        ['tok', { env: 'BAKE_IT_TOKEN' }],
        ['filetok', { src: fileSecret }],
      ]),
      env: (name) => (name === 'BAKE_IT_TOKEN' ? secret : undefined),
      fileSend: { kind: 'tar', dest: out },
    },
    'tar',
    {},
    // Secrets are not in the cache key, so a cached RUN would show an old one.
    { 'no-cache': '' },
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
  await assert.rejects(
    build(
      {
        dirs: new Map([
          ['context', { path: join(work, 'empty-context') }],
          ['dockerfile', { path: df }],
        ]),
        secrets: new Map(),
      },
      '',
    ),
    /secret nope:? not found/,
  );
});

test('two concurrent Solves over one session, each with its own directory as FrontendInputs, each see only their own files', async () => {
  // Fresh names per run, so nothing is cached and each tree is unmistakably one side's.
  const token = randomBytes(4).toString('hex');
  const sides = (['a', 'b'] as const).map((side, i) => {
    const path = join(work, `concurrent-${side}`);
    const files: Record<string, Buffer> = {
      [`only-${side}-${token}.txt`]: Buffer.from(`${side}\n`),
      [`${side}-sub/${side}.bin`]: randomBytes(100_000 * (i + 1) + 7),
    };
    for (const [name, data] of Object.entries(files)) {
      mkdirSync(join(path, name, '..'), { recursive: true });
      writeFileSync(join(path, name), data);
    }
    return { side, path, files, dirName: `ctx-${side}-${token}` };
  });
  const df = dockerfileDir('df-concurrent', 'FROM bake-test/busybox:latest\nCOPY . /ctx\nRUN find /ctx\n');
  const dockerfileDirName = `df-${token}`;
  const session = createSession({
    name: 'session-it',
    sharedKey,
    dirs: new Map([...sides.map((s) => [s.dirName, { path: s.path }] as const), [dockerfileDirName, { path: df }]]),
  });
  // The requests bake sends: context and Dockerfile as FrontendInputs naming the session's dirs.
  const requests = sides.map((s) => {
    const spec = buildSpec({ name: `concurrent-${s.side}`, output: [{ type: 'cacheonly' }] }, work, undefined);
    return solvePlan({
      spec,
      export: { kind: 'cacheonly' },
      ref: `bake-it-${randomBytes(8).toString('hex')}`,
      context: { name: s.dirName, sharedKeyHint: `${s.dirName}-context` },
      dockerfileDir: { name: dockerfileDirName, sharedKeyHint: `${dockerfileDirName}-dockerfile` },
      dockerfileName: 'Dockerfile',
      dockerignore: undefined,
      imageStore: true,
    }).request;
  });
  const results = await withSession(session, (signal) => Promise.all(requests.map((req) => solveOver(session, req, signal))));
  sides.forEach((s, i) => {
    const seen = (results[i]?.logs ?? '')
      .split('\n')
      .filter((l) => l.startsWith('/ctx'))
      .sort();
    const dirs = [...new Set(Object.keys(s.files).flatMap((f) => (f.includes('/') ? [f.slice(0, f.indexOf('/'))] : [])))];
    const expected = ['/ctx', ...dirs.map((d) => `/ctx/${d}`), ...Object.keys(s.files).map((f) => `/ctx/${f}`)].sort();
    assert.deepEqual(seen, expected, `solve ${s.side} sees exactly its own directory`);
    const stats = session.stats.get(s.dirName);
    const bytes = Object.values(s.files).reduce((n, d) => n + d.length, 0);
    assert.equal(stats?.bytes, bytes, `dir ${s.side} sent its own files' bytes, once`);
    assert.equal(stats?.requests, Object.keys(s.files).length);
  });
  console.log(
    `# concurrent: ${sides.map((s, i) => `${s.side} ${JSON.stringify(session.stats.get(s.dirName))} in ${results[i]?.ms.toFixed(0)} ms`).join(', ')}; dockerfile dir ${JSON.stringify(session.stats.get(dockerfileDirName))}`,
  );
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
    const field = (o: number, n: number): string =>
      h
        .subarray(o, o + n)
        .toString('utf8')
        .replace(/\0.*$/s, '');
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
