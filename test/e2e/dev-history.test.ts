/**
 * The interactive service's shell history survives a `rebuild` that
 * recreates its container (issue 13 point 5): the server reads the history
 * file from the container being replaced and puts it into the new one before
 * its shell starts; the files made inside it, which do not survive, are
 * named (issue 15's rough edges). bash (Debian's bash-static, copied into the image) keeps
 * its history in that file; BusyBox's ash here keeps none.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runBake } from '../support/bake-cli.js';
import { privateServerEnv } from '../support/dev-server.js';
import { requireBuildEngine } from '../support/engine.js';
import { PtyTerminal } from '../support/pty-terminal.js';

const BASH = '/bin/bash-static';
const BAKE_FILE = `target "dev" {
  context = "."
}

service "dev" {
  target      = "dev"
  interactive = true
  shell       = ["/bin/bash"]
  environment = { PS1 = "HD$ " }
}
`;

let scratch = '';
let env: Record<string, string> = {};
let t: PtyTerminal | undefined;

before(async () => {
  const socketPath = await requireBuildEngine();
  scratch = mkdtempSync(join(tmpdir(), 'bake-dev-history-'));
  env = privateServerEnv(`unix://${socketPath}`, scratch);
});

after(async () => {
  t?.dispose();
  if (scratch) {
    await runBake(['dev', 'stop'], { cwd: scratch, env }).catch(() => undefined);
    await runBake(['server', 'stop'], { cwd: scratch, env }).catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  }
});

test("rebuild recreates the interactive service's container, and its shell's history comes along", { timeout: 240_000 }, async () => {
  assert.ok(existsSync(BASH), `${BASH} is missing: the tests install Debian's bash-static (scripts/install-packages.sh tests)`);
  copyFileSync(BASH, join(scratch, 'bash'));
  writeFileSync(join(scratch, 'version'), 'one\n');
  writeFileSync(join(scratch, 'Dockerfile'), 'FROM bake-test/busybox\nCOPY bash /bin/bash\nCOPY version /version\n');
  writeFileSync(join(scratch, 'docker-bake.hcl'), BAKE_FILE);
  t = new PtyTerminal(['dev', '--progress', 'plain'], { cwd: scratch, env, columns: 160, rows: 50 });
  await t.waitFor(/^HD\$/m, 180_000);
  t.type('echo kept-$((6*7)); touch /tmp/made-here\r');
  await t.waitFor(/^kept-42$/m);

  // A new source: the image changes, so rebuild recreates the container.
  writeFileSync(join(scratch, 'version'), 'two\n');
  t.type('\x01c');
  await t.waitForLastLine('(bake)');
  t.type('rebuild\r');
  const rebuilt = await t.waitFor(/^bake: session \S+ is up to date\.$/m, 120_000);
  // Said as it happens: the file made inside goes with the container; the history, carried over, is not listed.
  const dropped = /dev: its container is replaced: 1 file made or changed inside it is dropped \(([^)]*)\)/.exec(rebuilt.replaceAll('\n', ''));
  assert.equal(dropped?.[1], '/tmp/made-here', rebuilt);
  await t.waitForLastLine('(bake)');
  t.type('attach dev\r');
  await t.waitForLastLine('HD$', 60_000);
  t.type('cat /version\r');
  await t.waitForVisible('the new image', (v) => /^two$/m.test(v));
  // The up arrow twice: past `cat /version`, to the command typed in the old container.
  t.type('\x1b[A\x1b[A\r');
  const screen = await t.waitForVisible('the recalled command run', (v) => /^kept-42$/m.test(v));
  assert.match(screen, /^HD\$ echo kept-\$\(\(6\*7\)\); touch \/tmp\/made-here$/m);
  t.type('\x01c');
  await t.waitForLastLine('(bake)');
  t.type('stop\r');
  assert.equal(await t.exitCode(), 0);
});
