/**
 * `bake dev` under load, with real clients in real PTYs on ONE server:
 * - issue 5 ("Load"): 10 sessions (10 project directories), a client
 *   attached to each, which opens the monitor, `exec`s a second shell and
 *   types into it for 60 s (BAKE_LOAD_SECONDS shortens it for local runs),
 *   all ten at once; every session is still attachable and alive after, the
 *   server's RSS goes to the log, and `bake server stop` leaves nothing;
 * - issue 14: 10 clients on ONE session, each in a shell of its own, typing
 *   as long, beside a `bake dev ls` loop.
 * In both, no client exits or shows an error and no output is lost (every
 * command and its echo show exactly once, in order).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DockerEngine } from '../../src/docker/engine-api.js';
import { parseEngineAddress } from '../../src/docker/endpoint.js';
import { LABEL } from '../../src/dev/labels.js';
import { runBake } from '../support/bake-cli.js';
import { privateServerEnv } from '../support/dev-server.js';
import { requireBuildEngine } from '../support/engine.js';
import { PtyTerminal, lastLine } from '../support/pty-terminal.js';

const SESSIONS = 10;
const SECONDS = Number(process.env['BAKE_LOAD_SECONDS'] ?? 60);
/** A command every 100–200 ms per client: brisk, but a pace a person could keep. */
const PACE_MS = [100, 200] as const;
/** PtyTerminal keeps 2,000 lines of scrollback: the whole run must fit, or the count could miss lines that scrolled out. */
const SCROLLBACK = 2000;
const PREFIX = '\x01';

let scratch = '';
let engineAddress = '';
let env: Record<string, string> = {};
let engine: DockerEngine | undefined;
const terminals: PtyTerminal[] = [];
const projects = Array.from({ length: SESSIONS }, (_, i) => `load${i}`);

const bake = (args: string[], cwd = scratch) => runBake(args, { cwd, socketPath: '', env });

function terminal(args: string[], cwd: string): PtyTerminal {
  const t = new PtyTerminal(args, { cwd, env });
  terminals.push(t);
  return t;
}

interface ServerStatus {
  running: boolean;
  pid: number;
  sessions: number;
  rssBytes: number;
}

async function serverStatus(): Promise<ServerStatus> {
  const r = await bake(['server', 'status', '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as ServerStatus;
}

interface SessionRow {
  id: string;
  files: string[];
  processes: { id: string; state: string }[];
}

async function sessions(): Promise<SessionRow[]> {
  const r = await bake(['dev', 'ls', '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as SessionRow[];
}

/** What this test's sessions created carries its server as the owner. */
const ours = (): { label: string[] } => ({ label: [`${LABEL.owner}=${join(scratch, 'run', 'bake', 'server.sock')}`] });

/** Containers and networks of this test's sessions still in the engine. */
async function leftovers(): Promise<string[]> {
  const signal = AbortSignal.timeout(10_000);
  const [containers, networks] = await Promise.all([engine!.containers.list(ours(), signal), engine!.networks.list(ours(), signal)]);
  return [...containers.map((c) => `container ${c.Names[0] ?? c.Id}`), ...networks.map((n) => `network ${n.Name}`)];
}

const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

before(async () => {
  const socketPath = await requireBuildEngine();
  scratch = mkdtempSync(join(tmpdir(), 'bake-dev-load-'));
  engineAddress = `unix://${socketPath}`;
  engine = new DockerEngine(parseEngineAddress(engineAddress));
  env = privateServerEnv(engineAddress, scratch);
  mkdirSync(env['XDG_RUNTIME_DIR']!, { mode: 0o700 });
  for (const name of projects) {
    mkdirSync(join(scratch, name));
    writeFileSync(join(scratch, name, 'docker-bake.hcl'), 'service "dev" {\n  image = "busybox:latest"\n  interactive = true\n  shell = ["/bin/sh"]\n}\n');
  }
});

after(async () => {
  for (const t of terminals) t.dispose();
  if (!scratch) return;
  if ((await serverStatus().catch(() => undefined))?.running) await bake(['server', 'stop']);
  // A failed run must not leak containers into an engine others use.
  if (engine) {
    for (let i = 0; i < 100 && (await leftovers().catch(() => [])).length; i++) await sleep(300);
    const signal = AbortSignal.timeout(30_000);
    for (const c of await engine.containers.list(ours(), signal)) await engine.containers.remove(c.Id, { force: true }, signal).catch(() => undefined);
    for (const n of await engine.networks.list(ours(), signal)) await engine.networks.remove(n.Id, signal).catch(() => undefined);
    engine.close();
  }
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * Every client types its own counter into its shell, all at once, for
 * SECONDS; then none has exited or shows an error, and every command reached
 * its shell, and its output the screen, exactly once and in order.
 */
async function typeForAWhile(
  t: { diagnostic: (line: string) => void },
  clients: readonly PtyTerminal[],
  exits: readonly (number | undefined)[],
): Promise<void> {
  const typed = clients.map(() => 0);
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    clients.map(async (c, i) => {
      for (let n = 1; Date.now() < until; n++) {
        c.type(`echo load-${i}-${n}\r`);
        typed[i] = n;
        await sleep(PACE_MS[0] + Math.random() * (PACE_MS[1] - PACE_MS[0]));
      }
    }),
  );
  const total = typed.reduce((a, b) => a + b, 0);
  t.diagnostic(`typed ${total} commands in ${SECONDS} s (${typed.join(', ')} per client)`);
  // The last command of each client shows, then every line is counted.
  await Promise.all(clients.map((c, i) => c.waitFor(new RegExp(`^load-${i}-${typed[i]}$`, 'm'), 30_000)));
  assert.deepEqual(
    exits,
    clients.map(() => undefined),
    'no client exited',
  );
  for (const [i, c] of clients.entries()) {
    // busybox asks the terminal where its cursor is at each prompt; a reply that comes once the line was sent finds
    // the tty in cooked mode, which echoes it (`^[[24;5R`) before the next prompt, as on any terminal typed ahead into.
    const lines = (await c.lines()).map((l) => l.replace(/\^\[\[\d+;\d+R/g, ''));
    assert.ok(lines.length < SCROLLBACK, `client ${i}: ${lines.length} lines on the screen, so some may have scrolled out: type more slowly or for less time`);
    const text = lines.join('\n');
    assert.doesNotMatch(text, /error/i, `client ${i} shows an error:\n${text}`);
    const echoed = lines.filter((l) => l.startsWith('load-'));
    const expected = Array.from({ length: typed[i]! }, (_, n) => `load-${i}-${n + 1}`);
    assert.deepEqual(echoed, expected, `client ${i}: every command's output exactly once, in order`);
    const commands = lines.filter((l) => /^\/ # echo load-/.test(l)).map((l) => l.slice('/ # echo '.length));
    assert.deepEqual(commands, expected, `client ${i}: every command reached the shell exactly once, in order`);
  }
}

/** Each client: the monitor, then a second shell, which the terminal switches to. */
async function execShells(clients: readonly PtyTerminal[]): Promise<void> {
  await Promise.all(
    clients.map(async (c) => {
      c.type(`${PREFIX}c`);
      await c.waitForLastLine('(bake)');
      c.type('exec dev sh\r');
      // Attached to the new shell, drawn under the monitor: its prompt is the last line.
      await c.waitForVisible('the new shell', (v) => lastLine(v) === '/ #');
    }),
  );
}

test(
  `10 sessions on one server, each with an exec'd shell typed into for ${SECONDS} s: no error, no lost output, all attachable after`,
  { timeout: (SECONDS + 120) * 1000 },
  async (t) => {
    const started = Date.now();
    // Every client at once: the first of them starts the server, the others find it (or race to start it).
    const clients = projects.map((name) => terminal(['dev'], join(scratch, name)));
    const exits: (number | undefined)[] = clients.map(() => undefined);
    clients.forEach((c, i) => void c.exited.then((code) => (exits[i] = code)));
    await Promise.all(clients.map((c) => c.waitFor(/^\/ #/m, 60_000)));
    const rows = await sessions();
    const ids = projects.map((name) => rows.find((s) => s.files.includes(join(scratch, name, 'docker-bake.hcl')))?.id ?? '');
    assert.deepEqual(
      ids.filter((id) => !id),
      [],
      `one session per project: ${JSON.stringify(rows.map((s) => s.id))}`,
    );
    t.diagnostic(`10 sessions up and attached in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    await execShells(clients);
    for (const s of await sessions()) assert.deepEqual(s.processes.map((p) => `${p.id} ${p.state}`).sort(), ['1 running', 'dev running'], `session ${s.id}`);

    const before = await serverStatus();
    t.diagnostic(`server RSS with 10 sessions, 20 shells, before typing: ${mib(before.rssBytes)} (pid ${before.pid})`);

    await typeForAWhile(t, clients, exits);

    const afterTyping = await serverStatus();
    const peak = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${afterTyping.pid}/status`, 'utf8'))?.[1];
    t.diagnostic(`server RSS after typing: ${mib(afterTyping.rssBytes)}${peak ? `, peak ${mib(Number(peak) * 1024)}` : ''} (before: ${mib(before.rssBytes)})`);
    assert.equal(afterTyping.pid, before.pid, 'the same server throughout');

    // Detach every client; each session is still there and attachable, its shell alive.
    await Promise.all(
      clients.map(async (c, i) => {
        c.type(`${PREFIX}d`);
        assert.equal(await c.exitCode(), 0, `client ${i} detaches with 0`);
      }),
    );
    await Promise.all(
      ids.map(async (id, i) => {
        const again = terminal(['dev', 'attach', id], scratch);
        await again.waitFor(/^\/ #$/m);
        again.type(`echo alive-${i}\r`);
        await again.waitFor(new RegExp(`^alive-${i}$`, 'm'));
        again.type(`${PREFIX}d`);
        assert.equal(await again.exitCode(), 0, `bake dev attach ${id} detaches with 0`);
        assert.doesNotMatch((await again.lines()).join('\n'), /error/i);
      }),
    );
    assert.deepEqual((await sessions()).map((s) => s.id).sort(), [...ids].sort(), 'every session still there');

    // Stopping the server ends every session: nothing of them stays in the engine.
    const stop = await bake(['server', 'stop']);
    assert.equal(stop.status, 0, stop.stderr);
    assert.match(stop.stdout, /stopped; it ended its 10 session\(s\)/);
    // It returns once the server has gone: nothing of the sessions is left, and the next test meets no stopping server.
    assert.deepEqual(await leftovers(), [], 'no container or network of the sessions is left');
    assert.ok(!existsSync(join(env['XDG_RUNTIME_DIR']!, 'bake', 'server.lock')), 'the server has released its lock');
    t.diagnostic(`whole run ${((Date.now() - started) / 1000).toFixed(1)} s`);
  },
);

test(
  `10 clients on ONE session, each attached and in a shell of its own exec'd through the monitor, typed into for ${SECONDS} s beside a bake dev ls loop: none takes another's terminal, nothing is lost`,
  { timeout: (SECONDS + 120) * 1000 },
  async (t) => {
    const dir = join(scratch, 'shared');
    mkdirSync(dir);
    writeFileSync(join(dir, 'docker-bake.hcl'), 'service "dev" {\n  image = "busybox:latest"\n  interactive = true\n  shell = ["/bin/sh"]\n}\n');
    const up = await bake(['dev', '--detach', '--progress', 'quiet'], dir);
    assert.equal(up.status, 0, up.stderr);
    const id = (await sessions()).find((s) => s.files.includes(join(dir, 'docker-bake.hcl')))?.id ?? '';
    assert.ok(id, 'the shared session is listed');

    const clients = Array.from({ length: SESSIONS }, () => terminal(['dev', 'attach', id], dir));
    const exits: (number | undefined)[] = clients.map(() => undefined);
    clients.forEach((c, i) => void c.exited.then((code) => (exits[i] = code)));
    // Each is attached to dev, or was taken over by a later one (maybe before its screen came): either ends the attach's start.
    await Promise.all(clients.map((c) => c.waitFor(/^\/ #|took over/m, 60_000)));
    // Each newer one took dev from the last, whose keys then go nowhere until its monitor opens.
    await execShells(clients);
    const shells = (await sessions()).find((s) => s.id === id)?.processes.filter((p) => p.id !== 'dev' && p.state === 'running') ?? [];
    assert.equal(shells.length, SESSIONS, `one exec'd shell per client: ${JSON.stringify(shells)}`);

    // Beside the typing, another client lists the sessions every 1–2 s.
    const typing = typeForAWhile(t, clients, exits);
    let listed = 0;
    const listing = (async () => {
      for (const until = Date.now() + SECONDS * 1000; Date.now() < until; listed++) {
        assert.ok((await sessions()).some((s) => s.id === id));
        await sleep(1000 + Math.random() * 1000);
      }
    })();
    await Promise.all([typing, listing]);
    t.diagnostic(`bake dev ls answered ${listed} times meanwhile`);
    for (const [i, c] of clients.entries()) assert.doesNotMatch((await c.lines()).slice(-40).join('\n'), /took over/, `client ${i} keeps its own shell`);

    await Promise.all(
      clients.map(async (c, i) => {
        c.type(`${PREFIX}d`);
        assert.equal(await c.exitCode(), 0, `client ${i} detaches with 0`);
      }),
    );
    const stop = await bake(['dev', 'stop', id]);
    assert.equal(stop.status, 0, stop.stderr);
  },
);
