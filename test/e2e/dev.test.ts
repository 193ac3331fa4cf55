/**
 * `bake dev` end to end (issue 5, "Tests"): the real CLI in real PTYs, the
 * real server it starts, the real engine, on a copy of examples/shop (a dev
 * container, and api that depends on db's health check). The steps share
 * one session and run in order, as a user's day would.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DockerEngine } from '../../src/docker/engine-api.js';
import { parseEngineAddress } from '../../src/docker/endpoint.js';
import { LABEL } from '../../src/dev/labels.js';
import { projectKey } from '../../src/dev/project.js';
import { runBake } from '../support/bake-cli.js';
import { privateServerEnv } from '../support/dev-server.js';
import { requireBuildEngine } from '../support/engine.js';
import { repoRoot } from '../support/fixtures.js';
import { PtyTerminal, belowMonitor, lastLine } from '../support/pty-terminal.js';

let socketPath = '';
let scratch = '';
let project = '';
let env: Record<string, string> = {};
let engine: DockerEngine;
let session = '';
const terminals: PtyTerminal[] = [];

const PREFIX = '\x01';
const MONITOR = `${PREFIX}c`;
/** What BusyBox's shell prints as it starts. */
const BANNER = /^BusyBox v/m;
/** The dev container's shell prompt, waiting for a command. */
const PROMPT = /^\/workspace #$/m;

/** Opens the monitor and waits for its prompt under the line saying what the terminal was attached to. */
async function openMonitor(t: PtyTerminal, attachedTo: string): Promise<void> {
  t.type(MONITOR);
  const intro = `attached to ${attachedTo}. Ctrl-a c returns; help lists commands.`;
  await t.waitForVisible(`the monitor (${intro})`, (v) => {
    const lines = v.trimEnd().split('\n');
    return lines.at(-1) === '(bake)' && (lines.at(-2) ?? '').endsWith(intro);
  });
}

function terminal(args: string[]): PtyTerminal {
  const t = new PtyTerminal(args, { cwd: project, env });
  terminals.push(t);
  return t;
}

const bake = (args: string[]) => runBake(args, { cwd: project, socketPath, env });

/** The session's containers by service, from the engine. */
async function containers(): Promise<Map<string, { id: string; state: string }>> {
  const list = await engine.containers.list({ label: [`${LABEL.session}=${session}`] }, AbortSignal.timeout(10_000));
  return new Map(list.map((c) => [c.Labels[LABEL.service] ?? '', { id: c.Id, state: c.State }]));
}

async function serverPid(): Promise<number> {
  const status = await bake(['server', 'status', '--format', 'json']);
  return (JSON.parse(status.stdout) as { pid: number }).pid;
}

before(async () => {
  socketPath = await requireBuildEngine();
  engine = new DockerEngine(parseEngineAddress(`unix://${socketPath}`));
  scratch = mkdtempSync(join(tmpdir(), 'bake-dev-e2e-'));
  project = join(scratch, 'shop');
  cpSync(join(repoRoot(), 'examples', 'shop'), project, { recursive: true });
  env = privateServerEnv(`unix://${socketPath}`, scratch);
});

after(async () => {
  for (const t of terminals) t.dispose();
  if (project) {
    await bake(['dev', 'stop', '--volumes']).catch(() => undefined);
    await bake(['server', 'stop']).catch(() => undefined);
  }
  engine?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

let a: PtyTerminal;

test('bake dev lands in the dev container shell; a command typed there runs and its output shows', async () => {
  a = terminal(['dev', '--progress', 'plain']);
  const hint = await a.waitFor(/bake: attached to dev \(\/bin\/sh\) in session (\S+)\. Ctrl-a c: monitor, Ctrl-a d: detach\./, 120_000);
  session = /in session (\S+)\./.exec(hint)?.[1] ?? '';
  await a.waitFor(PROMPT);
  a.type('echo hello-$((6*7))\r');
  await a.waitFor(/^hello-42$/m);
  const running = await containers();
  assert.deepEqual([...running.keys()].sort(), ['api', 'db', 'dev']);
  assert.ok([...running.values()].every((c) => c.state === 'running'));
});

test('Ctrl-a c opens the monitor: ps lists every process, exec starts a second shell, attach switches between them, logs shows a service', async () => {
  await openMonitor(a, 'dev (/bin/sh)');
  assert.match((await a.visible()).join('\n'), new RegExp(`bake monitor: session ${session}, attached to dev`));
  a.type('ps\r');
  const ps = await a.waitFor(/^dev +dev +\/bin\/sh +running/m);
  assert.match(ps, /^ID +SERVICE +COMMAND +STATE +UPTIME +ATTACHED$/m);
  assert.match(ps, /^db +db +sh -c .* running/m);
  assert.match(ps, /^api +api +\/bin\/sh \/app\/server\.sh +running/m);

  a.type('exec dev sh\r');
  await a.waitForVisible('a fresh shell', (v) => BANNER.test(belowMonitor(v)) && PROMPT.test(lastLine(v)));
  a.type('echo second-$((1+1))\r');
  await a.waitFor(/^second-2$/m);

  await openMonitor(a, '1 (sh)');
  a.type('attach dev\r');
  await a.waitForVisible('the first shell, redrawn', (v) => /^hello-42$/m.test(v) && !v.includes('second-2'));

  await openMonitor(a, 'dev (/bin/sh)');
  a.type('attach 1\r');
  await a.waitForVisible('the second shell, redrawn', (v) => /^second-2$/m.test(v) && !v.includes('hello-42'));

  await openMonitor(a, '1 (sh)');
  a.type('logs db\r');
  await a.waitFor(/^db ready$/m);
  a.type('logs api\r');
  await a.waitFor(/^api dev listening on :8080$/m);
});

test('rebuild after editing a source file on the host recreates only the changed service, and the change is visible', async () => {
  const before = await containers();
  const script = join(project, 'api', 'server.sh');
  writeFileSync(script, readFileSync(script, 'utf8').replace('listening on :8080', 'listening on :8080 (v2)'));
  a.type('rebuild\r');
  await a.waitFor(/bake: session \S+ is up to date\./, 120_000);
  const now = await containers();
  assert.equal(now.get('db')?.id, before.get('db')?.id, 'db is kept');
  assert.equal(now.get('dev')?.id, before.get('dev')?.id, 'dev is kept');
  assert.notEqual(now.get('api')?.id, before.get('api')?.id, 'api is recreated');
  for (let i = 0; i < 50 && !/\(v2\)/.test((await a.lines()).join('\n')); i++) {
    a.type('logs api\r');
    await new Promise((r) => setTimeout(r, 200));
  }
  await a.waitFor(/^api dev listening on :8080 \(v2\)$/m);
});

test('rollback drops a file created inside the container', async () => {
  a.type('attach dev\r');
  await a.waitForVisible('the first shell, redrawn', (v) => /^hello-42$/m.test(v));
  a.type('touch /tmp/made-inside && ls /tmp\r');
  await a.waitFor(/^made-inside$/m);
  await openMonitor(a, 'dev (/bin/sh)');
  a.type('rollback dev\r');
  const rolled = await a.waitFor(/dev: recreated from its image; changes made inside it are gone/, 60_000);
  // Which changes: named before the container goes.
  assert.match(rolled.replaceAll('\n', ''), /dev: its container is replaced: \d+ files? made or changed inside it (is|are) dropped \([^)]*\/tmp\/made-inside/);
  a.type('attach dev\r');
  await a.waitForVisible('a new shell in the new container', (v) => BANNER.test(v) && !v.includes('made-inside'));
  a.type('ls /tmp/made-inside\r');
  await a.waitFor(/No such file or directory/);
});

let b: PtyTerminal;

test('detach; bake dev ls lists the session; bake dev attach in a second terminal shows the last screen', async () => {
  a.type(`${PREFIX}d`);
  await a.waitFor(`bake: detached from session ${session}; it keeps running. Come back with: bake dev attach ${session}`);
  assert.equal(await a.exitCode(), 0);

  const ls = await bake(['dev', 'ls', '--format', 'json']);
  assert.equal(ls.status, 0, ls.stderr);
  const sessions = JSON.parse(ls.stdout) as { id: string; files: string[]; services: { name: string; state: string }[] }[];
  const mine = sessions.find((s) => s.id === session);
  assert.ok(mine, ls.stdout);
  assert.deepEqual(mine.files, [join(project, 'docker-bake.hcl')]);
  assert.deepEqual(mine.services.map((s) => `${s.name} ${s.state}`).sort(), ['api running', 'db running', 'dev running']);
  const table = await bake(['dev', 'ls']);
  assert.match(table.stdout, new RegExp(`^${session}\\s`, 'm'));

  b = terminal(['dev', 'attach']);
  await b.waitFor(/No such file or directory/);
  b.type('echo back-$((2+3))\r');
  await b.waitFor(/^back-5$/m);
  // A second process for the next steps: process 1 went with the container rollback replaced.
  await openMonitor(b, 'dev (/bin/sh)');
  b.type('exec dev sh\r');
  await b.waitForVisible('a fresh shell', (v) => BANNER.test(belowMonitor(v)) && PROMPT.test(lastLine(v)));
  b.type('echo in-exec-$((3*3))\r');
  await b.waitFor(/^in-exec-9$/m);
});

test('SIGKILL of the client leaves the session and its processes running, and they re-attach', async () => {
  b.kill('SIGKILL');
  await b.exitCode();
  const ls = JSON.parse((await bake(['dev', 'ls', '--format', 'json'])).stdout) as { id: string; processes: { id: string; state: string }[] }[];
  const mine = ls.find((s) => s.id === session);
  assert.deepEqual(
    mine?.processes
      .filter((p) => p.state === 'running')
      .map((p) => p.id)
      .sort(),
    ['2', 'api', 'db', 'dev'],
  );
  const c = terminal(['dev', 'attach', session]);
  await c.waitFor(/^back-5$/m);
  c.type(MONITOR);
  c.type('attach 2\r');
  await c.waitFor(/^in-exec-9$/m);
  c.type(`${PREFIX}d`);
  assert.equal(await c.exitCode(), 0);
  // Straight to a process from the command line: bake dev attach SESSION PROCESS.
  const d = terminal(['dev', 'attach', session, '2']);
  await d.waitFor(/^in-exec-9$/m);
  d.type(`${PREFIX}d`);
  assert.equal(await d.exitCode(), 0);
});

test('two clients on one process: the newer takes it, the older is told who, and what it types then reaches neither the shell nor the monitor', async () => {
  const first = terminal(['dev', 'attach']);
  await first.waitFor(PROMPT);
  const second = terminal(['dev', 'attach']);
  await second.waitFor(PROMPT);
  const told = await first.waitFor(
    /bake: another terminal \(bake dev attach, pid (\d+)\) took over dev \(\/bin\/sh\) in session \S+\. Keys typed here go nowhere now: Ctrl-a c opens the monitor, Ctrl-a d detaches\./,
  );
  assert.match(told, new RegExp(`pid ${second.pid}\\)`));
  // Typed for the shell, as a user does who has not read the notice yet.
  first.type('echo meant-for-the-shell\r');
  second.type('echo only-second\r');
  await second.waitFor(/^only-second$/m);
  const seen = (await first.visible()).join('\n');
  assert.doesNotMatch(seen, /unknown command|^\(bake\)/m, 'no key typed for the shell reaches the monitor');
  assert.doesNotMatch((await second.visible()).join('\n'), /meant-for-the-shell/, 'nor the shell the other terminal holds');
  first.type(MONITOR);
  await first.waitFor(`dev (/bin/sh) is another terminal's now (bake dev attach, pid ${second.pid}). Ctrl-a c takes it back; help lists commands.`);
  first.type('attach dev\r');
  await second.waitFor(/bake: another terminal \(bake dev attach, pid \d+\) took over dev/);
  await first.waitFor(/^only-second$/m);
  first.type(`${PREFIX}d`);
  second.type(`${PREFIX}d`);
  assert.equal(await first.exitCode(), 0);
  assert.equal(await second.exitCode(), 0);
});

test('two clients on two processes of one session: both keep their terminals, and ps names who holds each', async () => {
  const onDev = terminal(['dev', 'attach', session, 'dev']);
  await onDev.waitFor(PROMPT);
  const onApi = terminal(['dev', 'attach', session, 'api']);
  await onApi.waitFor(/^api .* listening on :8080/m);
  onDev.type('echo dev-kept-$((2+3))\r');
  await onDev.waitFor(/^dev-kept-5$/m);
  const ls = JSON.parse((await bake(['dev', 'ls', '--format', 'json'])).stdout) as {
    id: string;
    clients: number;
    processes: { id: string; attachedBy?: string }[];
  }[];
  const mine = ls.find((s) => s.id === session);
  // Terminals of earlier steps may still follow the session: these two are among its clients.
  assert.ok((mine?.clients ?? 0) >= 2, JSON.stringify(mine));
  assert.match(mine?.processes.find((p) => p.id === 'dev')?.attachedBy ?? '', new RegExp(`pid ${onDev.pid}$`));
  assert.match(mine?.processes.find((p) => p.id === 'api')?.attachedBy ?? '', new RegExp(`pid ${onApi.pid}$`));
  assert.doesNotMatch((await onDev.visible()).join('\n'), /took over/);
  assert.doesNotMatch((await onApi.visible()).join('\n'), /took over/);
  onDev.type(`${PREFIX}d`);
  onApi.type(`${PREFIX}d`);
  assert.equal(await onDev.exitCode(), 0);
  assert.equal(await onApi.exitCode(), 0);
});

test('SIGKILL of the server: containers keep running; the next bake dev ls recovers the session, and attaching to a service works', async () => {
  const pid = await serverPid();
  process.kill(pid, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 500));
  const running = await containers();
  assert.deepEqual(
    [...running.values()].map((c) => c.state),
    ['running', 'running', 'running'],
  );

  const ls = await bake(['dev', 'ls', '--format', 'json']);
  assert.equal(ls.status, 0, ls.stderr);
  assert.notEqual(await serverPid(), pid, 'a new server answers');
  const mine = (JSON.parse(ls.stdout) as { id: string; services: { name: string; state: string }[] }[]).find((s) => s.id === session);
  assert.deepEqual(mine?.services.map((s) => `${s.name} ${s.state}`).sort(), ['api running', 'db running', 'dev running']);
  // The old server's exec'd shell (process 1) is ended, not leaked, and reported.
  assert.match(ls.stderr, new RegExp(`session ${session}: a process the previous server exec'd in dev \\(exec [0-9a-f]+\\) was ended`));
  const dev = (await containers()).get('dev');
  for (const exec of (await engine.containers.inspect(dev?.id ?? '', AbortSignal.timeout(10_000))).ExecIDs ?? [])
    assert.equal((await engine.execs.inspect(exec, AbortSignal.timeout(10_000))).Running, false);

  const d = terminal(['dev', 'attach']);
  await d.waitFor(PROMPT);
  d.type('echo after-crash\r');
  await d.waitFor(/^after-crash$/m);
  d.type(MONITOR);
  d.type('attach api\r');
  await d.waitFor(/^api dev listening on :8080 \(v2\)$/m);
  d.type(`${PREFIX}d`);
  assert.equal(await d.exitCode(), 0);
});

test('bake dev stop removes every container and the network of the session, keeps named volumes; --volumes removes them', async () => {
  const volumeFilter = { label: [`${LABEL.project}=${projectKey([join(project, 'docker-bake.hcl')])}`] };
  const stop = await bake(['dev', 'stop']);
  assert.equal(stop.status, 0, stop.stderr);
  const label = { label: [`${LABEL.session}=${session}`] };
  assert.deepEqual(await engine.containers.list(label, AbortSignal.timeout(10_000)), []);
  assert.deepEqual(await engine.networks.list(label, AbortSignal.timeout(10_000)), []);
  const volumes = await engine.volumes.list(volumeFilter, AbortSignal.timeout(10_000));
  assert.equal(volumes.length, 1, 'dbdata stays');
  // With the session gone, --volumes still removes the project's named volumes.
  const orphans = await bake(['dev', 'stop', '--volumes']);
  assert.equal(orphans.status, 0, orphans.stderr);
  assert.equal(orphans.stdout, `bake: no session of ${session} runs; its named volumes are removed: ${volumes[0]?.Name}.\n`);
  assert.deepEqual(await engine.volumes.list(volumeFilter, AbortSignal.timeout(10_000)), []);
  const none = await bake(['dev', 'stop', '--volumes']);
  assert.equal(none.stdout, `bake: no session of ${session} runs, and it has no named volumes: nothing to remove.\n`);

  const again = await bake(['dev', '--detach', '--progress', 'quiet']);
  assert.equal(again.status, 0, again.stderr);
  const stopAll = await bake(['dev', 'stop', '--volumes']);
  assert.equal(stopAll.status, 0, stopAll.stderr);
  assert.deepEqual(await engine.containers.list(label, AbortSignal.timeout(10_000)), []);
  assert.deepEqual(await engine.volumes.list(volumeFilter, AbortSignal.timeout(10_000)), []);
});
