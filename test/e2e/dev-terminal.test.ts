/**
 * The `bake dev` terminal and monitor as the user sees them (issue 5,
 * "Client and monitor"): the real CLI in real PTYs, the real server it
 * starts (private to this test), the real engine. Two small projects: p1
 * with a dev container (interactive shell) and a service that ticks every
 * second, p2 with one service and no interactive one. The steps share the
 * sessions and run in order.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runBake } from '../support/bake-cli.js';
import { privateServerEnv } from '../support/dev-server.js';
import { requireBuildEngine } from '../support/engine.js';
import { PtyTerminal, lastLine } from '../support/pty-terminal.js';

const P1_BAKE = `
target "devbox" {
  dockerfile-inline = <<-EOT
    FROM busybox:latest
    WORKDIR /workspace
  EOT
  tags = ["bake-test/dev-terminal-devbox:latest"]
}

service "dev" {
  target      = "devbox"
  interactive = true
  shell       = ["/bin/sh"]
}

service "web" {
  image   = "busybox:latest"
  command = ["sh", "-c", "trap 'exit 0' TERM; echo web up; i=0; while true; do i=$((i+1)); echo web-tick-$i; sleep 1; done"]
}
`;

const P2_BAKE = `
service "worker" {
  image   = "busybox:latest"
  command = ["sh", "-c", "echo worker up; while true; do sleep 1; done"]
}

# Runs on the host, in a PTY the server holds, after worker: its working directory is the project's.
service "watcher" {
  runs_on    = "host"
  command    = ["sh", "-c", "echo watcher in $(basename $PWD) with $WATCH; exec sleep 3600"]
  environment = { WATCH = "src" }
  depends_on = ["worker"]
}
`;

/** The dev container's shell prompt, waiting for a command. */
const PROMPT = '/workspace #';
/** What BusyBox's shell prints as it starts. */
const BANNER = /^BusyBox v/m;

let socketPath = '';
let scratch = '';
let p1 = '';
let p2 = '';
let env: Record<string, string> = {};
let s1 = '';
let s2 = '';
const terminals: PtyTerminal[] = [];

function terminal(args: string[], cwd: string, extraEnv: Record<string, string> = {}): PtyTerminal {
  const t = new PtyTerminal(args, { cwd, env: { ...env, ...extraEnv } });
  terminals.push(t);
  return t;
}

const bake = (args: string[], cwd = scratch) => runBake(args, { cwd, socketPath, env });

interface SessionJson {
  id: string;
  files: string[];
  services: { name: string; state: string }[];
  processes: { id: string; service: string; state: string }[];
  clients: number;
}

async function sessions(): Promise<SessionJson[]> {
  const ls = await bake(['dev', 'ls', '--format', 'json']);
  assert.equal(ls.status, 0, ls.stderr);
  return JSON.parse(ls.stdout) as SessionJson[];
}

/** Waits for the shell's prompt as the last line: the shell waits for a command. */
async function shellPrompt(t: PtyTerminal, timeoutMs = 20_000): Promise<void> {
  await t.waitForVisible('the shell prompt', (v) => lastLine(v) === PROMPT, timeoutMs);
}

/** Opens the monitor and waits for its prompt under the line saying what the terminal was attached to. */
async function openMonitor(t: PtyTerminal, attachedTo: string, prefix = '\x01'): Promise<void> {
  t.type(`${prefix}c`);
  const name = `Ctrl-${String.fromCharCode(prefix.charCodeAt(0) | 0x60)}`;
  const intro = `attached to ${attachedTo}. ${name} c returns; help lists commands.`;
  await t.waitForVisible(`the monitor (${intro})`, (v) => {
    const lines = v.trimEnd().split('\n');
    return lines.at(-1) === '(bake)' && (lines.at(-2) ?? '').endsWith(intro);
  });
}

/**
 * Types one monitor command and waits for the next `(bake)` prompt;
 * resolves with the lines the command printed (between its echo and the prompt).
 */
async function monitor(t: PtyTerminal, line: string, timeoutMs = 20_000): Promise<string[]> {
  const echo = `(bake) ${line}`;
  const prompts = (lines: string[]): number => lines.filter((l) => l.startsWith('(bake)')).length;
  const before = prompts(await t.lines());
  t.type(`${line}\r`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = await t.lines();
    while (lines.length && lines.at(-1) === '') lines.pop();
    const at = lines.lastIndexOf(echo);
    if (at >= 0 && prompts(lines) > before && lines.at(-1) === '(bake)' && lines.length - 1 > at) return lines.slice(at + 1, -1);
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for "${line}" to finish at a new (bake) prompt; the screen:\n${lines.slice(-40).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The `ps` row of a process, cells split on runs of spaces. */
function psRow(output: string[], id: string): string | undefined {
  return output.find((l) => l.split(/ +/)[0] === id);
}

before(async () => {
  socketPath = await requireBuildEngine();
  scratch = mkdtempSync(join(tmpdir(), 'bake-dev-terminal-'));
  p1 = join(scratch, 'p1');
  p2 = join(scratch, 'p2');
  mkdirSync(p1);
  mkdirSync(p2);
  writeFileSync(join(p1, 'docker-bake.hcl'), P1_BAKE);
  writeFileSync(join(p2, 'docker-bake.hcl'), P2_BAKE);
  env = privateServerEnv(`unix://${socketPath}`, scratch);
});

after(async () => {
  for (const t of terminals) t.dispose();
  if (scratch) {
    for (const id of [s1, s2]) if (id) await bake(['dev', 'stop', id, '--volumes']).catch(() => undefined);
    await bake(['server', 'stop']).catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  }
});

let a: PtyTerminal;

test('keys typed while bake is still building reach the shell once it starts', async () => {
  a = terminal(['dev', '--progress', 'plain'], p1);
  // Before bake has even put the terminal in raw mode, let alone built or started anything.
  a.type('echo typed-early-$((40+2))\r');
  const hint = await a.waitFor(/bake: attached to dev \(\/bin\/sh\) in session (p1-[0-9a-f]{6})\. Ctrl-a c: monitor, Ctrl-a d: detach\./, 120_000);
  s1 = /in session (\S+)\./.exec(hint)?.[1] ?? '';
  await a.waitFor(/^typed-early-42$/m);
  await shellPrompt(a);
  assert.equal(await a.count(/^typed-early-42$/m), 1, 'the typed line ran once');
});

test('Ctrl-C reaches the process in the shell, not bake', async () => {
  a.type('sleep 30\r');
  await a.waitForVisible('sleep running', (v) => lastLine(v) === `${PROMPT} sleep 30`);
  await new Promise((r) => setTimeout(r, 300));
  const sent = Date.now();
  a.type('\x03');
  // BusyBox echoes ^C on the sleep's line or the next one, then prompts.
  await a.waitForVisible('the prompt back after sleep', (v) => lastLine(v) === PROMPT && v.includes(`${PROMPT} sleep 30`), 5_000);
  const ms = Date.now() - sent;
  assert.ok(ms < 2_000, `the prompt came back after ${ms} ms`);
  a.type('echo alive-$((2+2))\r');
  await a.waitFor(/^alive-4$/m);
});

test('a resize of the terminal reaches the process', async () => {
  a.resize(120, 40);
  // A person does not type within milliseconds of resizing a window.
  await new Promise((r) => setTimeout(r, 500));
  a.type('stty size\r');
  await a.waitFor(/^40 120$/m);
});

test('the prefix key twice sends it literally (Ctrl-a Ctrl-a is Ctrl-a, BusyBox: go to the line start)', async () => {
  await shellPrompt(a);
  a.type('ho prefix-literal');
  await a.waitForVisible('the half-typed line', (v) => lastLine(v) === `${PROMPT} ho prefix-literal`);
  a.type('\x01\x01');
  a.type('ec\r');
  await a.waitFor(/^prefix-literal$/m);
  await shellPrompt(a);
});

let b: PtyTerminal;

test('--prefix-key ctrl-b: the hint names it, Ctrl-b c opens the monitor, Ctrl-a reaches the shell', async () => {
  b = terminal(['dev', '--prefix-key', 'ctrl-b', '--progress', 'quiet'], p1);
  await b.waitFor(`bake: attached to dev (/bin/sh) in session ${s1}. Ctrl-b c: monitor, Ctrl-b d: detach.`, 60_000);
  await shellPrompt(b);
  // The older terminal is told, and its keys go nowhere until it opens its monitor.
  await a.waitFor(
    `bake: another terminal (bake dev, pid ${b.pid}) took over dev (/bin/sh) in session ${s1}. Keys typed here go nowhere now: Ctrl-a c opens the monitor, Ctrl-a d detaches.`,
  );
  a.type('\x01c');
  await a.waitFor(`dev (/bin/sh) is another terminal's now (bake dev, pid ${b.pid}). Ctrl-a c takes it back; help lists commands.`);
  b.type('ho ctrl-a-passed');
  await b.waitForVisible('the half-typed line', (v) => lastLine(v) === `${PROMPT} ho ctrl-a-passed`);
  b.type('\x01');
  b.type('ec\r');
  await b.waitFor(/^ctrl-a-passed$/m);
  await openMonitor(b, 'dev (/bin/sh)', '\x02');
  b.type('\x02c');
  await shellPrompt(b);
  b.type('\x02d');
  await b.waitFor(`bake: detached from session ${s1}; it keeps running. Come back with: bake dev attach ${s1}`);
  assert.equal(await b.exitCode(), 0);

  const c = terminal(['dev', '--progress', 'quiet'], p1, { BAKE_PREFIX_KEY: 'ctrl-b' });
  await c.waitFor(`bake: attached to dev (/bin/sh) in session ${s1}. Ctrl-b c: monitor, Ctrl-b d: detach.`, 60_000);
  await openMonitor(c, 'dev (/bin/sh)', '\x02');
  c.type('\x02d');
  assert.equal(await c.exitCode(), 0);
});

test('bake dev in a second terminal on a running session attaches to it: no new session, the same shell', async () => {
  const mine = (await sessions()).filter((s) => s.files.includes(join(p1, 'docker-bake.hcl')));
  assert.deepEqual(
    mine.map((s) => s.id),
    [s1],
  );
  // The shells b and c saw were the one a started: its earlier output was on their screens.
  assert.equal(mine[0]?.processes.filter((p) => p.service === 'dev').length, 1);
  assert.match((await b.lines()).join('\n'), /^prefix-literal$/m);
});

test('when the attached process exits, the client drops to the monitor saying which process exited and with what code', async () => {
  await a.waitForVisible("a's monitor", (v) => lastLine(v) === '(bake)');
  a.type('attach dev\r');
  await shellPrompt(a);
  await openMonitor(a, 'dev (/bin/sh)');
  a.type('exec dev sh\r');
  await a.waitForVisible('a fresh shell', (v) => BANNER.test(v) && lastLine(v) === PROMPT);
  a.type('exit 3\r');
  const exited = /bake: (\d+) \(sh\) exited with code 3; exec dev CMD runs a new process there\./;
  const screen = await a.waitFor(exited);
  const id = exited.exec(screen)?.[1] ?? '';
  await a.waitForVisible('the monitor', (v) => lastLine(v) === '(bake)');
  const ps = await monitor(a, 'ps');
  assert.match(psRow(ps, id) ?? '', /exited \(3\)/, ps.join('\n'));
  // Attaching to it again says the same way back.
  const again = await monitor(a, `attach ${id}`);
  // Joined: the sentence may wrap at the terminal's width.
  assert.ok(
    again.join('').includes(`process ${id} (sh) exited with code 3; exec dev CMD runs a new process there, ps lists the running ones`),
    again.join('\n'),
  );
});

test('monitor errors are one sentence and keep the session; help lists every command', async () => {
  const attach = await monitor(a, 'attach nope');
  const errors = attach.filter((l) => l.startsWith('error: '));
  assert.equal(errors.length, 1, attach.join('\n'));
  assert.match(errors[0] ?? '', /"nope"/);
  assert.match(errors[0] ?? '', /processes: .*\bdev\b.*\bweb\b|processes: .*\bweb\b.*\bdev\b/);

  const unknown = await monitor(a, 'frobnicate');
  assert.equal(unknown.length, 1, unknown.join('\n'));
  assert.match(unknown[0] ?? '', /^error: unknown command "frobnicate".*; type help for the list$/);

  const help = (await monitor(a, 'help')).join('\n');
  const named = new Set(help.split('\n').flatMap((l) => (l.split(/\s+/)[0] ?? '').split('|')));
  for (const command of ['ps', 'attach', 'exec', 'logs', 'restart', 'stop', 'start', 'rebuild', 'rollback', 'sessions', 'switch', 'detach', 'help']) {
    assert.ok(named.has(command), `help names ${command}:\n${help}`);
  }

  const ps = await monitor(a, 'ps');
  assert.match(ps[0] ?? '', /^ID +SERVICE +COMMAND +STATE +UPTIME +ATTACHED$/);
  assert.match(psRow(ps, 'dev') ?? '', /^dev +dev +\/bin\/sh +running/);
  assert.match(psRow(ps, 'web') ?? '', /^web +web +sh -c .* running/);
});

test('terminal replies that reach the monitor late (a shell asked for the cursor position just before Ctrl-a c) are not read as typed keys', async () => {
  // What a terminal writes back to a cursor-position and a device-attributes query.
  a.type('\x1b[12;14R\x1b[?62;22c');
  await monitor(a, 'ps');
  const lines = await a.lines();
  while (lines.at(-1) === '') lines.pop();
  const echo = lines.findLastIndex((l) => l.startsWith('(bake) ') && l !== '(bake) ');
  assert.equal(lines[echo], '(bake) ps', lines.slice(-12).join('\n'));
  assert.match(lines[echo + 1] ?? '', /^ID +SERVICE +COMMAND +STATE +UPTIME +ATTACHED$/, lines.slice(-12).join('\n'));
});

test('restart, stop and start a service: each says what it did, ps shows it; logs -f follows until Ctrl-C', async () => {
  const state = async (): Promise<string> => {
    const row = psRow(await monitor(a, 'ps'), 'web') ?? '';
    return /\b(running|exited(?: \(\d+\))?|lost)\b/.exec(row)?.[1] ?? row;
  };
  const stopping = "web: stopping (SIGTERM, then SIGKILL after the engine's stop timeout, 10 s by default)…";
  assert.deepEqual(await monitor(a, 'restart web', 30_000), [stopping, 'web: restarted']);
  assert.equal(await state(), 'running');
  assert.deepEqual(await monitor(a, 'stop web', 30_000), [stopping, 'web: stopped']);
  assert.match(await state(), /^exited/);
  assert.deepEqual(await monitor(a, 'start web', 30_000), ['web: started']);
  assert.equal(await state(), 'running');

  // What web printed since it started, then what it prints from now on.
  const ticks = async (): Promise<number[]> => (await a.lines()).flatMap((l) => /^web-tick-(\d+)$/.exec(l)?.[1] ?? []).map(Number);
  a.type('logs web -f\r');
  await a.waitFor(/^web up\nweb-tick-1$/m);
  const last = Math.max(...(await ticks()));
  await a.waitFor(new RegExp(`^web-tick-${last + 2}$`, 'm'), 10_000);
  a.type('\x03');
  await a.waitForVisible('the monitor prompt after Ctrl-C', (v) => lastLine(v) === '(bake)', 5_000);
  // Following stopped: no tick arrives after the prompt.
  const shown = (await ticks()).length;
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal((await ticks()).length, shown, 'logs stopped following');
  assert.equal(lastLine((await a.visible()).join('\n')), '(bake)');
  assert.match(psRow(await monitor(a, 'ps'), 'web') ?? '', /running/, 'the monitor still answers');
});

let d: PtyTerminal;

test('without an interactive service the user lands in the monitor; sessions lists both; switch attaches to the other session', async () => {
  d = terminal(['dev', '--progress', 'quiet'], p2);
  const intro = await d.waitFor(/bake monitor: session (p2-[0-9a-f]{6}), attached to .*\. Ctrl-a c returns; help lists commands\./, 60_000);
  s2 = /session (p2-[0-9a-f]{6})/.exec(intro)?.[1] ?? '';
  await d.waitForVisible('the monitor prompt', (v) => lastLine(v) === '(bake)');
  const ps = await monitor(d, 'ps');
  assert.match(psRow(ps, 'worker') ?? '', /^worker +worker +sh -c .* running/, ps.join('\n'));
  assert.match(psRow(ps, 'watcher') ?? '', /^watcher +watcher +sh -c .* running/, ps.join('\n'));
  assert.ok((await monitor(d, 'logs watcher')).includes('watcher in p2 with src'), 'a host service runs in the project directory with its environment');

  const list = await monitor(d, 'sessions');
  assert.match(list[0] ?? '', /^SESSION +FILES +ENGINE +SERVICES +PROCESSES +CLIENTS$/);
  assert.deepEqual(
    list
      .slice(1)
      .map((l) => l.split(/ +/)[0])
      .sort(),
    [s1, s2].sort(),
  );
  // The terminal's own session is marked.
  assert.ok(list.some((l) => l.startsWith(`${s2} * `)) && !list.some((l) => l.startsWith(`${s1} *`)), list.join('\n'));

  d.type(`switch ${s1}\r`);
  await shellPrompt(d);
  d.type('echo switched-$((5+5))\r');
  await d.waitFor(/^switched-10$/m);
});

test('stop in the monitor ends the session: the client exits 0 saying so, and bake dev ls no longer lists it', async () => {
  await a.waitForVisible("a's monitor", (v) => lastLine(v) === '(bake)');
  a.type('stop\r');
  await a.waitFor(`bake: session ${s1} stopped; its containers and network are removed, named volumes kept.`, 60_000);
  assert.equal(await a.exitCode(), 0);
  // The terminal that held the session is told it ended, and exits too.
  await d.waitFor(new RegExp(`^bake: .*${s1}.*\\.$`, 'm'));
  assert.equal(await d.exitCode(), 0);
  const left = (await sessions()).map((s) => s.id);
  assert.ok(!left.includes(s1), left.join(', '));
  assert.ok(left.includes(s2), left.join(', '));
});
