/**
 * `bake --progress tty|auto` in a real PTY against the real engine (issue #4,
 * Progress): the bytes bake writes are played into a headless xterm, and the
 * final screen is what a user is left with: one row per target with its end
 * state, a failure expanded to its Dockerfile lines, the summary, nothing else.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import xterm from '@xterm/headless';
import { spawn } from 'node-pty';
import { bake } from '../support/bake-cli.js';
import { engineRequest } from '../support/busybox-image.js';
import { requireBuildEngine } from '../support/engine.js';

const nonce = randomBytes(4).toString('hex');
const tags = ['one', 'two'].map((t) => `bake-test/tty-${t}-${nonce}:dev`);
let socketPath = '';
let project = '';

before(async () => {
  socketPath = await requireBuildEngine();
  project = mkdtempSync(join(tmpdir(), 'bake-tty-'));
  const files: Record<string, string> = {
    // The test engine runs with --bridge=none: RUN steps need network "none". The nonce makes every RUN run.
    'docker-bake.hcl': ['one', 'two', 'bad']
      .map(
        (t, i) =>
          `target "${t}" {\n  dockerfile = "${t}.Dockerfile"\n  network = "none"\n  args = { N = "${nonce}" }\n${tags[i] ? `  tags = ["${tags[i]}"]\n` : ''}}\n`,
      )
      .join(''),
    'one.Dockerfile': 'FROM bake-test/busybox\nARG N\nCOPY a.txt /a.txt\nRUN echo $N && sleep 1\n',
    'two.Dockerfile': 'FROM bake-test/busybox\nARG N\nRUN echo $N && sleep 1\n',
    'bad.Dockerfile': 'FROM bake-test/busybox\nARG N\nRUN echo $N\nRUN echo failing && exit 3\nRUN echo never\n',
    'a.txt': 'a\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(project, name), text);
});

after(async () => {
  for (const tag of tags) if (socketPath) await engineRequest(socketPath, 'DELETE', `/images/${tag}?force=1`).catch(() => undefined);
  if (project) rmSync(project, { recursive: true, force: true });
});

const COLS = 100;

/**
 * Runs bin/bake in a PTY; resolves with its exit code, the raw bytes and the final screen's non-empty lines (scrollback included).
 * With `interruptOn`, types Ctrl-C once the output matches it.
 */
function inPty(args: string[], env: Record<string, string> = {}, interruptOn?: RegExp): Promise<{ code: number; pid: number; raw: string; screen: string[] }> {
  const term = new xterm.Terminal({ cols: COLS, rows: 40, scrollback: 1000, allowProposedApi: true });
  const child = spawn(bake, args, {
    cols: COLS,
    rows: 40,
    cwd: project,
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? '/root',
      TERM: 'xterm-256color',
      DOCKER_HOST: `unix://${socketPath}`,
      ...env,
    },
  });
  let raw = '';
  let interrupted = false;
  child.onData((d) => {
    raw += d;
    term.write(d);
    if (interruptOn && !interrupted && interruptOn.test(raw)) {
      interrupted = true;
      child.write('\x03');
    }
  });
  return new Promise((resolve) => {
    child.onExit(({ exitCode }) => {
      // The empty write's callback runs once xterm has parsed everything before it.
      term.write('', () => {
        const b = term.buffer.active;
        const screen = Array.from({ length: b.length }, (_, i) => b.getLine(i)?.translateToString(true) ?? '').filter((l) => l.trim() !== '');
        term.dispose();
        resolve({ code: exitCode, pid: child.pid, raw, screen });
      });
    });
  });
}

/** A finished row: icon, name, state, then steps done/total, cached steps, bytes sent, elapsed. */
const row = (icon: string, name: string, state: string): RegExp =>
  new RegExp(`^${icon} ${name} +${state} +\\d+/\\d+ steps · \\d+ cached · [\\d.]+k?B sent · \\d+\\.\\ds$`);
/** listr2's spinner frames and colour escapes (SGR), which a finished, colourless screen must not hold. */
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
const SGR = /\x1b\[[\d;]*m/;

test('--progress tty: one row per target, each ending built, then the summary; nothing else is left on the screen', async () => {
  const r = await inPty(['one', 'two', '--progress', 'tty']);
  assert.equal(r.code, 0, r.screen.join('\n'));
  assert.match(r.raw, SGR, 'coloured without NO_COLOR');
  const [first, second, header, ...summary] = r.screen;
  assert.match(first ?? '', row('✔', 'one', 'built'), r.screen.join('\n'));
  assert.match(second ?? '', row('✔', 'two', 'built'), r.screen.join('\n'));
  assert.match(header ?? '', /^TARGET +RESULT +DURATION +IMAGE$/);
  assert.equal(summary.length, 2, r.screen.join('\n'));
  assert.match(summary[0] ?? '', /^one +built +\d+\.\ds +sha256:[0-9a-f]{12}$/);
  assert.match(summary[1] ?? '', /^two +built +\d+\.\ds +sha256:[0-9a-f]{12}$/);
  assert.doesNotMatch(r.screen.join('\n'), SPINNER);
  // The live frames showed the step running (listr2 redraws in place, so only the raw stream keeps them).
  assert.match(r.raw, /one +\[3\/3\] RUN echo \w+ && sleep 1 +\d+\/\d+ steps/);
});

test('auto on a terminal is the tty view; NO_COLOR removes every colour escape', async () => {
  const r = await inPty(['one', 'two'], { NO_COLOR: '1' });
  assert.equal(r.code, 0, r.screen.join('\n'));
  assert.doesNotMatch(r.raw, SGR);
  assert.match(r.screen[0] ?? '', row('✔', 'one', '(built|cached)'), r.screen.join('\n'));
  assert.match(r.screen[1] ?? '', row('✔', 'two', '(built|cached)'), r.screen.join('\n'));
  assert.doesNotMatch(r.raw, /#\d+ /, 'no plain progress lines');
});

test('BUILDKIT_PROGRESS=tty: a failing target expands to its error with the Dockerfile lines; --keep-going lets the other finish', async () => {
  const r = await inPty(['bad', 'one', '--keep-going', '--no-cache'], { BUILDKIT_PROGRESS: 'tty', NO_COLOR: '1' });
  assert.equal(r.code, 1, r.screen.join('\n'));
  const text = r.screen.join('\n');
  assert.match(r.screen[0] ?? '', row('✖', 'bad', 'failed'), text);
  assert.match(
    text,
    /\n +bad\.Dockerfile:4\n +-+\n +2 \| {5}ARG N\n +3 \| {5}RUN echo \$N\n +4 \| >>> RUN echo failing && exit 3\n +5 \| {5}RUN echo never\n +-+\n +error: failed to build bad: /,
  );
  assert.match(text, new RegExp(row('✔', 'one', 'built').source.slice(1), 'm'));
  assert.match(text, /\nbad +failed +\d+\.\ds +-\none +built +/);
  assert.doesNotMatch(text, SPINNER);
});

/** The proxy dirs (buildkit/dial.ts) a bake with this pid made and left. */
const proxyDirsOf = (pid: number): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith(`bake-grpc-${pid}-`));

test('Ctrl-C during a RUN with --progress tty: exit 130, the rows end cancelled, the cursor is shown again, and no proxy socket is left', async () => {
  const r = await inPty(['one', 'two', '--no-cache'], { BUILDKIT_PROGRESS: 'tty', NO_COLOR: '1' }, /RUN echo \w+ && sleep 1/);
  const text = r.screen.join('\n');
  assert.equal(r.code, 130, text);
  assert.match(text, /cancelled/, text);
  assert.match(text, /^TARGET +RESULT/m, 'the summary, as in plain mode');
  assert.ok(r.raw.lastIndexOf('\x1b[?25h') > r.raw.lastIndexOf('\x1b[?25l'), 'the cursor is shown after it was last hidden');
  assert.deepEqual(proxyDirsOf(r.pid), []);
});

test('a bake killed with SIGKILL leaves its proxy socket dir, and the next bake removes it', async () => {
  const killed = spawn(bake, ['one', '--no-cache', '--progress', 'plain'], {
    cols: COLS,
    rows: 40,
    cwd: project,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', DOCKER_HOST: `unix://${socketPath}` },
  });
  await new Promise<void>((resolve) => {
    let raw = '';
    killed.onData((d) => {
      raw += d;
      if (/RUN echo/.test(raw) && proxyDirsOf(killed.pid).length) killed.kill('SIGKILL');
    });
    killed.onExit(() => resolve());
  });
  assert.equal(proxyDirsOf(killed.pid).length, 1, 'kill -9 runs no cleanup');
  const next = await inPty(['one'], { BUILDKIT_PROGRESS: 'plain' });
  assert.equal(next.code, 0, next.screen.join('\n'));
  assert.deepEqual(proxyDirsOf(killed.pid), []);
});
