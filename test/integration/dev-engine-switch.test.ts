/**
 * A newcomer's bake dev across engines (issue 11): only bake dev starts the
 * server, and a session made on engine A is never used silently once
 * DOCKER_HOST names engine B. bake dev, bake dev attach and bake dev ls say
 * so, naming both engines and how to get a session on B; B is never touched.
 * Engine B is a stand-in that answers /_ping and /info (its own daemon ID)
 * and refuses everything else, recording what it was asked.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LABEL } from '../../src/dev/labels.js';
import { parseEngineAddress } from '../../src/docker/endpoint.js';
import { DockerEngine } from '../../src/docker/engine-api.js';
import { runBake, type Run } from '../support/bake-cli.js';
import { privateServerEnv } from '../support/dev-server.js';
import { requireBuildEngine } from '../support/engine.js';

let scratch = '';
let engineA = '';
let engine: DockerEngine;
let env: Record<string, string> = {};
let project = '';
let engineB: Server | undefined;
let engineBAddress = '';
/** What engine B was asked, besides its identity. */
const askedB: string[] = [];

const bake = (args: string[], extra: Record<string, string> = {}): Promise<Run> => runBake(args, { cwd: project, env: { ...env, ...extra } });

before(async () => {
  engineA = `unix://${await requireBuildEngine()}`;
  engine = new DockerEngine(parseEngineAddress(engineA));
  scratch = mkdtempSync(join(tmpdir(), 'bake-engine-switch-'));
  env = privateServerEnv(engineA, scratch);
  project = join(scratch, 'shop');
  mkdirSync(project);
  writeFileSync(join(project, 'docker-bake.hcl'), 'service "svc" {\n  image   = "busybox:latest"\n  command = ["sleep", "3600"]\n}\n');
  const socket = join(scratch, 'engine-b.sock');
  engineB = createServer((req, res) => {
    const path = (req.url ?? '').replace(/^\/v[\d.]+/, '').split('?')[0];
    if (path === '/_ping') return void res.end('OK');
    if (path === '/info') return void res.end(JSON.stringify({ ID: 'ENGINE-B-ID', Name: 'engine-b' }));
    askedB.push(`${req.method} ${path}`);
    res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'engine B is a stand-in' }));
  });
  await new Promise<void>((resolve) => engineB?.listen(socket, resolve));
  engineBAddress = `unix://${socket}`;
});

after(async () => {
  if (project) {
    await bake(['dev', 'stop', '--volumes']).catch(() => undefined);
    await bake(['server', 'stop']).catch(() => undefined);
  }
  engineB?.close();
  engine?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('bake dev --detach starts the server; a session made on engine A is refused, not used, when DOCKER_HOST names engine B', async () => {
  assert.deepEqual(JSON.parse((await bake(['server', 'status', '--format', 'json'])).stdout), { running: false });
  const up = await bake(['dev', '--detach']);
  assert.equal(up.status, 0, up.stderr);
  const id = /session (\S+) is up/.exec(up.stdout)?.[1] ?? '';
  assert.equal(
    (JSON.parse((await bake(['server', 'status', '--format', 'json'])).stdout) as { running: boolean }).running,
    true,
    'bake dev started the server',
  );
  const containers = async (): Promise<string[]> =>
    (await engine.containers.list({ label: [`${LABEL.session}=${id}`] }, AbortSignal.timeout(10_000))).map((c) => c.Id);
  const before = await containers();
  assert.equal(before.length, 1);

  const onB = { DOCKER_HOST: engineBAddress };
  const names = (text: string): void => {
    assert.match(
      text,
      new RegExp(
        `session ${id} runs on the engine at ${engineA.replace(/[/.]/g, '\\$&')}, but this terminal's engine is ${engineBAddress.replace(/[/.]/g, '\\$&')} \\(DOCKER_HOST is set\\)`,
      ),
    );
    assert.match(text, new RegExp(`run bake dev stop ${id}, then bake dev again`));
  };
  for (const args of [
    ['dev', '--detach'],
    ['dev', 'attach'],
  ]) {
    const r = await bake(args, onB);
    assert.equal(r.status, 1, `bake ${args.join(' ')} on engine B: ${r.stdout}${r.stderr}`);
    names(r.stderr);
    assert.match(r.stderr, /^ {2}= fix: To use the session, point DOCKER_HOST at /m);
    assert.doesNotMatch(r.stdout, /is up/);
  }
  const ls = await bake(['dev', 'ls', '--format', 'json'], onB);
  assert.equal(ls.status, 0, ls.stderr);
  names(ls.stderr);
  assert.deepEqual(
    (JSON.parse(ls.stdout) as { id: string; engine: string }[]).map((s) => [s.id, s.engine]),
    [[id, engineA]],
    'ls still lists the session, on engine A',
  );

  assert.deepEqual(
    askedB.filter((r) => !r.startsWith('GET ')),
    [],
    'nothing was built or created on engine B (the server only looked for sessions there)',
  );
  assert.deepEqual(await containers(), before, 'the session on engine A is untouched');
  // Back on engine A, the session is used as before.
  const again = await bake(['dev', '--detach']);
  assert.equal(again.status, 0, again.stderr);
  assert.doesNotMatch((await bake(['dev', 'ls'])).stderr, /this terminal's engine/);
});
