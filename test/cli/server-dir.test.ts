/**
 * The server's dir and socket must be the user's own (issue 14, defects 2
 * and 9): a runtime dir another user made, a socket another user owns, or a
 * runtime dir that cannot hold one is refused by every command that would
 * talk to a server, with a sentence and a fix (exit 2), and nothing starts
 * there. Another user's files need root to make: CI runs as root.
 */
import assert from 'node:assert/strict';
import { chownSync, chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runBake } from '../support/bake-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'bake-server-dir-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
/** nobody: an owner that is not the test's user. */
const OTHER_UID = 65534;
const COMMANDS = [
  ['server', 'status'],
  ['dev', 'ls'],
  ['dev', 'attach'],
  ['dev', 'stop', 'some-session'],
];

async function refusedEverywhere(runtimeDir: string, sentence: RegExp): Promise<void> {
  for (const args of COMMANDS) {
    const r = await runBake(args, { cwd: scratch, env: { XDG_RUNTIME_DIR: runtimeDir, XDG_STATE_HOME: join(scratch, 'state') } });
    assert.equal(r.status, 2, `bake ${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, sentence, `bake ${args.join(' ')}`);
    assert.match(r.stderr, /= fix: /);
    assert.doesNotMatch(r.stderr, /bug in bake|\n\s+at /);
  }
}

test('a runtime dir that cannot hold the server dir (/dev/null) is a sentence with the fix, from every command', async () => {
  await refusedEverywhere('/dev/null', /^error: bake cannot keep its server in \/dev\/null\/bake: not a directory$/m);
});

test(
  'a server dir another user owns is refused: no connection to a server that could be theirs, none started there',
  { skip: process.getuid?.() !== 0 && process.env['CI'] !== 'true' && 'making a dir another user owns needs root' },
  async () => {
    const runtime = join(scratch, 'foreign-dir');
    mkdirSync(join(runtime, 'bake'), { recursive: true });
    chmodSync(join(runtime, 'bake'), 0o777);
    chownSync(join(runtime, 'bake'), OTHER_UID, OTHER_UID);
    await refusedEverywhere(runtime, new RegExp(`^error: the bake server dir ${runtime}/bake belongs to uid ${OTHER_UID}, not to you`, 'm'));
    assert.equal(existsSync(join(runtime, 'bake', 'server.sock')), false);
  },
);

test(
  "a server socket another user owns in the user's own dir is refused",
  { skip: process.getuid?.() !== 0 && process.env['CI'] !== 'true' && 'making a socket another user owns needs root' },
  async () => {
    const runtime = join(scratch, 'foreign-socket');
    mkdirSync(join(runtime, 'bake'), { recursive: true, mode: 0o700 });
    const socket = join(runtime, 'bake', 'server.sock');
    const impostor = createServer((c) => c.destroy());
    await new Promise<void>((resolve) => impostor.listen(socket, resolve));
    try {
      chownSync(socket, OTHER_UID, OTHER_UID);
      await refusedEverywhere(runtime, new RegExp(`^error: the bake server socket ${socket} belongs to uid ${OTHER_UID}, not to you`, 'm'));
    } finally {
      impostor.close();
    }
  },
);
