/**
 * One mistake, one exit code, whichever command meets it (issue 12): the
 * real bin/bake, each command run as a user would, in a private server
 * directory so none of them reaches the user's own bake server.
 */
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBake, type Run } from '../support/bake-cli.js';
import { tempDir } from '../support/temp-dir.js';

/** A target to build and a service that runs it: enough for `bake app` and `bake dev` to reach the engine. */
const BAKE_FILE = 'target "app" {\n  context = "."\n}\n\nservice "app" {\n  target = "app"\n}\n';

function project(bakeFile = BAKE_FILE): { dir: string; env: Record<string, string>; scratch: string } {
  const dir = tempDir('bake-exit-');
  writeFileSync(join(dir, 'docker-bake.hcl'), bakeFile);
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
  const scratch = tempDir('bake-exit-state-');
  // The server's directory and socket are the test's own; a server, if one starts, idles out at once.
  return { dir, scratch, env: { XDG_STATE_HOME: join(scratch, 'state'), XDG_RUNTIME_DIR: join(scratch, 'run'), BAKE_SERVER_GRACE_SECONDS: '1' } };
}

const firstLine = (r: Run): string => r.stderr.split('\n')[0] ?? '';

/** Every command that dials the engine, or finds it for a session. */
const ENGINE_COMMANDS = [['app'], ['engine', 'status'], ['dev', 'ls'], ['dev', '--detach'], ['dev', 'attach'], ['dev', 'stop']];

for (const dockerHost of ['unix://relative.sock', 'tcp://[::1', 'ssh://me@host']) {
  test(`DOCKER_HOST=${dockerHost} is a usage error: exit 2 and the same sentence from every command, before any server starts`, async () => {
    const { dir, env, scratch } = project();
    const runs = await Promise.all(ENGINE_COMMANDS.map((args) => runBake(args, { cwd: dir, env: { ...env, DOCKER_HOST: dockerHost } })));
    const first = firstLine(runs[0] as Run);
    assert.match(first, /^error: (invalid|unsupported) engine address /);
    runs.forEach((r, i) => {
      const what = `bake ${ENGINE_COMMANDS[i]?.join(' ')}`;
      assert.equal(r.status, 2, `${what}: ${r.stderr}`);
      assert.equal(firstLine(r), first, what);
      assert.match(r.stderr, /^ {2}= fix: .*DOCKER_HOST/m, what);
      assert.equal(r.stdout, '', what);
    });
    assert.deepEqual(readdirSync(scratch), [], 'no server was started');
    // What needs no engine does not look at it.
    const printed = await runBake(['--print', 'app'], { cwd: dir, env: { ...env, DOCKER_HOST: dockerHost } });
    assert.equal(printed.status, 0, printed.stderr);
  });
}

test('a selected docker context that does not exist is the same usage error from every command', async () => {
  const { dir, env } = project();
  const runs = await Promise.all(
    ENGINE_COMMANDS.map((args) => runBake(args, { cwd: dir, env: { ...env, DOCKER_CONFIG: join(dir, 'no-docker-config'), DOCKER_CONTEXT: 'gone' } })),
  );
  for (const [i, r] of runs.entries()) {
    const what = `bake ${ENGINE_COMMANDS[i]?.join(' ')}`;
    assert.equal(r.status, 2, `${what}: ${r.stderr}`);
    assert.match(firstLine(r), /^error: the docker context gone is selected but was not found in /, what);
  }
});

test('an engine that does not answer fails every command that needs it with exit 1; bake dev ls lists without it', async () => {
  const { dir, env } = project();
  const dockerHost = `tcp://127.0.0.1:${await closedPort()}`;
  const down = { ...env, DOCKER_HOST: dockerHost };
  try {
    for (const args of [['app'], ['engine', 'status'], ['dev', '--detach']]) {
      const r = await runBake(args, { cwd: dir, env: down });
      assert.equal(r.status, 1, `bake ${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.ok(`${r.stdout}${r.stderr}`.includes(dockerHost), `bake ${args.join(' ')} names the engine:\n${r.stdout}${r.stderr}`);
    }
    // The sessions are the server's: with none running, there is nothing to ask the engine about.
    const ls = await runBake(['dev', 'ls'], { cwd: dir, env: down });
    assert.equal(ls.status, 0, ls.stderr);
  } finally {
    // bake dev started a server to hold the session it could not start.
    await runBake(['server', 'stop'], { cwd: dir, env: down });
  }
});

test('a usage error exits 2 from every command, and starts nothing', async () => {
  const { dir, env, scratch } = project();
  const commands = [
    [],
    ['app'],
    ['--print'],
    ['--list', 'targets'],
    ['dev'],
    ['dev', '--print'],
    ['dev', 'ls'],
    ['dev', 'attach'],
    ['dev', 'stop'],
    ['engine', 'status'],
    ['engine', 'start'],
    ['engine', 'stop'],
    ['server', 'status'],
    ['server', 'stop'],
  ].map((args) => [...args, '--no-such-flag']);
  const specific: string[][] = [
    ['--progress', 'sideways', 'app'],
    ['--set', 'nope.tags=x', 'app'],
    ['--max-parallelism', '0', 'app'],
    ['dev', '--detach', '--prefix-key', 'x'],
    ['dev', '--detach', '--wait-timeout', 'soon'],
  ];
  const runs = await Promise.all([...commands, ...specific].map((args) => runBake(args, { cwd: dir, env })));
  for (const [i, r] of runs.entries()) {
    const what = `bake ${[...commands, ...specific][i]?.join(' ')}`;
    assert.equal(r.status, 2, `${what}: ${r.stderr}`);
    assert.match(r.stderr, /^error: .*\n {2}= fix: /, what);
  }
  assert.deepEqual(readdirSync(scratch), [], 'no server was started');
});

test('a bake-file error exits 2 from every command that reads the file, pointing at the source', async () => {
  const { dir, env, scratch } = project('target "app" {\n  context = \n}\n');
  const commands = [['app'], ['--print', 'app'], ['--list', 'targets'], ['dev', '--detach'], ['dev', '--print']];
  const runs = await Promise.all(commands.map((args) => runBake(args, { cwd: dir, env })));
  for (const [i, r] of runs.entries()) {
    const what = `bake ${commands[i]?.join(' ')}`;
    assert.equal(r.status, 2, `${what}: ${r.stderr}`);
    assert.match(r.stderr, /^error: Invalid expression: .*\n {2}--> docker-bake\.hcl:2:13\n/, what);
  }
  assert.deepEqual(readdirSync(scratch), [], 'no server was started');
});

/** A TCP port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
