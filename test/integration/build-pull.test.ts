/**
 * `--pull` on a target with target: contexts (issue #4): the frontend's pull
 * mode would pull the internal tag too, so bake pulls the target's other
 * images through the engine first and solves in the default mode. The base
 * is served by the test registry (this machine reaches no other), and a
 * different local image under the same name shows which one the build used.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runBake, type Run } from '../support/bake-cli.js';
import { engineRequest } from '../support/busybox-image.js';
import { requireBuildEngine } from '../support/engine.js';
import { fileInImage } from '../support/image-files.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const USER = 'bake-user';
const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;
const nonce = randomBytes(4).toString('hex');
const appTag = `bake-test/pull-app-${nonce}:dev`;
let registry: TestRegistry | undefined;
let socketPath = '';
let project = '';
let base = '';

const bake = (args: string[]): Promise<Run> =>
  runBake([...args, '--progress=plain'], { cwd: project, socketPath, env: { DOCKER_CONFIG: join(project, '.docker') } });

async function internalTags(): Promise<string[]> {
  const images = JSON.parse((await engineRequest(socketPath, 'GET', '/images/json')).body) as { RepoTags: string[] | null }[];
  return images.flatMap((i) => i.RepoTags ?? []).filter((t) => t.startsWith('bake-internal/'));
}

before(async () => {
  socketPath = await requireBuildEngine();
  registry = await startRegistry(USER, PASSWORD);
  base = `${registry.host}/bake-test/pull-base:${nonce}`;
  project = mkdtempSync(join(tmpdir(), 'bake-pull-'));
  const file = (path: string, text: string): void => {
    mkdirSync(join(project, path, '..'), { recursive: true });
    writeFileSync(join(project, path), text);
  };
  file('.docker/config.json', JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }));
  file('registry/Dockerfile', 'FROM bake-test/busybox\nRUN echo registry > /which\n');
  file('local/Dockerfile', 'FROM bake-test/busybox\nRUN echo local > /which\n');
  file('dep/Dockerfile', `FROM ${base}\nRUN echo dep-${nonce} > /dep\n`);
  file('app/Dockerfile', `FROM ${base}\nCOPY --from=dep /dep /dep\n`);
  // The test engine runs with --bridge=none: RUN steps need network "none".
  file(
    'docker-bake.hcl',
    `target "registry" {\n  context = "registry"\n  output = ["type=registry,name=${base}"]\n  network = "none"\n}\n` +
      `target "local" {\n  context = "local"\n  tags = ["${base}"]\n  network = "none"\n}\n` +
      `target "dep" {\n  context = "dep"\n  network = "none"\n}\n` +
      `target "app" {\n  context = "app"\n  contexts = { dep = "target:dep" }\n  tags = ["${appTag}"]\n}\n`,
  );
  // The registry holds one image under the base's name, the engine another.
  for (const target of ['registry', 'local']) {
    const r = await bake([target]);
    assert.equal(r.status, 0, r.stderr);
  }
});

after(async () => {
  for (const tag of [appTag, base]) await engineRequest(socketPath, 'DELETE', `/images/${tag}?force=1`).catch(() => undefined);
  await registry?.stop();
  if (project) rmSync(project, { recursive: true, force: true });
});

test('without --pull a linked target builds on the local base', async () => {
  const r = await bake(['app']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(await fileInImage(socketPath, appTag, 'which'), 'local\n');
});

test('--pull on a linked target pulls its registry base through the engine, never the internal tag, and builds on the pulled base', async () => {
  const before = await internalTags();
  const r = await bake(['app', '--pull']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`\\[app\\] .*\\[internal\\] pull ${base.replace(/[.]/g, '\\.')}`));
  assert.doesNotMatch(r.stderr, /pull.*bake-internal/, 'the internal tag is never pulled');
  assert.equal(await fileInImage(socketPath, appTag, 'which'), 'registry\n', 'the base came from the registry');
  assert.equal(await fileInImage(socketPath, appTag, 'dep'), `dep-${nonce}\n`, 'the linked dependency came from the image store');
  assert.deepEqual(await internalTags(), before, 'no bake-internal/ tag remains');
});

test('--pull on a linked target whose base exists only locally fails that target, as buildx --pull does', async () => {
  writeFileSync(join(project, 'app', 'Dockerfile'), `FROM bake-test/busybox\nCOPY --from=dep /dep /dep\n`);
  const before = await internalTags();
  const r = await bake(['app', '--pull']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /pulling bake-test\/busybox failed: /);
  assert.doesNotMatch(r.stderr, /pull.*bake-internal/);
  assert.deepEqual(await internalTags(), before);
});
