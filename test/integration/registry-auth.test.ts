/**
 * Registry credentials against a real registry (docker-registry with htpasswd
 * on 127.0.0.1): the engine pushes with X-Registry-Auth, and a build FROM the
 * registry's image pulls with the credentials our session's Auth attachable
 * reads from the DOCKER_CONFIG dir. Without an engine or docker-registry
 * these tests fail (never skip), naming the command that fixes it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DockerEngine } from '../../src/docker/engine-api.js';
import { EngineError } from '../../src/docker/errors.js';
import type { ImagePushProgress, RegistryAuth } from '../../src/docker/types.js';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../support/busybox-image.js';
import { requireEngine } from '../support/engine.js';
import { repoRoot } from '../support/fixtures.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const USER = 'bake-user';
const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;
const nonce = randomBytes(4).toString('hex');
const appTag = `bake-test/registry-app-${nonce}:1`;
let engine: DockerEngine | undefined;
let registry: TestRegistry | undefined;
let socketPath = '';
let work = '';
let base = '';

const signal = (): AbortSignal => AbortSignal.timeout(60_000);
const auth = (password: string): RegistryAuth => ({ username: USER, password, serveraddress: registry?.host ?? '' });

async function push(repo: string, tag: string, credentials: RegistryAuth | undefined): Promise<ImagePushProgress[]> {
  const lines: ImagePushProgress[] = [];
  for await (const line of (engine as DockerEngine).images.push(repo, tag, credentials, signal())) lines.push(line);
  return lines;
}

/** A DOCKER_CONFIG dir whose config.json holds `auths[registry].auth` = base64(user:password), or no config.json at all. */
function dockerConfig(name: string, password: string | undefined): string {
  const dir = join(work, name);
  mkdirSync(dir);
  if (password !== undefined) {
    const auths = { [(registry as TestRegistry).host]: { auth: Buffer.from(`${USER}:${password}`).toString('base64') } };
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths }));
  }
  return dir;
}

/** bin/bake as a user runs it, with DOCKER_CONFIG as the only source of credentials; `path` goes before PATH. */
function bake(
  configDir: string,
  path?: string,
  args = ['-f', join(work, 'project', 'docker-bake.hcl'), 'app', '--pull', '--progress=plain'],
): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const inherited = process.env['PATH'] ?? '/usr/bin:/bin';
    const env = { PATH: path === undefined ? inherited : `${path}:${inherited}`, HOME: work, DOCKER_HOST: `unix://${socketPath}`, DOCKER_CONFIG: configDir };
    const child = spawn(join(repoRoot(), 'bin', 'bake'), args, { cwd: join(work, 'project'), env });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

before(async () => {
  const endpoint = await requireEngine();
  assert.equal(endpoint.kind, 'unix', 'these tests reach the engine through a unix socket');
  socketPath = endpoint.kind === 'unix' ? endpoint.socketPath : '';
  engine = new DockerEngine(endpoint);
  await ensureBusyboxImage(socketPath);
  registry = await startRegistry(USER, PASSWORD);
  base = `${registry.host}/bake-test/base`;
  work = mkdtempSync(join(tmpdir(), 'bake-registry-test-'));
  mkdirSync(join(work, 'project'));
  writeFileSync(join(work, 'project', 'Dockerfile'), `FROM ${base}:1\nRUN echo ${nonce} > /built\n`);
  // The test engine runs with --bridge=none: RUN steps need network "none".
  writeFileSync(join(work, 'project', 'docker-bake.hcl'), `target "app" {\n  tags = ["${appTag}"]\n  network = "none"\n}\n`);
});

after(async () => {
  if (engine) {
    for (const ref of [appTag, `${base}:1`]) await engine.images.remove(ref, { force: true }, signal()).catch(() => undefined);
    engine.close();
  }
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the engine pushes to the registry with X-Registry-Auth credentials', async () => {
  const r = registry as TestRegistry;
  await (engine as DockerEngine).images.tag(BUSYBOX_IMAGE, base, '1', signal());
  const started = performance.now();
  const lines = await push(base, '1', auth(PASSWORD));
  const digest = lines.find((l) => l.aux)?.aux?.Digest;
  assert.match(digest ?? '', /^sha256:[0-9a-f]{64}$/, JSON.stringify(lines));
  console.log(`push of ${base}:1: ${(performance.now() - started).toFixed(0)} ms, ${lines.length} progress lines, ${digest}`);
  assert.equal(await r.get('/v2/bake-test/base/manifests/1', USER, PASSWORD), 200, 'the registry serves the pushed manifest');
  assert.equal(await r.get('/v2/bake-test/base/manifests/1', USER, 'wrong'), 401, 'and only with the password');
  // Gone from the engine, the base image can only come from the registry.
  await (engine as DockerEngine).images.remove(`${base}:1`, {}, signal());
});

test('a push with a wrong password fails with an error that names the registry and says authentication failed', async () => {
  const r = registry as TestRegistry;
  const repo = `${r.host}/bake-test/refused`;
  await (engine as DockerEngine).images.tag(BUSYBOX_IMAGE, repo, '1', signal());
  try {
    await assert.rejects(push(repo, '1', auth('wrong')), (e: unknown) => {
      assert.ok(e instanceof EngineError, String(e));
      assert.equal(
        e.message,
        `the registry ${r.host} refused the credentials of ${USER} for ${repo}:1: authentication failed (unauthorized: authentication required)`,
      );
      assert.equal(e.fix, `Check the user name and password for ${r.host} (docker login ${r.host}).`);
      return true;
    });
    await assert.rejects(push(repo, '1', undefined), /refused an anonymous push/);
  } finally {
    await (engine as DockerEngine).images.remove(`${repo}:1`, {}, signal());
  }
});

test('bake --pull builds FROM the registry with the credentials of DOCKER_CONFIG served by the session', async () => {
  const started = performance.now();
  const r = await bake(dockerConfig('good', PASSWORD));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`load metadata for ${base.replace(/\./g, '\\.')}:1\\n#\\d+ DONE`));
  const image = await (engine as DockerEngine).images.inspect(appTag, signal());
  assert.match(image.Id, /^sha256:/);
  console.log(`build pulling ${base}:1 with credentials: ${(performance.now() - started).toFixed(0)} ms`);
});

test('a credential helper named in credHelpers is asked for the registry host during the build', async () => {
  const r0 = registry as TestRegistry;
  const bin = join(work, 'bin');
  const asked = join(work, 'helper-asked.log');
  mkdirSync(bin);
  // docker-credential-<name> get: the host on stdin, the credentials as JSON on stdout; the log shows the daemon asked our session.
  writeFileSync(
    join(bin, 'docker-credential-baketest'),
    `#!/bin/sh\nread host\necho "$1 $host" >> ${asked}\nprintf '{"ServerURL":"%s","Username":"${USER}","Secret":"${PASSWORD}"}' "$host"\n`,
    { mode: 0o755 },
  );
  const dir = join(work, 'helper');
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ credHelpers: { [r0.host]: 'baketest' } }));
  const r = await bake(dir, bin);
  assert.equal(r.status, 0, r.stderr);
  // BuildKit may ask again for a later request; every ask is for this registry.
  const lines = readFileSync(asked, 'utf8').trimEnd().split('\n');
  assert.ok(lines.length >= 1 && lines.every((l) => l === `get ${r0.host}`), lines.join('\n'));
});

test('without credentials the same build is refused: the session is where the working ones came from', async () => {
  const r = await bake(dockerConfig('none', undefined));
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /401 Unauthorized/);
});

test('a wrong password in DOCKER_CONFIG fails the build with the registry named and 401 Unauthorized', async () => {
  const r = await bake(dockerConfig('bad', 'wrong'));
  assert.equal(r.status, 1, r.stderr);
  const host = (registry as TestRegistry).host.replace(/\./g, '\\.');
  // The engine's words differ (20.10 "pulling from host … failed with status code [manifests 1]", 26 "unexpected status from HEAD request to http://…/manifests/1"): the host and the 401 are in both.
  assert.match(r.stderr, new RegExp(`\\nerror: failed to build app: .*${host}.*401 Unauthorized\\n`));
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
});

test('bake --push on the Docker engine loads the image, then pushes it with the credentials of DOCKER_CONFIG', async () => {
  const r = registry as TestRegistry;
  const repo = `${r.host}/bake-test/pushed-${nonce}`;
  writeFileSync(join(work, 'project', 'push.Dockerfile'), `FROM ${BUSYBOX_IMAGE}\nRUN echo pushed-${nonce} > /pushed\n`);
  writeFileSync(join(work, 'project', 'push.hcl'), `target "pushed" {\n  dockerfile = "push.Dockerfile"\n  tags = ["${repo}:1"]\n}\n`);
  const args = ['-f', join(work, 'project', 'push.hcl'), 'pushed', '--push', '--progress=quiet'];
  try {
    const refused = await bake(dockerConfig('push-bad', 'wrong'), undefined, args);
    assert.equal(refused.status, 1, refused.stderr);
    assert.equal(
      refused.stderr,
      `error: the registry ${r.host} refused the credentials of ${USER} for ${repo}:1: authentication failed (unauthorized: authentication required)\n  = fix: Check the user name and password for ${r.host} (docker login ${r.host}).\n`,
    );
    const started = performance.now();
    const pushed = await bake(dockerConfig('push-good', PASSWORD), undefined, args);
    assert.equal(pushed.status, 0, pushed.stderr);
    console.log(`bake --push of ${repo}:1: ${(performance.now() - started).toFixed(0)} ms`);
    assert.equal(await r.get(`/v2/bake-test/pushed-${nonce}/manifests/1`, USER, PASSWORD), 200, 'the registry serves what bake pushed');
  } finally {
    await (engine as DockerEngine).images.remove(`${repo}:1`, { force: true }, signal()).catch(() => undefined);
  }
});
