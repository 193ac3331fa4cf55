/**
 * `bake dev` on a running session whose inputs did not change (issue 15,
 * fast paths): it says so in one line and neither dials BuildKit nor
 * solves, also for a target linked to another by a `target:` context;
 * once a file of the context changes, it builds as before. What
 * bake asks of the engine is read on the way: DOCKER_HOST is a socket that
 * passes every byte on to the real engine and writes down each HTTP
 * request line, so a dial of BuildKit (POST /grpc, POST /session, as both
 * Docker 20.10 and 26 take them) shows whatever the engine's version. And
 * a `bake dev` whose services are all images does not even load the
 * BuildKit client (read from the modules the process loaded).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEngineAddress } from '../../src/docker/endpoint.js';
import { DockerEngine } from '../../src/docker/engine-api.js';
import { runBake, type Run } from '../support/bake-cli.js';
import { privateServerEnv } from '../support/dev-server.js';
import { recordLoadedSources } from '../support/loaded-sources.js';
import { requireBuildEngine } from '../support/engine.js';

const scratch = mkdtempSync(join(tmpdir(), 'bake-dev-fast-'));
const project = join(scratch, 'project');
const TAG = 'bake-test/dev-fast-path:latest';
let env: Record<string, string> = {};
let engine: DockerEngine;
let proxy: Server | undefined;
/** `METHOD /path` of every request bake and its server sent the engine, in order. */
const asked: string[] = [];
const run = (args: string[]): Promise<Run> => runBake(args, { cwd: project, env, timeoutMs: 120_000 });

/** The engine's socket behind one that records request lines; returns its address. */
async function recordingEngine(socketPath: string): Promise<string> {
  const path = join(scratch, 'engine.sock');
  proxy = createServer((client) => {
    const upstream = connect(socketPath);
    let pending = '';
    client.on('data', (chunk: Buffer) => {
      // Request lines start the stream and follow earlier requests on a kept-alive connection; past an upgrade the bytes are h2, which never look like one.
      pending = (pending + chunk.toString('latin1')).slice(-4096);
      for (const m of pending.matchAll(/(?:^|\r\n)(GET|POST|PUT|DELETE|HEAD) (\/\S*) HTTP\/1\.1\r\n/g))
        asked.push(`${m[1]} ${(m[2] ?? '').replace(/^\/v[\d.]+/, '').split('?')[0]}`);
      pending = pending.slice(pending.lastIndexOf('\r\n\r\n') + 1);
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('end', () => upstream.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy?.listen(path, resolve));
  return `unix://${path}`;
}

const dialsBuildKit = (requests: readonly string[]): boolean => requests.some((r) => r === 'POST /grpc' || r === 'POST /session');

before(async () => {
  const socket = await requireBuildEngine();
  engine = new DockerEngine(parseEngineAddress(`unix://${socket}`));
  env = privateServerEnv(await recordingEngine(socket), scratch);
  mkdirSync(env['XDG_RUNTIME_DIR'] ?? '', { recursive: true, mode: 0o700 });
  mkdirSync(project);
  // app builds on base through a target: context, as examples/shop's services do: base is only linked, and gone from the store after each run.
  mkdirSync(join(project, 'base'));
  writeFileSync(join(project, 'base', 'Dockerfile'), 'FROM bake-test/busybox:latest\nRUN echo base > /base.txt\n');
  writeFileSync(join(project, 'Dockerfile'), 'FROM base\nCOPY hello.txt /hello.txt\nCMD ["sh", "-c", "trap \\"exit 0\\" TERM; sleep 3600 & wait"]\n');
  writeFileSync(join(project, 'hello.txt'), 'hello\n');
  writeFileSync(
    join(project, 'docker-bake.hcl'),
    `target "base" {\n  context = "base"\n}\ntarget "app" {\n  contexts = { base = "target:base" }\n  tags = ["${TAG}"]\n}\nservice "app" {\n  target = "app"\n}\n`,
  );
});

after(async () => {
  await run(['dev', 'stop', '--volumes']);
  await run(['server', 'stop']);
  await engine?.images.remove(TAG, { force: true }, AbortSignal.timeout(30_000)).catch(() => undefined);
  engine?.close();
  proxy?.close();
  rmSync(scratch, { recursive: true, force: true });
});

test('bake dev on an unchanged running session starts nothing and asks no BuildKit; a changed file builds again', async () => {
  const first = await run(['dev', '--detach', '--progress=plain']);
  assert.equal(first.status, 0, first.stderr);
  // The recorder sees a dial when there is one: the check below is not vacuous.
  assert.ok(dialsBuildKit(asked), `the first run builds through BuildKit; the engine was asked:\n${asked.join('\n')}`);

  asked.length = 0;
  const again = await run(['dev', '--detach', '--progress=plain']);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /nothing built: no input of base, app changed since the last build/);
  assert.ok(!dialsBuildKit(asked), `an unchanged session dials no BuildKit; the engine was asked:\n${asked.join('\n')}`);
  assert.match(again.stderr, /app: running \(unchanged\)/, 'the service keeps its container');

  writeFileSync(join(project, 'hello.txt'), 'hello again\n');
  asked.length = 0;
  const changed = await run(['dev', '--detach', '--progress=plain']);
  assert.equal(changed.status, 0, changed.stderr);
  assert.doesNotMatch(changed.stderr, /nothing built/);
  assert.ok(dialsBuildKit(asked), `a changed context builds again; the engine was asked:\n${asked.join('\n')}`);
});

test('bake dev with image-only services loads no BuildKit client; one that builds does', async () => {
  /** What `bake dev` loads only to build: the BuildKit dial and build, and the build run over them. */
  const buildOnly = ['src/buildkit/dial.ts', 'src/buildkit/build.ts', 'src/orchestrate/build-run.ts'];
  const loadedBy = async (dir: string, what: string): Promise<string[]> => {
    const recorder = recordLoadedSources(mkdtempSync(join(scratch, 'loaded-')));
    const r = await runBake(['dev', '--detach', '--progress=plain'], { cwd: dir, env: { ...env, ...recorder.env }, timeoutMs: 120_000 });
    assert.equal(r.status, 0, `${what}: ${r.stderr}`);
    const sources = recorder.sources();
    assert.ok(sources.has('src/cli/dev-session.ts'), `${what}: the recorder saw bake's modules (${sources.size} sources)`);
    return buildOnly.filter((s) => sources.has(s));
  };
  const images = join(scratch, 'images-only');
  mkdirSync(images);
  writeFileSync(join(images, 'docker-bake.hcl'), 'service "tool" {\n  image   = "busybox:latest"\n  command = ["sleep", "3600"]\n}\n');
  try {
    assert.deepEqual(await loadedBy(images, 'image-only services'), [], 'an image-only bake dev loads none of the build-only modules');
  } finally {
    await runBake(['dev', 'stop'], { cwd: images, env });
  }
  // The control: a changed context builds, and the recorder sees the same modules loaded.
  writeFileSync(join(project, 'hello.txt'), `hello ${Date.now()}\n`);
  assert.deepEqual(await loadedBy(project, 'a service to build'), buildOnly, 'a bake dev that builds loads them');
});
