/**
 * Files the build never reads cannot fail it (issue 14, defect 4): a file or
 * directory that bake's user cannot read (mode 000), beside what the
 * Dockerfile copies or excluded by .dockerignore inside a directory it
 * copies, is left alone, as `docker build` leaves it. One the Dockerfile
 * does copy fails the build with a sentence that names it and the fix.
 * The tests run as root, who reads any file: bake runs here as nobody
 * (65534), reaching the engine through a socket of this test's that passes
 * the bytes on.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runBake, type Run } from '../support/bake-cli.js';
import { engineRequest } from '../support/busybox-image.js';
import { requireBuildEngine } from '../support/engine.js';
import { fileInImage } from '../support/image-files.js';

const NOBODY = 65534;
const nonce = randomBytes(4).toString('hex');
const tag = `bake-test/unreadable-${nonce}:dev`;
let socketPath = '';
let work = '';
let project = '';
let proxy: Server | undefined;

/** bake as nobody, with a home and state of its own, through the proxy socket. */
const runAsNobody = (args: string[]): Promise<Run> =>
  runBake([...args, '--progress=plain'], {
    cwd: project,
    under: ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'],
    env: { DOCKER_HOST: `unix://${join(work, 'engine.sock')}`, HOME: join(work, 'home'), XDG_STATE_HOME: join(work, 'home', 'state') },
    timeoutMs: 120_000,
  });

before(async () => {
  socketPath = await requireBuildEngine();
  work = mkdtempSync(join(tmpdir(), 'bake-unreadable-'));
  chmodSync(work, 0o755);
  project = join(work, 'project');
  mkdirSync(join(project, 'sent', 'excluded-dir'), { recursive: true });
  mkdirSync(join(project, 'locked-dir'));
  mkdirSync(join(work, 'home'));
  chownSync(join(work, 'home'), NOBODY, NOBODY);
  const files: Record<string, string> = {
    'small.txt': `small ${nonce}\n`,
    'locked.bin': 'nobody reads this\n',
    'locked-dir/inside.txt': 'nor this\n',
    'sent/ok.txt': `ok ${nonce}\n`,
    'sent/excluded.bin': 'excluded and unreadable\n',
    'sent/excluded-dir/inside.txt': 'excluded dir, unreadable\n',
    '.dockerignore': 'sent/excluded.bin\nsent/excluded-dir\n',
    Dockerfile: 'FROM bake-test/busybox\nCOPY small.txt /s\nCOPY sent /sent\n',
    'uses-locked-dir.Dockerfile': 'FROM bake-test/busybox\nCOPY locked-dir /d\n',
    'uses-locked.Dockerfile': 'FROM bake-test/busybox\nCOPY small.txt /s\nCOPY locked.bin /locked\n',
    'docker-bake.hcl':
      `target "app" {\n  tags = ["${tag}"]\n}\ntarget "uses-locked" {\n  dockerfile = "uses-locked.Dockerfile"\n  output = ["type=cacheonly"]\n}\n` +
      // A plain load: build avoidance walks the context first, and must leave the error to the transfer.
      `target "uses-locked-dir" {\n  dockerfile = "uses-locked-dir.Dockerfile"\n  tags = ["${tag}-dir"]\n}\n`,
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(project, name), text);
  for (const locked of ['locked.bin', 'locked-dir', 'sent/excluded.bin', 'sent/excluded-dir']) chmodSync(join(project, locked), 0o000);
  proxy = createServer((client) => {
    const engine = connect(socketPath);
    client.pipe(engine).pipe(client);
    engine.on('error', () => client.destroy());
    client.on('error', () => engine.destroy());
  });
  await new Promise<void>((resolve) => proxy?.listen(join(work, 'engine.sock'), resolve));
  chmodSync(join(work, 'engine.sock'), 0o666);
});

after(async () => {
  proxy?.close();
  await engineRequest(socketPath, 'DELETE', `/images/${tag}?force=1`).catch(() => undefined);
  if (work) rmSync(work, { recursive: true, force: true });
});

test('an unreadable file and directory beside what the Dockerfile copies, and unreadable ones it excludes, do not fail the build', async () => {
  const r = await runAsNobody(['app']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(await fileInImage(socketPath, tag, 's'), `small ${nonce}\n`);
  assert.equal(await fileInImage(socketPath, tag, 'sent/ok.txt'), `ok ${nonce}\n`);
  assert.equal(await fileInImage(socketPath, tag, 'sent/excluded.bin'), undefined);
});

test('an unreadable file the Dockerfile copies fails the build with a sentence that names it and the fix', async () => {
  const r = await runAsNobody(['uses-locked']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /The file \S+\/locked\.bin in the build context cannot be read \(permission denied\)\./);
  assert.match(r.stderr, /Make it readable for the user bake runs as \(chmod a\+r\), or list it in \.dockerignore/);
  assert.doesNotMatch(r.stderr, /This is a bug in bake|\n\s+at /, 'no stack trace');
});

test('an unreadable directory the Dockerfile copies: the same sentence, with the fix for a directory', async () => {
  const r = await runAsNobody(['uses-locked-dir']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /The directory \S+\/locked-dir in the build context cannot be read \(permission denied\)\./);
  assert.match(r.stderr, /\(chmod a\+rx\)/);
  assert.doesNotMatch(r.stderr, /This is a bug in bake|\n\s+at /, 'no stack trace');
});
