/**
 * `rebuild` runs in the server (issue 12, "Done when"): the real CLI in
 * real PTYs, the real server and engine. A session's first client is killed;
 * a second client's `rebuild` still builds and recreates the service, and a
 * client killed (or Ctrl-C'd) mid-rebuild leaves the server to finish it: no client builds.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DockerEngine } from '../../src/docker/engine-api.js';
import { parseEngineAddress } from '../../src/docker/endpoint.js';
import { LABEL } from '../../src/dev/labels.js';
import { runBake } from '../support/bake-cli.js';
import { privateServerEnv } from '../support/dev-server.js';
import { requireBuildEngine } from '../support/engine.js';
import { PtyTerminal } from '../support/pty-terminal.js';

const PREFIX = '\x01';
const MONITOR = `${PREFIX}c`;
/** The app container's shell prompt. */
const PROMPT = /^\/ #/m;
/** A build that takes a few seconds: long enough to kill the client that asked for it mid-build. */
const BAKE_FILE = `target "app" {
  dockerfile-inline = <<-EOT
    FROM busybox:latest
    COPY version /version
    RUN sleep 4
  EOT
}

service "app" {
  target      = "app"
  interactive = true
  shell       = ["/bin/sh"]
}
`;

let scratch = '';
let project = '';
let env: Record<string, string> = {};
let engine: DockerEngine | undefined;
let session = '';
const terminals: PtyTerminal[] = [];
/** Each run's versions differ from every earlier run's: a build the engine has cached would end before a client could be killed during it. */
const RUN = randomBytes(4).toString('hex');
const version = (n: number): string => `v${n}-${RUN}`;

function terminal(args: string[]): PtyTerminal {
  const t = new PtyTerminal(args, { cwd: project, env });
  terminals.push(t);
  return t;
}

const bake = (args: string[]) => runBake(args, { cwd: project, env });

/** The app service's container, from the engine. */
async function appContainer(): Promise<{ id: string; state: string } | undefined> {
  const list = await (engine as DockerEngine).containers.list({ label: [`${LABEL.session}=${session}`, `${LABEL.service}=app`] }, AbortSignal.timeout(10_000));
  const c = list[0];
  return c && { id: c.Id, state: c.State };
}

/** Kills a client as a crash would: no goodbye to the server. */
async function killClient(t: PtyTerminal): Promise<void> {
  t.kill('SIGKILL');
  await t.exitCode();
  assert.throws(() => process.kill(t.pid, 0), /ESRCH/, 'the client process is gone');
}

/** What the service's image holds now, read in the shell a new client attaches to (the service's, in its current container). */
async function versionInService(): Promise<string> {
  const t = terminal(['dev', 'attach', session]);
  await t.waitFor(PROMPT);
  t.type('cat /version\r');
  const screen = await t.waitFor(new RegExp(`^v\\d+-${RUN}$`, 'm'));
  t.type(`${PREFIX}d`);
  assert.equal(await t.exitCode(), 0);
  return new RegExp(`^(v\\d+-${RUN})$`, 'm').exec(screen)?.[1] ?? '';
}

before(async () => {
  const socketPath = await requireBuildEngine();
  const address = `unix://${socketPath}`;
  engine = new DockerEngine(parseEngineAddress(address));
  scratch = mkdtempSync(join(tmpdir(), 'bake-dev-rebuild-'));
  project = join(scratch, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'docker-bake.hcl'), BAKE_FILE);
  writeFileSync(join(project, 'version'), `${version(1)}\n`);
  env = privateServerEnv(address, scratch);
});

after(async () => {
  for (const t of terminals) t.dispose();
  if (project) {
    await bake(['dev', 'stop']).catch(() => undefined);
    await bake(['server', 'stop']).catch(() => undefined);
  }
  engine?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test(
  'the first client is killed; rebuild from a second client builds in the server and recreates the service on the new image',
  { timeout: 240_000 },
  async () => {
    const first = terminal(['dev', '--progress', 'plain']);
    const hint = await first.waitFor(/bake: attached to app \(\/bin\/sh\) in session (\S+)\./, 120_000);
    session = /in session (\S+)\./.exec(hint)?.[1] ?? '';
    await first.waitFor(PROMPT);
    await killClient(first);
    const before = await appContainer();
    assert.equal(before?.state, 'running');

    writeFileSync(join(project, 'version'), `${version(2)}\n`);
    const second = terminal(['dev', 'attach', session]);
    await second.waitFor(PROMPT);
    second.type(MONITOR);
    await second.waitForLastLine('(bake)');
    second.type('rebuild\r');
    const screen = await second.waitFor(new RegExp(`^bake: session ${session} is up to date\\.$`, 'm'), 120_000);
    // The server's build progress, as its command output: plain progress lines.
    assert.match(screen, /^#\d+ \[\d\/\d\] RUN sleep 4$/m);
    assert.match(screen, /^#\d+ DONE \d+\.\ds$/m);
    second.type('detach\r');
    assert.equal(await second.exitCode(), 0);

    const after = await appContainer();
    assert.notEqual(after?.id, before?.id, 'app is recreated');
    assert.equal(after?.state, 'running');
    assert.equal(await versionInService(), version(2));
  },
);

/** A client in the monitor that has asked for a rebuild of version `n`, once the server's build of it is under way (its progress reached the client), and not done. */
async function rebuildUnderWay(n: number): Promise<PtyTerminal> {
  writeFileSync(join(project, 'version'), `${version(n)}\n`);
  const client = terminal(['dev', 'attach', session]);
  await client.waitFor(PROMPT);
  client.type(MONITOR);
  await client.waitForLastLine('(bake)');
  client.type('rebuild\r');
  await client.waitFor(/^#\d+ \[\d\/\d\] RUN sleep 4$/m, 60_000);
  return client;
}

/** Waits (without any client) until the app service runs in a container other than `before`. */
async function recreatedFrom(before: string | undefined): Promise<void> {
  const deadline = Date.now() + 120_000;
  let now = await appContainer();
  while (!(now && now.id !== before && now.state === 'running') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    now = await appContainer();
  }
  assert.notEqual(now?.id, before, 'the server recreated app with no client');
  assert.equal(now?.state, 'running');
}

test('a client killed mid-rebuild: the server finishes the build and recreates the service', { timeout: 240_000 }, async () => {
  const before = (await appContainer())?.id;
  const client = await rebuildUnderWay(3);
  await killClient(client);
  assert.equal((await appContainer())?.id, before, 'killed before the rebuild recreated app');
  await recreatedFrom(before);
  assert.equal(await versionInService(), version(3));
});

test('Ctrl-C during a rebuild stops the watching, not the build: the client is told so and the server finishes it', { timeout: 240_000 }, async () => {
  const before = (await appContainer())?.id;
  const client = await rebuildUnderWay(4);
  client.type('\x03');
  await client.waitFor(/^bake: the rebuild goes on in the server; ps shows the services once it is done\.$/m);
  client.type('detach\r');
  assert.equal(await client.exitCode(), 0);
  await recreatedFrom(before);
  assert.equal(await versionInService(), version(4));
});

test('a rebuild whose build fails shows the failure to the client that asked and keeps the service as it was', { timeout: 240_000 }, async () => {
  const before = (await appContainer())?.id;
  // The server reads the session's bake files again: the edit is what it builds.
  writeFileSync(join(project, 'docker-bake.hcl'), BAKE_FILE.replace('RUN sleep 4', 'RUN echo broken-step && exit 3'));
  try {
    const client = terminal(['dev', 'attach', session]);
    await client.waitFor(PROMPT);
    client.type(MONITOR);
    await client.waitForLastLine('(bake)');
    client.type('rebuild\r');
    const screen = await client.waitFor(/^error: the build failed \(see above\); the session keeps running the images it had$/m, 60_000);
    assert.match(screen, /^#\d+ \S+ broken-step$/m, "the failing step's output reached the client");
    assert.match(screen, /^error: failed to build app: .*exit code: 3/m);
    client.type('detach\r');
    assert.equal(await client.exitCode(), 0);
  } finally {
    writeFileSync(join(project, 'docker-bake.hcl'), BAKE_FILE);
  }
  const now = await appContainer();
  assert.equal(now?.id, before, 'app is kept');
  assert.equal(now?.state, 'running');
});
