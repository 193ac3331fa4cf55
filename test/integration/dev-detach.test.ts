/**
 * The whole loop through bin/bake, in the shape a user meets it: build a
 * target, `bake dev --detach` runs its service, `bake dev ls` lists it
 * running, `bake dev stop` leaves nothing in the engine. Small on purpose:
 * it is also the smoke run on the containerd image store (scripts/test-engines.mjs).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEngineAddress } from '../../src/docker/endpoint.js';
import { DockerEngine } from '../../src/docker/engine-api.js';
import { labelFilters } from '../../src/docker/filters.js';
import { LABEL } from '../../src/dev/labels.js';
import { runBake, type Run } from '../support/bake-cli.js';
import { privateServerEnv } from '../support/dev-server.js';
import { requireBuildEngine } from '../support/engine.js';

const scratch = mkdtempSync(join(tmpdir(), 'bake-dev-detach-'));
const project = join(scratch, 'project');
let env: Record<string, string> = {};
let engine: DockerEngine;
const run = (args: string[]): Promise<Run> => runBake(args, { cwd: project, socketPath: '', env });

before(async () => {
  const socket = await requireBuildEngine();
  engine = new DockerEngine(parseEngineAddress(`unix://${socket}`));
  env = privateServerEnv(`unix://${socket}`, scratch);
  mkdirSync(join(env['XDG_RUNTIME_DIR'] ?? ''), { recursive: true, mode: 0o700 });
  mkdirSync(project);
  writeFileSync(
    join(project, 'Dockerfile'),
    'FROM bake-test/busybox:latest\nCOPY hello.txt /hello.txt\nCMD ["sh", "-c", "trap \\"exit 0\\" TERM; sleep 3600 & wait"]\n',
  );
  writeFileSync(join(project, 'hello.txt'), 'hello\n');
  writeFileSync(join(project, 'docker-bake.hcl'), 'target "app" {\n  tags = ["bake-test/dev-detach:latest"]\n}\nservice "app" {\n  target = "app"\n}\n');
});

after(async () => {
  await run(['dev', 'stop', '--volumes']);
  await run(['server', 'stop']);
  await engine?.images.remove('bake-test/dev-detach:latest', { force: true }, AbortSignal.timeout(30_000)).catch(() => undefined);
  engine?.close();
  rmSync(scratch, { recursive: true, force: true });
});

test('build, then bake dev --detach runs the service, dev ls lists it, dev stop leaves nothing behind', async () => {
  const built = await run(['app', '--progress=plain']);
  assert.equal(built.status, 0, built.stderr);
  const again = await run(['app', '--progress=plain']);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /up to date: no input changed/, `an unchanged target is not built again:\n${again.stderr}`);

  const up = await run(['dev', '--detach', '--progress=quiet']);
  assert.equal(up.status, 0, up.stderr);
  const id = /session (\S+) is up/.exec(up.stdout)?.[1];
  assert.ok(id, up.stdout);

  const ls = await run(['dev', 'ls', '--format', 'json']);
  assert.equal(ls.status, 0, ls.stderr);
  const rows = JSON.parse(ls.stdout) as { id: string; services: { name: string; state: string }[] }[];
  assert.deepEqual(
    rows.find((r) => r.id === id)?.services.map((s) => [s.name, s.state]),
    [['app', 'running']],
  );

  const stopped = await run(['dev', 'stop']);
  assert.equal(stopped.status, 0, stopped.stderr);
  const left = await engine.containers.list({ label: labelFilters({ [LABEL.session]: id }) }, AbortSignal.timeout(30_000));
  assert.deepEqual(left, [], 'no container of the session is left');
});
