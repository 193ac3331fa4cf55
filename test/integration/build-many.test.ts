/**
 * Several targets in one run (issue 4's first step): independent targets
 * build at once over per-target sessions, a context they share goes over
 * once, every line carries its target's name, a summary lists every target,
 * and a failure cancels the rest unless --keep-going.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runBake } from '../support/bake-cli.js';
import { engineRequest } from '../support/busybox-image.js';
import { requireBuildEngine } from '../support/engine.js';
import { fileInImage } from '../support/image-files.js';

const nonce = randomBytes(4).toString('hex');
const tags = ['one', 'two', 'three'].map((t) => `bake-test/many-${t}-${nonce}:dev`);
let socketPath = '';
let project = '';

before(async () => {
  socketPath = await requireBuildEngine();
  project = mkdtempSync(join(tmpdir(), 'bake-many-'));
  mkdirSync(join(project, 'shared'));
  writeFileSync(join(project, 'shared', 'data.bin'), randomBytes(3_000_000));
  writeFileSync(
    join(project, 'shared', 'Dockerfile'),
    'FROM bake-test/busybox\nARG T\nCOPY data.bin /data.bin\nRUN echo "$T" > /t && cut -d" " -f1 /proc/uptime > /started && sleep 1\n',
  );
  writeFileSync(join(project, 'shared', 'broken.Dockerfile'), 'FROM bake-test/busybox\nRUN exit 4\n');
  const target = (name: string, tag: string, extra = ''): string =>
    `target "${name}" {\n  context = "shared"\n  tags = ["${tag}"]\n  args = { T = "${name}-${nonce}" }\n${extra}}\n`;
  writeFileSync(
    join(project, 'docker-bake.hcl'),
    `group "default" {\n  targets = ["one", "two", "three"]\n}\n${target('one', tags[0] as string)}${target('two', tags[1] as string)}${target('three', tags[2] as string)}` +
      `target "broken" {\n  context = "shared"\n  dockerfile = "broken.Dockerfile"\n}\ntarget "slow" {\n  context = "shared"\n  args = { T = "slow-${nonce}" }\n  output = ["type=cacheonly"]\n}\n`,
  );
});

after(async () => {
  for (const tag of tags) await engineRequest(socketPath, 'DELETE', `/images/${tag}?force=1`).catch(() => undefined);
  if (project) rmSync(project, { recursive: true, force: true });
});

/** Bytes each target's session sent for its context, from the `[target] sent context:` lines. */
function sentBytes(stderr: string): Map<string, number> {
  return new Map(
    [...stderr.matchAll(/^\[([\w-]+)\] sent context: \d+ entries, \d+ files requested, (\d+) bytes$/gm)].map((m) => [m[1] as string, Number(m[2])]),
  );
}

test('three targets over one shared context build at once: the context goes over once, lines are prefixed, a summary lists them', async () => {
  const r = await runBake(['--progress=plain'], { cwd: project, socketPath });
  assert.equal(r.status, 0, r.stderr);
  for (const name of ['one', 'two', 'three']) assert.match(r.stderr, new RegExp(`^\\[${name}\\] #\\d+ \\[3/3\\] RUN echo`, 'm'));
  const sent = sentBytes(r.stderr);
  assert.equal(sent.size, 3, r.stderr);
  const total = [...sent.values()].reduce((a, b) => a + b, 0);
  assert.ok(total >= 3_000_000 && total < 6_000_000, `the shared context went over once in all (${[...sent].join(', ')})`);
  // Three RUNs of 1 s each, at once: each started (on the host's clock, /proc/uptime) before the others ended.
  const starts = await Promise.all(tags.map(async (tag) => Number(await fileInImage(socketPath, tag, 'started'))));
  assert.ok(Math.max(...starts) - Math.min(...starts) < 1, `the RUNs started at ${starts.join(', ')} s: one after another, not at once`);
  assert.match(r.stderr, /\nTARGET +RESULT +DURATION +IMAGE\n/);
  for (const name of ['one', 'two', 'three']) assert.match(r.stderr, new RegExp(`\\n${name} +built +[\\d.]+s +sha256:[0-9a-f]{12}\\n`));
  for (const tag of tags) assert.equal((await engineRequest(socketPath, 'GET', `/images/${tag}/json`)).status, 200, tag);
  const again = await runBake(['--progress=plain'], { cwd: project, socketPath });
  assert.equal(again.status, 0, again.stderr);
  for (const name of ['one', 'two', 'three'])
    assert.match(again.stderr, new RegExp(`\\n${name} +cached +`), 'nothing changed: every target comes from the cache');
  console.log(`three targets, one shared 3 MB context: ${r.ms.toFixed(0)} ms, sent ${[...sent].map(([n, b]) => `${n} ${b}`).join(', ')} bytes`);
});

test('a failure cancels the rest by default (exit 1); --keep-going lets the independent targets finish', async () => {
  const failFast = await runBake(['broken', 'slow', '--progress=plain', '--no-cache'], { cwd: project, socketPath });
  assert.equal(failFast.status, 1, failFast.stderr);
  assert.match(failFast.stderr, /\nbroken +failed /);
  assert.match(failFast.stderr, /\nslow +cancelled /);
  const keepGoing = await runBake(['broken', 'slow', '--progress=plain', '--no-cache', '--keep-going'], { cwd: project, socketPath });
  assert.equal(keepGoing.status, 1, keepGoing.stderr);
  assert.match(keepGoing.stderr, /\nbroken +failed /);
  assert.match(keepGoing.stderr, /\nslow +built /);
});
