/**
 * `bake dev --watch` through bin/bake (issue 15): a saved file under a sync
 * rule's path shows up in the running container (and a removed one goes),
 * without a new container; a sync+restart rule's file is copied and its
 * service restarted in the same container; a change under a rebuild rule's
 * path builds the target again and recreates its service, and only that one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEngineAddress } from '../../src/docker/endpoint.js';
import { DockerEngine } from '../../src/docker/engine-api.js';
import { labelFilters } from '../../src/docker/filters.js';
import { LABEL } from '../../src/dev/labels.js';
import { EngineContainerFiles } from '../../src/dev/process/engine-files.js';
import { runBake, type Run } from '../support/bake-cli.js';
import { privateServerEnv } from '../support/dev-server.js';
import { requireBuildEngine } from '../support/engine.js';

const scratch = mkdtempSync(join(tmpdir(), 'bake-dev-watch-'));
const project = join(scratch, 'project');
let env: Record<string, string> = {};
let engine: DockerEngine;
const run = (args: string[]): Promise<Run> => runBake(args, { cwd: project, socketPath: '', env });
const TAG = 'bake-test/dev-watch:latest';
const SLEEPER = 'CMD ["sh", "-c", "trap \\"exit 0\\" TERM; sleep 3600 & wait"]';

before(async () => {
  const socket = await requireBuildEngine();
  engine = new DockerEngine(parseEngineAddress(`unix://${socket}`));
  env = privateServerEnv(`unix://${socket}`, scratch);
  mkdirSync(join(env['XDG_RUNTIME_DIR'] ?? ''), { recursive: true, mode: 0o700 });
  mkdirSync(join(project, 'app', 'src'), { recursive: true });
  writeFileSync(join(project, 'app', 'Dockerfile'), `FROM bake-test/busybox:latest\nCOPY version /version\n${SLEEPER}\n`);
  writeFileSync(join(project, 'app', 'version'), 'v1\n');
  writeFileSync(join(project, 'app', 'src', 'old.txt'), 'old\n');
  writeFileSync(join(project, 'side.conf'), 'one\n');
  writeFileSync(
    join(project, 'docker-bake.hcl'),
    `target "app" {
  context = "app"
  tags = ["${TAG}"]
}
service "app" {
  target = "app"
  watch {
    action = "sync"
    path = "app/src"
    target = "/srv"
    ignore = ["*.tmp"]
  }
  watch {
    action = "rebuild"
    path = "app/version"
  }
}
service "side" {
  image = "bake-test/busybox:latest"
  command = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
  watch {
    action = "sync+restart"
    path = "side.conf"
    target = "/etc/side.conf"
  }
}
`,
  );
});

after(async () => {
  await run(['dev', 'stop', '--volumes']);
  await run(['server', 'stop']);
  await engine?.images.remove(TAG, { force: true }, AbortSignal.timeout(30_000)).catch(() => undefined);
  engine?.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function containerOf(session: string, service: string): Promise<string> {
  const [found] = await engine.containers.list({ label: labelFilters({ [LABEL.session]: session, [LABEL.service]: service }) }, AbortSignal.timeout(30_000));
  assert.ok(found, `session ${session} has a container for ${service}`);
  return found.Id;
}

/** The file's text in the container, or undefined while it is missing. */
async function readIn(containerId: string, path: string): Promise<string | undefined> {
  const files = new EngineContainerFiles(engine, containerId, 'the test container');
  return (await files.read(path, AbortSignal.timeout(10_000)).catch(() => undefined))?.toString();
}

/** Polls `probe` until it gives `expected` or `ms` pass; returns what it gave last. */
async function until<T>(probe: () => Promise<T>, expected: T, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  let got = await probe();
  while (got !== expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    got = await probe();
  }
  return got;
}

test('bake dev --watch syncs a saved file into the running container, and a rebuild rule recreates only its service', async () => {
  const up = await run(['dev', '--detach', '--watch', '--progress=quiet']);
  assert.equal(up.status, 0, up.stderr);
  assert.match(
    up.stderr,
    /watching \(session \S+\):\n {2}app: \S+\/app\/src → sync to \/srv\n {2}app: \S+\/app\/version → rebuilds target app\n {2}side: \S+\/side.conf → sync\+restart to \/etc\/side.conf/,
    up.stderr,
  );
  const id = /session (\S+) is up/.exec(up.stdout)?.[1] as string;
  const app = await containerOf(id, 'app');
  const side = await containerOf(id, 'side');

  mkdirSync(join(project, 'app', 'src', 'deep', 'er'), { recursive: true });
  writeFileSync(join(project, 'app', 'src', 'deep', 'er', 'new.txt'), 'saved\n');
  writeFileSync(join(project, 'app', 'src', 'skip.tmp'), 'ignored\n');
  assert.equal(await until(() => readIn(app, '/srv/deep/er/new.txt'), 'saved\n', 10_000), 'saved\n', 'the saved file is in the container');
  writeFileSync(join(project, 'app', 'src', 'deep', 'er', 'new.txt'), 'saved again\n');
  assert.equal(await until(() => readIn(app, '/srv/deep/er/new.txt'), 'saved again\n', 10_000), 'saved again\n');
  assert.equal(await readIn(app, '/srv/skip.tmp'), undefined, 'an ignored file is not synced');
  writeFileSync(join(project, 'app', 'src', 'old.txt'), 'old\n');
  assert.equal(await until(() => readIn(app, '/srv/old.txt'), 'old\n', 10_000), 'old\n');
  unlinkSync(join(project, 'app', 'src', 'old.txt'));
  assert.equal(await until(() => readIn(app, '/srv/old.txt'), undefined, 10_000), undefined, 'a removed file goes');
  assert.equal(await containerOf(id, 'app'), app, 'a sync keeps the container');

  const startedAt = async (): Promise<string> => (await engine.containers.inspect(side, AbortSignal.timeout(10_000))).State.StartedAt;
  const sideStarted = await startedAt();
  writeFileSync(join(project, 'side.conf'), 'two\n');
  assert.equal(await until(() => readIn(side, '/etc/side.conf'), 'two\n', 10_000), 'two\n', 'sync+restart copies the file');
  assert.equal(await until(async () => (await startedAt()) !== sideStarted, true, 30_000), true, 'and restarts the service');
  assert.equal(await containerOf(id, 'side'), side, 'in its own container');

  writeFileSync(join(project, 'app', 'version'), 'v2\n');
  const recreated = await until(
    async () => {
      const now = await containerOf(id, 'app').catch(() => app);
      return now !== app && (await readIn(now, '/version')) === 'v2\n';
    },
    true,
    120_000,
  );
  assert.ok(recreated, 'the rebuild recreated app with the new version');
  assert.equal(await containerOf(id, 'side'), side, 'the service whose target did not change keeps its container');
});
