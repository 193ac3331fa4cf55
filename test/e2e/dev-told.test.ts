/**
 * The monitor is always told (issue 15, point 3), through bin/bake in real
 * PTYs on an engine of this file's own (it is paused under a session): a
 * session stopped from another terminal ends the terminals on it, whatever
 * they show; a server killed under them is replaced by the next one, which
 * finds the session again, and they go on where they were; an engine that
 * stops answering, and answers again, is said as it happens.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runBake } from '../support/bake-cli.js';
import { ensureBusyboxImage } from '../support/busybox-image.js';
import { privateServerEnv } from '../support/dev-server.js';
import { PtyTerminal, lastLine } from '../support/pty-terminal.js';

const BAKE_FILE = `
service "dev" {
  image       = "busybox:latest"
  interactive = true
  shell       = ["/bin/sh"]
  workdir     = "/tmp"
}

service "web" {
  image   = "busybox:latest"
  command = ["sh", "-c", "trap 'exit 0' TERM; echo web up; while true; do sleep 1; done"]
}
`;
const PROMPT = '/tmp #';

let scratch = '';
let stateHome = '';
let engineEnv: Record<string, string> = {};
let engineAddress = '';
let enginePid = 0;
let env: Record<string, string> = {};
const terminals: PtyTerminal[] = [];

const bake = (args: string[]) => runBake(args, { cwd: scratch, env, timeoutMs: 120_000 });

function terminal(args: string[]): PtyTerminal {
  const t = new PtyTerminal(args, { cwd: scratch, env });
  terminals.push(t);
  return t;
}

/** A session up, one terminal in its dev shell, another in its monitor (come from web's output): both, and the session id. */
async function twoTerminals(): Promise<{ inShell: PtyTerminal; inMonitor: PtyTerminal; session: string }> {
  const inShell = terminal(['dev', '--progress', 'quiet']);
  const hint = await inShell.waitFor(/bake: attached to dev \(\/bin\/sh\) in session (\S+)\./, 120_000);
  await inShell.waitForVisible('the shell prompt', (v) => lastLine(v) === PROMPT);
  const session = /in session (\S+)\./.exec(hint)?.[1] ?? '';
  const inMonitor = terminal(['dev', 'attach', session, 'web']);
  await inMonitor.waitFor(/^web up$/m);
  inMonitor.type('\x01c');
  await inMonitor.waitForVisible('the monitor', (v) => lastLine(v) === '(bake)');
  return { inShell, inMonitor, session };
}

function serverPid(): number {
  return Number(readFileSync(join(env['XDG_RUNTIME_DIR'] ?? '', 'bake', 'server.lock'), 'utf8').trim());
}

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'bake-told-'));
  writeFileSync(join(scratch, 'docker-bake.hcl'), BAKE_FILE);
  // dockerd's unix sockets live under its state dir: a short path.
  stateHome = mkdtempSync('/tmp/bake-te-');
  engineEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/root',
    XDG_STATE_HOME: stateHome,
    ...(process.env['BAKE_DOCKERD'] ? { BAKE_DOCKERD: process.env['BAKE_DOCKERD'] } : {}),
  };
  const started = await runBake(['engine', 'start'], { cwd: scratch, env: engineEnv, timeoutMs: 120_000 });
  assert.equal(started.status, 0, started.stderr);
  enginePid = Number(/\(pid (\d+),/.exec(started.stdout + started.stderr)?.[1]);
  assert.ok(enginePid > 0, `the engine's pid in: ${started.stdout}${started.stderr}`);
  const socket = join(stateHome, 'bake', 'engine', 'docker.sock');
  engineAddress = `unix://${socket}`;
  await ensureBusyboxImage(socket);
  env = privateServerEnv(engineAddress, scratch);
});

after(async () => {
  for (const t of terminals) t.dispose();
  if (enginePid) process.kill(enginePid, 'SIGCONT');
  if (env['XDG_RUNTIME_DIR']) {
    await bake(['dev', 'stop']).catch(() => undefined);
    await bake(['server', 'stop']).catch(() => undefined);
  }
  if (stateHome) {
    await runBake(['engine', 'stop'], { cwd: scratch, env: engineEnv, timeoutMs: 120_000 });
    rmSync(stateHome, { recursive: true, force: true });
  }
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('a session stopped from another terminal ends the terminals on it, in a shell or in the monitor, saying so', async () => {
  const { inShell, inMonitor, session } = await twoTerminals();

  const stop = await bake(['dev', 'stop', session]);
  assert.equal(stop.status, 0, stop.stderr);
  for (const t of [inShell, inMonitor]) {
    await t.waitFor(`bake: session ${session} was stopped.`);
    assert.equal(await t.exitCode(), 0);
    assert.doesNotMatch((await t.visible()).join('\n'), /it keeps running|no session/, 'nothing claims the session still runs');
  }
});

test('the server killed under two terminals: a new one takes the session over from the engine, and each goes on where it was', async () => {
  const { inShell, inMonitor, session } = await twoTerminals();
  inShell.type('KEPT=shell-kept\r');
  await inShell.waitFor(/KEPT=shell-kept\n\/tmp #/);

  const killed = serverPid();
  process.kill(killed, 'SIGKILL');
  for (const t of [inShell, inMonitor]) {
    await t.waitFor(`bake: the bake server went away; reconnecting to session ${session} through a new one…`);
    await t.waitFor(new RegExp(`bake: reconnected: bake server pid (\\d+) took session ${session} over from the engine\\.`), 60_000);
  }
  assert.notEqual(serverPid(), killed);
  // The shell is the same process: what it was told before is still set.
  inShell.type('echo $KEPT-$((2*3))\r');
  await inShell.waitFor(/^shell-kept-6$/m);
  // The monitor answers through the new server.
  await inMonitor.waitForVisible('the monitor again', (v) => lastLine(v) === '(bake)');
  inMonitor.type('ps\r');
  await inMonitor.waitFor(/^web +web +sh -c .* running/m);
  inMonitor.type('stop\r');
  assert.equal(await inMonitor.exitCode(), 0);
  await inShell.waitFor(`bake: session ${session} was stopped.`);
  assert.equal(await inShell.exitCode(), 0);
});

test('an engine that stops answering is said in the shell and in the monitor, and so is its coming back', async () => {
  const { inShell, inMonitor, session } = await twoTerminals();

  process.kill(enginePid, 'SIGSTOP');
  try {
    for (const t of [inShell, inMonitor])
      await t.waitFor(new RegExp(`bake: the engine of session ${session} does not answer \\(.+\\); bake says when it answers again\\.`), 20_000);
  } finally {
    process.kill(enginePid, 'SIGCONT');
  }
  for (const t of [inShell, inMonitor]) await t.waitFor(`bake: the engine of session ${session} answers again.`, 20_000);
  // The monitor's prompt is drawn again under the notice: a command still runs.
  inMonitor.type('ps\r');
  await inMonitor.waitFor(/^dev +dev +\/bin\/sh +running/m);
  inMonitor.type('stop\r');
  assert.equal(await inMonitor.exitCode(), 0);
  assert.equal(await inShell.exitCode(), 0);
});
