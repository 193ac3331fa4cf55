/**
 * Secrets of two targets that run the same step (issue 14, faults and
 * load): `RUN --mount=type=secret,id=tok cat /run/secrets/tok > out` on the
 * same base is one vertex to BuildKit whatever the secret's value, so the
 * engine merged the two targets' steps and target b got a's secret. Each
 * target's secret mount now carries an id of its value's own, and the
 * session serves it from that target's source: different values, different
 * steps; the same value, one step from the cache.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runBake, type Run } from '../support/bake-cli.js';
import { engineRequest } from '../support/busybox-image.js';
import { requireBuildEngine } from '../support/engine.js';
import { fileInImage } from '../support/image-files.js';

const nonce = randomBytes(4).toString('hex');
const image = (target: string): string => `bake-test/secret-${target}-${nonce}:dev`;
const TARGETS = ['a', 'b', 'c'];
let socketPath = '';
let project = '';

const run = (args: string[]): Promise<Run> => runBake(args, { cwd: project, socketPath });

before(async () => {
  socketPath = await requireBuildEngine();
  project = mkdtempSync(join(tmpdir(), 'bake-secrets-'));
  // Secrets are not part of BuildKit's cache key: the nonce keeps an earlier run's step from answering.
  writeFileSync(
    join(project, 'Dockerfile'),
    `FROM bake-test/busybox\nRUN --mount=type=secret,id=tok,required=true cat /run/secrets/tok > /seen.txt # ${nonce}\n`,
  );
  writeFileSync(join(project, 'a.txt'), `value-a-${nonce}`);
  writeFileSync(join(project, 'b.txt'), `value-b-${nonce}`);
  // c's secret is a's value from a file of its own.
  writeFileSync(join(project, 'c.txt'), `value-a-${nonce}`);
  const target = (name: string): string => `target "${name}" {\n  tags = ["${image(name)}"]\n  network = "none"\n  secret = ["id=tok,src=${name}.txt"]\n}\n`;
  writeFileSync(join(project, 'docker-bake.hcl'), TARGETS.map(target).join(''));
});

after(async () => {
  if (socketPath) for (const t of TARGETS) await engineRequest(socketPath, 'DELETE', `/images/${image(t)}?force=1`).catch(() => undefined);
  if (project) rmSync(project, { recursive: true, force: true });
});

test('two targets run the same secret step with different values in one run: each image holds its own value', async () => {
  const r = await run(['a', 'b', '--progress=plain']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(await fileInImage(socketPath, image('a'), 'seen.txt'), `value-a-${nonce}`);
  assert.equal(await fileInImage(socketPath, image('b'), 'seen.txt'), `value-b-${nonce}`, "target b got a's secret output");
});

test('a target whose secret has the same value shares the step from the cache', async () => {
  const r = await run(['c', '--progress=plain']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /#(\d+) \[[^\]]*2\/2\] RUN [^\n]*\n#\1 CACHED/, 'the step a ran answers for c');
  assert.equal(await fileInImage(socketPath, image('c'), 'seen.txt'), `value-a-${nonce}`);
});

test('a failed secret step is shown as the user wrote it, in progress and in the error, not with the id bake serves', async () => {
  writeFileSync(join(project, 'Dockerfile.fails'), `FROM bake-test/busybox\nRUN --mount=type=secret,id=tok wc -c /run/secrets/tok && exit 4 # ${nonce}\n`);
  writeFileSync(join(project, 'fails.hcl'), 'target "fails" {\n  dockerfile = "Dockerfile.fails"\n  secret = ["id=tok,src=a.txt"]\n}\n');
  const r = await run(['-f', 'fails.hcl', 'fails', '--progress=plain']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^ {3}2 \| >>> RUN --mount=type=secret,id=tok wc -c \/run\/secrets\/tok && exit 4 # /m, 'the line as written');
  // BuildKit v0.13 names the stage of a RUN with a mount `stage-0` as docker buildx build shows it too; v0.8 does not.
  assert.match(r.stderr, /^#\d+ \[(?:stage-0 )?2\/2\] RUN --mount=type=secret,id=tok wc -c \/run\/secrets\/tok && exit 4 # /m, 'the progress line as written');
  assert.doesNotMatch(r.stderr, /tok-[0-9a-f]{16}/, 'neither progress nor the code frame shows an id the user did not write');
});
