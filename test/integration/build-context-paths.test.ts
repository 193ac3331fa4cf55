/**
 * Only what the Dockerfile reads leaves the machine (issue 14, defect 3), as
 * with `docker build`: a big file the Dockerfile never uses is not sent, and
 * changing it neither resends nor rebuilds anything, while COPY (with a
 * glob), ADD and RUN --mount=type=bind still find their files. A context
 * that two targets share goes over once, with what both read. What the
 * Dockerfile cannot tell (an ONBUILD of the base image) is found when the
 * step misses it, and sent then.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runBake, type Run } from '../support/bake-cli.js';
import { engineRequest } from '../support/busybox-image.js';
import { requireBuildEngine } from '../support/engine.js';
import { fileInImage } from '../support/image-files.js';
import { tempDir } from '../support/temp-dir.js';

const nonce = randomBytes(4).toString('hex');
const BIG = 20_000_000;
const tags = {
  app: `bake-test/paths-app-${nonce}:dev`,
  a: `bake-test/paths-a-${nonce}:dev`,
  b: `bake-test/paths-b-${nonce}:dev`,
  onbuildBase: `bake-test/paths-onbuild-base-${nonce}:dev`,
  onbuildApp: `bake-test/paths-onbuild-app-${nonce}:dev`,
};
let socketPath = '';
let project = '';
/** Build avoidance's records of this file's runs, apart from the user's. */
let state = '';

const run = (args: string[]): Promise<Run> => runBake([...args, '--progress=plain'], { cwd: project, socketPath, env: { XDG_STATE_HOME: state } });

/** File data our session sent for the context, summed over the targets that print a counter. */
function sessionBytes(r: Run): number {
  const counts = [...r.stderr.matchAll(/^(?:\[\S+\] )?sent context: \d+ entries, \d+ files requested, (\d+) bytes$/gm)].map((m) => Number(m[1]));
  assert.ok(counts.length, `no session counter line in:\n${r.stderr}`);
  return counts.reduce((x, y) => x + y, 0);
}

before(async () => {
  socketPath = await requireBuildEngine();
  project = tempDir('bake-paths-');
  state = tempDir('bake-paths-state-');
  mkdirSync(join(project, 'conf'));
  mkdirSync(join(project, 'shared'));
  mkdirSync(join(project, 'onbuild-base'));
  mkdirSync(join(project, 'onbuild-app'));
  const files: Record<string, string | Buffer> = {
    'big.bin': randomBytes(BIG),
    'small.txt': `small ${nonce}\n`,
    'conf/a.conf': 'a\n',
    'conf/b.conf': 'b\n',
    'conf/skip.txt': 'not matched by the glob\n',
    'mounted.txt': `mounted ${nonce}\n`,
    'added.txt': `added ${nonce}\n`,
    // The test engine runs with --bridge=none: RUN steps need network "none".
    Dockerfile:
      'FROM bake-test/busybox\nCOPY small.txt /s\nCOPY conf/*.conf /conf/\nADD added.txt /added\n' +
      'RUN --mount=type=bind,source=mounted.txt,target=/m cat /m > /m.copy\n',
    'shared/big.bin': randomBytes(BIG),
    'shared/a.txt': `a ${nonce}\n`,
    'shared/b.txt': `b ${nonce}\n`,
    'shared/a.Dockerfile': 'FROM bake-test/busybox\nCOPY a.txt /a\n',
    'shared/b.Dockerfile': 'FROM bake-test/busybox\nCOPY b.txt /b\n',
    'onbuild-base/Dockerfile': 'FROM bake-test/busybox\nONBUILD COPY from-onbuild.txt /from-onbuild\n',
    'onbuild-app/Dockerfile': 'FROM ' + tags.onbuildBase + '\nCOPY named.txt /named\n',
    'onbuild-app/named.txt': `named ${nonce}\n`,
    'onbuild-app/from-onbuild.txt': `from onbuild ${nonce}\n`,
    'docker-bake.hcl':
      `target "onbuild-base" {\n  context = "onbuild-base"\n  tags = ["${tags.onbuildBase}"]\n}\n` +
      `target "onbuild-app" {\n  context = "onbuild-app"\n  tags = ["${tags.onbuildApp}"]\n}\n` +
      `target "app" {\n  tags = ["${tags.app}"]\n  network = "none"\n}\n` +
      `target "a" {\n  context = "shared"\n  dockerfile = "a.Dockerfile"\n  tags = ["${tags.a}"]\n}\n` +
      `target "b" {\n  context = "shared"\n  dockerfile = "b.Dockerfile"\n  tags = ["${tags.b}"]\n}\n`,
  };
  for (const [name, data] of Object.entries(files)) writeFileSync(join(project, name), data);
});

after(async () => {
  for (const tag of Object.values(tags)) await engineRequest(socketPath, 'DELETE', `/images/${tag}?force=1`).catch(() => undefined);
});

test('a big file the Dockerfile never uses is not sent; COPY with a glob, ADD and a bind mount find theirs', async () => {
  const r = await run(['app']);
  assert.equal(r.status, 0, r.stderr);
  const sent = sessionBytes(r);
  console.log(`COPY small.txt beside a ${BIG}-byte unused file: ${sent} bytes sent, ${r.ms.toFixed(0)} ms`);
  assert.ok(sent < 100_000, `only what the Dockerfile reads is sent, not the ${BIG}-byte big.bin: ${sent} bytes`);
  assert.equal(await fileInImage(socketPath, tags.app, 's'), `small ${nonce}\n`);
  assert.equal(await fileInImage(socketPath, tags.app, 'conf/a.conf'), 'a\n');
  assert.equal(await fileInImage(socketPath, tags.app, 'conf/b.conf'), 'b\n');
  assert.equal(await fileInImage(socketPath, tags.app, 'conf/skip.txt'), undefined);
  assert.equal(await fileInImage(socketPath, tags.app, 'added'), `added ${nonce}\n`);
  assert.equal(await fileInImage(socketPath, tags.app, 'm.copy'), `mounted ${nonce}\n`);
});

test('changing the unused file resends nothing and rebuilds nothing; changing a used one does both', async () => {
  writeFileSync(join(project, 'big.bin'), randomBytes(BIG));
  const avoided = await run(['app']);
  assert.equal(avoided.status, 0, avoided.stderr);
  assert.match(avoided.stderr, /up to date: no input changed/, 'build avoidance sees no input of the build changed');
  // Without build avoidance's records, BuildKit's cache answers: the file is not even walked into the transfer.
  state = tempDir('bake-paths-state-');
  writeFileSync(join(project, 'big.bin'), randomBytes(BIG));
  const cached = await run(['app']);
  assert.equal(cached.status, 0, cached.stderr);
  assert.equal(sessionBytes(cached), 0, 'no file data was requested again');
  assert.match(cached.stderr, /RUN --mount=type=bind[^\n]*\n#\d+ CACHED/);
  writeFileSync(join(project, 'small.txt'), `changed ${nonce}\n`);
  const changed = await run(['app']);
  assert.equal(changed.status, 0, changed.stderr);
  assert.ok(sessionBytes(changed) < 1_000, changed.stderr);
  assert.equal(await fileInImage(socketPath, tags.app, 's'), `changed ${nonce}\n`);
});

test('a context two targets share goes over once, with what each of them reads', async () => {
  const r = await run(['a', 'b']);
  assert.equal(r.status, 0, r.stderr);
  const sent = sessionBytes(r);
  console.log(`shared context, COPY a.txt and COPY b.txt beside a ${BIG}-byte unused file: ${sent} bytes sent`);
  assert.ok(sent < 100_000, `neither target sent big.bin: ${sent} bytes`);
  assert.equal(await fileInImage(socketPath, tags.a, 'a'), `a ${nonce}\n`);
  assert.equal(await fileInImage(socketPath, tags.b, 'b'), `b ${nonce}\n`);
});

test("a file only the base image's ONBUILD copies: the step that misses it says so, and the target builds again with the whole context", async () => {
  const base = await run(['onbuild-base']);
  assert.equal(base.status, 0, base.stderr);
  const retried = await run(['onbuild-app']);
  assert.equal(retried.status, 0, retried.stderr);
  assert.match(
    retried.stderr,
    /onbuild-app reads \/from-onbuild\.txt, which its Dockerfile does not name \(an ONBUILD instruction of its base image does\), so it was not sent; building onbuild-app again with the whole context/,
  );
  assert.equal(await fileInImage(socketPath, tags.onbuildApp, 'from-onbuild'), `from onbuild ${nonce}\n`);
  // Its inputs are more than the Dockerfile names: no record, so a change to that file is built, never avoided.
  writeFileSync(join(project, 'onbuild-app', 'from-onbuild.txt'), `changed ${nonce}\n`);
  const changed = await run(['onbuild-app']);
  assert.equal(changed.status, 0, changed.stderr);
  assert.doesNotMatch(changed.stderr, /up to date/);
  assert.equal(await fileInImage(socketPath, tags.onbuildApp, 'from-onbuild'), `changed ${nonce}\n`);
  // A file missing from the context too is the user's error, said once: nothing is sent again for it.
  rmSync(join(project, 'onbuild-app', 'from-onbuild.txt'));
  const missing = await run(['onbuild-app']);
  assert.equal(missing.status, 1, missing.stderr);
  assert.doesNotMatch(missing.stderr, /building onbuild-app again/);
  assert.match(missing.stderr, /from-onbuild\.txt"?:? not found/);
});
