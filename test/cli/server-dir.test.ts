/**
 * The server's dir and socket must be the user's own (issue 14, defects 2
 * and 9): a runtime dir another user made, a socket another user owns, or a
 * runtime dir that cannot hold one is refused by every command that would
 * talk to a server, with a sentence and a fix (exit 2), and nothing starts
 * there. Another user's files need root to make: CI runs as root.
 *
 * A server whose socket the client cannot reach is said to be there, with
 * why and the fix, never "no bake server is running" (defect 9). Root reads
 * and connects to everything, so those clients run as nobody through
 * setpriv: with real and effective uid nobody where the files are nobody's
 * (its own dir or socket it locked itself out of), and with only the
 * effective uid nobody against root's running server (real uid root passes
 * the ownership checks and access(2), which reads the real uid, while
 * connect(2) is refused by the effective one: the path the old check
 * missed).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chownSync, chmodSync, existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { bake, runBake, type Run } from '../support/bake-cli.js';
import { tempDir } from '../support/temp-dir.js';

const scratch = tempDir('bake-server-dir-');
/** nobody: an owner that is not the test's user. */
const OTHER_UID = 65534;
const COMMANDS = [
  ['server', 'status'],
  ['dev', 'ls'],
  ['dev', 'attach'],
  ['dev', 'stop', 'some-session'],
];

/** Runs as nobody: real and effective uid and gid, no supplementary groups. */
const AS_NOBODY = ['setpriv', `--reuid=${OTHER_UID}`, `--regid=${OTHER_UID}`, '--clear-groups'];
/** Effective uid and gid nobody, real uid still root's. */
const EFFECTIVELY_NOBODY = ['setpriv', `--euid=${OTHER_UID}`, `--egid=${OTHER_UID}`, '--clear-groups'];
const needsRoot = { skip: process.getuid?.() !== 0 && process.env['CI'] !== 'true' && 'running bake as another user needs root' };

/** A listener on `socket` that hangs up on every connection: something is there, and it is no bake server. */
async function silentListener(socket: string): Promise<Server> {
  const listener = createServer((c) => c.destroy());
  await new Promise<void>((resolve) => listener.listen(socket, resolve));
  return listener;
}

/** A dir (and its parents under scratch) the client as nobody can get to. */
function dirOf(path: string, uid: number, mode: number): string {
  mkdirSync(path, { recursive: true });
  chownSync(path, uid, uid);
  chmodSync(path, mode);
  return path;
}

function status(runtimeDir: string, under?: readonly string[]): Promise<Run> {
  return runBake(['server', 'status'], { cwd: '/', env: { XDG_RUNTIME_DIR: runtimeDir, XDG_STATE_HOME: join(scratch, 'state') }, ...(under ? { under } : {}) });
}

/** Exit 2, the sentence and a fix; no stack, no "bug in bake", and no claim that no server runs. */
function assertSaid(r: Run, sentence: RegExp): void {
  assert.equal(r.status, 2, r.stderr + r.stdout);
  assert.match(r.stderr, sentence);
  assert.match(r.stderr, /= fix: /);
  assert.doesNotMatch(r.stderr + r.stdout, /bug in bake|\n\s+at |no bake server is running/);
}

async function refusedEverywhere(runtimeDir: string, sentence: RegExp, under?: readonly string[]): Promise<void> {
  for (const args of COMMANDS) {
    const r = await runBake(args, { cwd: '/', env: { XDG_RUNTIME_DIR: runtimeDir, XDG_STATE_HOME: join(scratch, 'state') }, ...(under ? { under } : {}) });
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
    const impostor = await silentListener(socket);
    try {
      chownSync(socket, OTHER_UID, OTHER_UID);
      await refusedEverywhere(runtime, new RegExp(`^error: the bake server socket ${socket} belongs to uid ${OTHER_UID}, not to you`, 'm'));
    } finally {
      impostor.close();
    }
  },
);

test('a runtime dir another user keeps to itself (0700, theirs) is a sentence with the fix, from every command', needsRoot, async () => {
  chmodSync(scratch, 0o755);
  const runtime = dirOf(join(scratch, 'closed-runtime'), 0, 0o700);
  await refusedEverywhere(runtime, new RegExp(`^error: bake cannot keep its server in ${runtime}/bake: permission denied$`, 'm'), AS_NOBODY);
  const unreadable = dirOf(join(scratch, 'unreadable-runtime'), OTHER_UID, 0o000);
  await refusedEverywhere(unreadable, new RegExp(`^error: bake cannot keep its server in ${unreadable}/bake: permission denied$`, 'm'), AS_NOBODY);
});

test('a server dir of your own you cannot enter (0600) says so, not where the server is kept', needsRoot, async () => {
  chmodSync(scratch, 0o755);
  const runtime = dirOf(join(scratch, 'unsearchable'), OTHER_UID, 0o755);
  const dir = dirOf(join(runtime, 'bake'), OTHER_UID, 0o600);
  assertSaid(await status(runtime, AS_NOBODY), new RegExp(`^error: bake cannot reach the server socket ${dir}/server.sock: permission denied$`, 'm'));
});

test('a server socket of your own with no permissions (000) is said to be there, with the fix', needsRoot, async () => {
  chmodSync(scratch, 0o755);
  const runtime = dirOf(join(scratch, 'socket-000'), OTHER_UID, 0o755);
  const socket = join(dirOf(join(runtime, 'bake'), OTHER_UID, 0o700), 'server.sock');
  const listener = await silentListener(socket);
  try {
    chownSync(socket, OTHER_UID, OTHER_UID);
    chmodSync(socket, 0o000);
    assertSaid(await status(runtime, AS_NOBODY), new RegExp(`^error: bake cannot open the server socket ${socket}: permission denied$`, 'm'));
  } finally {
    listener.close();
  }
});

test('a running server whose socket connect(2) refuses is said to be there, why, and the fix', needsRoot, async () => {
  chmodSync(scratch, 0o755);
  const runtime = dirOf(join(scratch, 'running'), 0, 0o711);
  const env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/root',
    XDG_RUNTIME_DIR: runtime,
    XDG_STATE_HOME: join(scratch, 'state'),
  };
  const server = spawn(bake, ['server', 'run'], { env, stdio: 'ignore' });
  try {
    let mine: Run | undefined;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      mine = await status(runtime);
      if (mine.status === 0 && /^server: +bake /m.test(mine.stdout)) break;
    }
    assert.match(mine?.stdout ?? '', /^server: +bake /m, 'the server did not start');
    chmodSync(join(runtime, 'bake'), 0o711);
    const socket = join(runtime, 'bake', 'server.sock');
    assertSaid(
      await status(runtime, EFFECTIVELY_NOBODY),
      new RegExp(`^error: a bake server socket is at ${socket}, but bake cannot connect to it: permission denied$`, 'm'),
    );
  } finally {
    server.kill('SIGTERM');
  }
});

test('a listener on the server socket that gives no bake answer is said to be there, not "no bake server is running"', async () => {
  const runtime = join(scratch, 'silent');
  mkdirSync(join(runtime, 'bake'), { recursive: true, mode: 0o700 });
  const socket = join(runtime, 'bake', 'server.sock');
  const listener = await silentListener(socket);
  try {
    const r = await status(runtime);
    assert.equal(r.status, 1, r.stderr + r.stdout);
    assert.match(r.stderr, new RegExp(`^error: something listens on the bake server socket ${socket} but it gave no bake server's answer within 2 s$`, 'm'));
    assert.match(r.stderr, /= fix: /);
    assert.doesNotMatch(r.stderr + r.stdout, /no bake server is running/);
  } finally {
    listener.close();
  }
});
