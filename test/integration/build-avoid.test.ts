/**
 * Build avoidance (src/orchestrate/up-to-date.ts) against the real engine: a
 * second run with nothing changed sends no Solve; any input that changes
 * the result (a context file, the base image, the image behind a tag,
 * --no-cache) builds again; an ignored file does not. Each run gets its own
 * XDG_STATE_HOME, so records of other tests never answer.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runBake, type Run } from '../support/bake-cli.js';
import { engineRequest } from '../support/busybox-image.js';
import { requireBuildEngine } from '../support/engine.js';

const nonce = randomBytes(4).toString('hex');
const tag = `bake-test/avoid-${nonce}:dev`;
const base = `bake-test/avoid-base-${nonce}`;
let socketPath = '';
let project = '';
let state = '';

const run = (args: string[] = ['--progress=plain', 'app']): Promise<Run> => runBake(args, { cwd: project, socketPath, env: { XDG_STATE_HOME: state } });
const UP_TO_DATE = /\[bake\] up to date: no input changed since its last build/;
const SOLVED = /\[internal\] load build definition from Dockerfile/;

async function imageId(ref: string): Promise<string> {
  return (JSON.parse((await engineRequest(socketPath, 'GET', `/images/${encodeURIComponent(ref)}/json`)).body) as { Id: string }).Id;
}

before(async () => {
  socketPath = await requireBuildEngine();
  project = mkdtempSync(join(tmpdir(), 'bake-avoid-'));
  state = mkdtempSync(join(tmpdir(), 'bake-avoid-state-'));
  // The base is a tag of our own, so the test can move it.
  await engineRequest(socketPath, 'POST', `/images/bake-test/busybox:latest/tag?repo=${base}&tag=1`);
  const files: Record<string, string> = {
    'docker-bake.hcl': `target "app" {\n  tags = ["${tag}"]\n  network = "none"\n}\n`,
    Dockerfile: `FROM ${base}:1\nCOPY hello.txt /hello.txt\nRUN cat /hello.txt > /copy.txt\n`,
    'hello.txt': 'hello\n',
    '.dockerignore': 'ignored.txt\n',
    'ignored.txt': 'one\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(project, name), text);
});

after(async () => {
  for (const ref of [tag, `${base}:1`]) await engineRequest(socketPath, 'DELETE', `/images/${encodeURIComponent(ref)}?force=1`).catch(() => undefined);
  for (const dir of [project, state]) if (dir) rmSync(dir, { recursive: true, force: true });
});

test("a second run with nothing changed is up to date without a solve, loading no BuildKit client; its metadata is the build's", async () => {
  // What each run loaded, written as it exits (Node's list of its own modules: grpc-js needs http2).
  const preload = join(state, 'modules-preload.mjs');
  writeFileSync(
    preload,
    "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(process.env.BAKE_TEST_MODULES, process.moduleLoadList.join('\\n')));\n",
  );
  const modules = join(state, 'modules.txt');
  const watched = (args: string[]): Promise<Run> =>
    runBake(args, { cwd: project, socketPath, env: { XDG_STATE_HOME: state, NODE_OPTIONS: `--import=${preload}`, BAKE_TEST_MODULES: modules } });
  const loadedHttp2 = (): boolean => readFileSync(modules, 'utf8').split('\n').includes('NativeModule http2');
  // The metadata files go outside the context: one inside would be a changed input.
  const first = await watched(['--progress=plain', '--metadata-file', join(state, 'first.json'), 'app']);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stderr, SOLVED);
  assert.equal(loadedHttp2(), true, 'the run that solved loaded the BuildKit client');
  const second = await watched(['--progress=plain', '--metadata-file', join(state, 'second.json'), 'app']);
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stderr, UP_TO_DATE);
  assert.doesNotMatch(second.stderr, SOLVED);
  assert.equal(loadedHttp2(), false, 'the up-to-date run loaded the BuildKit client (grpc-js, ~60 ms of its start)');
  const metadata = (name: string): unknown => JSON.parse(readFileSync(join(state, name), 'utf8'));
  assert.deepEqual(metadata('second.json'), metadata('first.json'));
  // buildx's shape on a Docker engine: the image ID as containerimage.digest, a config digest, the tags as image.name
  // (as the engine names them: Docker 26 writes docker.io/… ; with the containerd store the config digest is not the ID).
  const app = (metadata('first.json') as { app: Record<string, string> }).app;
  assert.equal(app['containerimage.digest'], await imageId(tag));
  assert.match(app['containerimage.config.digest'] ?? '', /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(
    (app['image.name'] ?? '').split(',').map((n) => n.replace(/^docker\.io\//, '')),
    [tag],
  );
});

test('a changed context file builds again; a file .dockerignore excludes does not', async () => {
  writeFileSync(join(project, 'ignored.txt'), 'two, longer\n');
  const ignored = await run();
  assert.equal(ignored.status, 0, ignored.stderr);
  assert.match(ignored.stderr, UP_TO_DATE);
  writeFileSync(join(project, 'hello.txt'), 'hello again\n');
  const changed = await run();
  assert.equal(changed.status, 0, changed.stderr);
  assert.match(changed.stderr, SOLVED);
  assert.match((await run()).stderr, UP_TO_DATE);
});

test('a moved base image or a tag taken by another image builds again', async () => {
  const before = await imageId(tag);
  // The base now names the image just built: a different ID under the same reference.
  await engineRequest(socketPath, 'POST', `/images/${encodeURIComponent(tag)}/tag?repo=${base}&tag=1`);
  const moved = await run();
  assert.equal(moved.status, 0, moved.stderr);
  assert.match(moved.stderr, SOLVED);
  assert.notEqual(await imageId(tag), before);
  await engineRequest(socketPath, 'POST', `/images/bake-test/busybox:latest/tag?repo=${base}&tag=1`);
  assert.match((await run()).stderr, SOLVED);
  // Someone else's image under our tag: the record no longer describes the engine.
  await engineRequest(socketPath, 'POST', `/images/bake-test/busybox:latest/tag?repo=${encodeURIComponent(tag.split(':')[0] as string)}&tag=dev`);
  const retagged = await run();
  assert.match(retagged.stderr, SOLVED);
  assert.match((await run()).stderr, UP_TO_DATE);
});

test('--no-cache always builds', async () => {
  const forced = await run(['--progress=plain', '--no-cache', 'app']);
  assert.equal(forced.status, 0, forced.stderr);
  assert.match(forced.stderr, SOLVED);
  assert.doesNotMatch(forced.stderr, UP_TO_DATE);
});
