/**
 * Files of kinds a build never reads do not fail it (issue 14, defect 4):
 * a unix socket in the context travels as fsutil (and `docker build`) sends
 * it, an empty regular file, and a COPY of the whole context gets it as one.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runBake } from '../support/bake-cli.js';
import { engineRequest } from '../support/busybox-image.js';
import { requireBuildEngine } from '../support/engine.js';
import { fileInImage } from '../support/image-files.js';

const tag = `bake-test/context-kinds-${randomBytes(4).toString('hex')}:dev`;
let socketPath = '';
let project = '';
let listening: Server | undefined;

before(async () => {
  socketPath = await requireBuildEngine();
  project = mkdtempSync(join(tmpdir(), 'bake-context-kinds-'));
  writeFileSync(join(project, 'docker-bake.hcl'), `target "app" {\n  tags = ["${tag}"]\n}\n`);
  writeFileSync(join(project, 'Dockerfile'), 'FROM bake-test/busybox\nCOPY . /ctx/\n');
  writeFileSync(join(project, 'a.txt'), 'a\n');
  const server = createServer((c) => c.destroy());
  await new Promise<void>((resolve) => server.listen(join(project, 'app.sock'), resolve));
  listening = server;
});

after(async () => {
  listening?.close();
  if (socketPath) await engineRequest(socketPath, 'DELETE', `/images/${tag}?force=1`).catch(() => undefined);
  if (project) rmSync(project, { recursive: true, force: true });
});

test('a unix socket in the context is sent as an empty file, and the build succeeds', async () => {
  const r = await runBake(['app', '--progress', 'plain'], { cwd: project, socketPath });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(await fileInImage(socketPath, tag, 'ctx/app.sock'), '');
  assert.equal(await fileInImage(socketPath, tag, 'ctx/a.txt'), 'a\n');
});
