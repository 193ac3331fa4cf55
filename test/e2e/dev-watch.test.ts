/**
 * `bake dev --watch` in a terminal (issue 15, point 1: "logs keep streaming
 * across restarts"): a terminal attached to a service stays attached when a
 * watch rebuild recreates the service, and shows the new container's output;
 * the monitor's `watch` says what is watched and what it did, `watch off`
 * stops it. The real CLI in a real PTY, the real server and engine.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runBake } from '../support/bake-cli.js';
import { privateServerEnv } from '../support/dev-server.js';
import { requireBuildEngine } from '../support/engine.js';
import { PtyTerminal } from '../support/pty-terminal.js';

const PREFIX = '\x01';
/** Each run's versions differ from every earlier run's, so no build is a cached one that changes nothing. */
const RUN = randomBytes(4).toString('hex');
const version = (n: number): string => `v${n}-${RUN}`;

let scratch = '';
let project = '';
let env: Record<string, string> = {};
const terminals: PtyTerminal[] = [];
const bake = (args: string[]) => runBake(args, { cwd: project, env });

before(async () => {
  const address = `unix://${await requireBuildEngine()}`;
  scratch = mkdtempSync(join(tmpdir(), 'bake-e2e-watch-'));
  project = join(scratch, 'project');
  mkdirSync(project);
  writeFileSync(
    join(project, 'Dockerfile'),
    'FROM bake-test/busybox:latest\nCOPY version /version\nRUN ! grep -q broken /version\nCMD ["sh", "-c", "echo serving $(cat /version); trap \'exit 0\' TERM; sleep 3600 & wait"]\n',
  );
  writeFileSync(join(project, 'version'), `${version(1)}\n`);
  writeFileSync(
    join(project, 'docker-bake.hcl'),
    'target "app" {\n  context = "."\n}\nservice "app" {\n  target = "app"\n  watch {\n    action = "rebuild"\n    path = "version"\n  }\n}\n',
  );
  env = privateServerEnv(address, scratch);
});

after(async () => {
  for (const t of terminals) t.dispose();
  if (project) {
    await bake(['dev', 'stop']).catch(() => undefined);
    await bake(['server', 'stop']).catch(() => undefined);
  }
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test(
  'a terminal attached to a service keeps its output across a watch rebuild; watch tells what it watches; watch off stops it',
  { timeout: 240_000 },
  async () => {
    const up = await bake(['dev', '--detach', '--watch', '--progress=quiet']);
    assert.equal(up.status, 0, up.stderr);
    const session = /session (\S+) is up/.exec(up.stdout)?.[1] ?? '';

    const t = new PtyTerminal(['dev', 'attach', session, 'app'], { cwd: project, env });
    terminals.push(t);
    await t.waitFor(`serving ${version(1)}`, 60_000);
    writeFileSync(join(project, 'version'), `${version(2)}\n`);
    const screen = await t.waitFor(`serving ${version(2)}`, 120_000);
    assert.match(screen, /\[bake: app exited with code \d+; watching, so its restart shows here/);

    // A save that breaks the build is told in the terminal, and the service keeps running what it ran.
    writeFileSync(join(project, 'version'), `broken ${version(3)}\n`);
    const failed = await t.waitFor(/^bake: watch: rebuild of app failed at /m, 120_000);
    // Joined: the sentence may wrap at the terminal's width.
    assert.match(
      failed.replaceAll('\n', ''),
      /bake: watch: rebuild of app failed at Dockerfile:3: .*! grep -q broken \/version.*exit code: 1; the services keep running what they ran/,
    );
    assert.doesNotMatch(failed.slice(failed.lastIndexOf(`serving ${version(2)}`)), /exited with code/, 'the running container is kept');
    writeFileSync(join(project, 'version'), `${version(4)}\n`);
    await t.waitFor(`serving ${version(4)}`, 120_000);

    t.type(`${PREFIX}c`);
    await t.waitForLastLine('(bake)');
    t.type('watch\r');
    const said = await t.waitFor(/rebuilt app/, 20_000);
    assert.match(said, /app: \S+\/version → rebuilds target app/);
    t.type('watch off\r');
    await t.waitFor(`watch is off for session ${session}`);
    t.type('detach\r');
    assert.equal(await t.exitCode(), 0);
  },
);
