/**
 * The real CLI as a user runs it: bin/bake by absolute path from another
 * directory, with nothing in the environment but PATH and HOME.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBake, type Run, type RunOptions } from '../support/bake-cli.js';
import { repoRoot } from '../support/fixtures.js';
import { tempDir } from '../support/temp-dir.js';

const root = repoRoot();

/** bin/bake from the temp directory unless told otherwise. */
function run(args: string[], options: Partial<RunOptions> = {}): Promise<Run> {
  return runBake(args, { cwd: tmpdir(), ...options });
}

function tempProject(files: Record<string, string>): string {
  const dir = tempDir('bake-cli-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test('bin/bake --print works by absolute path from any directory with only PATH and HOME', async () => {
  const r = await run(['-f', join(root, 'examples/shop/docker-bake.hcl'), '--print', 'web']);
  assert.equal(r.status, 0, r.stderr);
  const printed = JSON.parse(r.stdout) as { group: Record<string, unknown>; target: Record<string, { tags?: string[]; output?: unknown }> };
  assert.deepEqual(Object.keys(printed.target).sort(), ['base', 'web']);
  assert.deepEqual(printed.target['web']?.tags, ['shop/web:dev', 'shop/web:latest']);
  assert.deepEqual(printed.target['base']?.output, [{ type: 'cacheonly' }], 'linked targets print a cacheonly output');
});

test('default file discovery merges in order: the override file wins', async () => {
  const dir = tempProject({
    'docker-bake.hcl': 'target "default" {\n  tags = ["a"]\n  args = { X = "1" }\n}\n',
    'docker-bake.override.hcl': 'target "default" {\n  tags = ["b"]\n}\n',
  });
  const r = await run(['--print'], { cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  const t = (JSON.parse(r.stdout) as { target: Record<string, { tags: string[]; args: object }> }).target['default'];
  assert.deepEqual(t?.tags, ['b']);
  assert.deepEqual(t?.args, { X: '1' });
});

test('-f - reads the bake file from stdin; environment overrides variables', async () => {
  const r = await run(['-f', '-', '--print'], {
    input: 'variable "TAG" { default = "x" }\ntarget "default" { tags = ["app:${TAG}"] }\n',
    env: { TAG: 'from-env' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /"app:from-env"/);
});

test('a bake-file error exits 2 with file:line:col, a code frame and a fix, and no stack trace', async () => {
  const dir = tempProject({ 'docker-bake.hcl': 'target "app" {\n  tags = [upper(1, 2)]\n}\n' });
  const r = await run(['--print', 'app'], { cwd: dir });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^error: Too many function arguments: Function "upper" expects only 1 argument\(s\)\./m);
  assert.match(r.stderr, /--> docker-bake\.hcl:2:20/);
  assert.match(r.stderr, /2 \|   tags = \[upper\(1, 2\)\]/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace without --debug');
  const debug = await run(['--print', 'app', '--debug'], { cwd: dir });
  assert.match(debug.stderr, /\n\s+at /, '--debug shows the stack');
  // The bundle is minified: the stack reads through its source maps, in the TypeScript's names and lines.
  assert.match(debug.stderr, /\n\s+at checkArity \(.*src\/bakefile\/expr\/evaluate\.ts:\d+:\d+\)/);
});

test('buildx-worded errors stay the first sentence: unknown target', async () => {
  const dir = tempProject({ 'docker-bake.hcl': 'target "app" {}\n' });
  const r = await run(['--print', 'nope'], { cwd: dir });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^error: failed to find target nope/m);
  assert.match(r.stderr, /fix: Use one of the defined targets and groups: app\./);
});

test('no bake file: a clear error naming what bake looks for', async () => {
  const r = await run(['--print'], { cwd: tempDir('bake-empty-') });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /couldn't find a bake definition to use/);
  assert.match(r.stderr, /docker-bake\.hcl/);
});

test('usage errors exit 2', async () => {
  const r = await run(['--no-such-flag']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /Unknown option '--no-such-flag'/);
});

test('--list forms: targets table, type=targets,format=json, variables', async () => {
  const f = ['-f', join(root, 'examples/shop/docker-bake.hcl')];
  const table = await run([...f, '--list', 'targets']);
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /^TARGET\t+DESCRIPTION\n/);
  assert.match(table.stdout, /\nci\t+Everything CI builds \(api-test, default\)\n/);
  // buildx's printTargetList skips names starting with "_" ("convention for a private target"): _common is only inherited.
  assert.doesNotMatch(table.stdout, /_common/);
  const json = await run([...f, '--list=type=targets,format=json']);
  const items = JSON.parse(json.stdout) as Array<{ name: string; group?: boolean }>;
  assert.ok(items.some((i) => i.name === 'ci' && i.group === true));
  assert.ok(!items.some((i) => i.name.startsWith('_')), 'private targets are hidden');
  const vars = await run([...f, '--list', 'variables', '--var', 'TAG=v9']);
  assert.match(vars.stdout, /^VARIABLE\t+VALUE\t+DESCRIPTION\n/);
  assert.match(vars.stdout, /\nTAG\t+v9\t+Tag for every image this file builds\n/);
  assert.match(vars.stdout, /\nNODE_VERSIONS\t+<null>\t+Node.js versions/);
  const group = items.find((i) => i.name === 'ci') as { description?: string };
  assert.equal(group.description, 'Everything CI builds (api-test, default)');
});

test('bake dev --print shows the services and the targets they build', async () => {
  const r = await run(['-f', join(root, 'examples/shop/docker-bake.hcl'), 'dev', '--print', 'api']);
  assert.equal(r.status, 0, r.stderr);
  const printed = JSON.parse(r.stdout) as { target: Record<string, unknown>; service: Record<string, unknown> };
  assert.deepEqual(Object.keys(printed.service).sort(), ['api', 'db']);
  assert.ok('api' in printed.target);
});

test('--print, --list and dev --print load no gRPC, node-pty, hcl2-parser or listr2', () => {
  const dist = join(root, 'dist');
  const files = readdirSync(dist);
  // What those commands load: the entry, their own chunks, and everything those import statically.
  const roots = ['bake.mjs', ...files.filter((f) => /^(print|list|dev)-[A-Z0-9]+\.mjs$/.test(f))];
  assert.equal(roots.length, 4, `expected the entry and three command chunks, found ${roots.join(', ')}`);
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(join(dist, file), 'utf8');
    // listr2 by its environment variable: bundled, its name is gone.
    for (const heavy of ['@grpc/grpc-js', 'node-pty', 'hcl2-parser', 'LISTR_FORCE_TTY']) assert.ok(!text.includes(heavy), `${file} references ${heavy}`);
    for (const m of text.matchAll(/from\s*"\.\/([^"]+\.mjs)"/g)) visit(m[1] as string);
  };
  roots.forEach(visit);
});

test('every command has its own --help and -h: its usage, what it does and its flags, and it runs nothing', async () => {
  const commands: ReadonlyArray<[string[], RegExp]> = [
    [[], /^Usage: bake \[OPTIONS\] \[TARGET\.\.\.\]$/m],
    [['dev'], /^Usage: bake dev \[OPTIONS\] \[SERVICE\.\.\.\]$/m],
    [['dev', 'ls'], /^Usage: bake dev ls \[OPTIONS\]$/m],
    [['dev', 'attach'], /^Usage: bake dev attach \[OPTIONS\] \[SESSION \[PROCESS\]\]$/m],
    [['dev', 'stop'], /^Usage: bake dev stop \[OPTIONS\] \[SESSION\]$/m],
    [['server'], /^Usage: bake server status\|stop \[OPTIONS\]$/m],
    [['server', 'status'], /^Usage: bake server status \[OPTIONS\]$/m],
    [['server', 'stop'], /^Usage: bake server stop \[OPTIONS\]$/m],
    [['engine'], /^Usage: bake engine status\|start\|stop \[OPTIONS\]$/m],
    [['engine', 'status'], /^Usage: bake engine status \[OPTIONS\]$/m],
    [['engine', 'start'], /^Usage: bake engine start \[OPTIONS\]$/m],
    [['engine', 'stop'], /^Usage: bake engine stop \[OPTIONS\]$/m],
  ];
  // A private state dir: were a help to run its command, it could start nothing anyone else sees.
  const scratch = tempDir('bake-help-');
  const env = { XDG_STATE_HOME: join(scratch, 'state'), XDG_RUNTIME_DIR: join(scratch, 'run') };
  const pages = new Set<string>();
  for (const [words, usage] of commands) {
    for (const flag of ['--help', '-h']) {
      const r = await run([...words, flag], { env });
      const what = `bake ${[...words, flag].join(' ')}`;
      assert.equal(r.status, 0, `${what}: ${r.stderr}`);
      assert.equal(r.stderr, '', `${what} prints its help only`);
      assert.match(r.stdout, usage, what);
      assert.match(r.stdout, /^Options:\n(?: {2}.*\n)*? {2}-h, --help {2,}Show this help$/m, `${what} lists its flags`);
      assert.match(r.stdout.split('\n\n')[1] ?? '', /^[A-Z].*\.$/m, `${what} says what the command does`);
      pages.add(r.stdout);
    }
  }
  assert.equal(pages.size, commands.length, 'each command has a page of its own');
  assert.deepEqual(readdirSync(scratch), [], 'no help started a server or an engine');
  assert.match((await run(['dev', 'stop', '-h'])).stdout, /^ {6}--volumes {2,}Also remove the session's named volumes$/m);
  assert.doesNotMatch((await run(['dev', 'ls', '--help'])).stdout, /--volumes|--detach/, 'only the flags the command takes');
});

test('a mistyped target, group or service: buildx\'s sentence first, then "did you mean", and nothing starts', async () => {
  const shop = join(root, 'examples/shop');
  const scratch = tempDir('bake-typo-');
  // A private server dir (never the user's), and an engine address nothing answers on: a typo reaches neither.
  const env = { XDG_STATE_HOME: join(scratch, 'state'), XDG_RUNTIME_DIR: join(scratch, 'run'), DOCKER_HOST: `unix://${join(scratch, 'no-engine.sock')}` };
  const cases: ReadonlyArray<[string[], RegExp, RegExp]> = [
    [['--print', 'wbe'], /^error: failed to find target wbe$/m, /^ {2}= fix: Did you mean "web"\? /m],
    [['wbe'], /^error: failed to find target wbe$/m, /^ {2}= fix: Did you mean "web"\? /m],
    [['--print', 'dfault'], /^error: failed to find target dfault$/m, /^ {2}= fix: Did you mean "default"\? /m],
    [['dev', '--print', 'dbb'], /^error: failed to find service dbb$/m, /^ {2}= fix: Did you mean "db"\? The defined services: db, api, dev\.$/m],
    [['dev', '--detach', 'dbb'], /^error: failed to find service dbb$/m, /^ {2}= fix: Did you mean "db"\? /m],
    [['--print', '--set', 'wbe.tags=x'], /^error: could not find any target matching 'wbe'$/m, /^ {2}= fix: Did you mean "web"\? /m],
  ];
  for (const [args, sentence, suggestion] of cases) {
    const r = await run(args, { cwd: shop, env });
    const what = `bake ${args.join(' ')}`;
    assert.equal(r.status, 2, `${what}: ${r.stderr}`);
    assert.match(r.stderr, sentence, what);
    assert.match(r.stderr, suggestion, what);
    assert.ok(r.stderr.indexOf('error:') < r.stderr.indexOf('Did you mean'), `${what}: buildx's sentence comes first`);
    assert.doesNotMatch(r.stderr, /_common/, `${what}: templates are not offered`);
  }
  assert.deepEqual(readdirSync(scratch), [], 'no server was started for a mistyped service');
});

test('with no bake server, ls, stop, attach and server status start none: an empty list, or no session with the fix', async () => {
  const scratch = tempDir('bake-noserver-');
  const env = { XDG_STATE_HOME: join(scratch, 'state'), XDG_RUNTIME_DIR: join(scratch, 'run'), DOCKER_HOST: `unix://${join(scratch, 'no-engine.sock')}` };
  const shop = join(root, 'examples/shop');
  const table = await run(['dev', 'ls'], { cwd: shop, env });
  assert.equal(table.status, 0, table.stderr);
  assert.equal(table.stdout, 'SESSION   FILES     ENGINE    SERVICES   PROCESSES   CLIENTS\n');
  assert.equal(table.stderr, '');
  const json = await run(['dev', 'ls', '--format', 'json'], { cwd: shop, env });
  assert.equal(json.status, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), []);
  for (const args of [
    ['dev', 'stop'],
    ['dev', 'attach'],
  ]) {
    const r = await run(args, { cwd: shop, env });
    assert.equal(r.status, 1, `bake ${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^error: no bake dev session is running: no bake server is\n {2}= fix: Start one with bake dev /, `bake ${args.join(' ')}`);
  }
  // The project's named volumes outlive its sessions: --volumes goes to the engine for them, here one that is not there.
  const volumes = await run(['dev', 'stop', '--volumes'], { cwd: shop, env });
  assert.equal(volumes.status, 1, volumes.stderr);
  assert.match(volumes.stderr, /^error: cannot reach the Docker engine at unix:\/\/\S+no-engine\.sock \(ENOENT\)\n/);
  const named = await run(['dev', 'attach', 'shop-1a2b3c'], { cwd: shop, env });
  assert.match(named.stderr, /^error: no session shop-1a2b3c is running: no bake server is\n {2}= fix: Start one with bake dev /);
  const status = await run(['server', 'status', '--format', 'json'], { env });
  assert.deepEqual(JSON.parse(status.stdout), { running: false });
  assert.deepEqual(readdirSync(scratch), [], 'no server was started (nor its directory made)');
});

test("a secret whose file is missing: buildx's sentence, its line in the bake file and the fix, before any engine is asked; --print refuses it too", async () => {
  const dir = tempProject({
    Dockerfile: 'FROM busybox:latest\nRUN --mount=type=secret,id=tok cat /run/secrets/tok\n',
    'docker-bake.hcl': 'target "app" {\n  context = "."\n  secret  = ["id=tok,src=nope.txt"]\n}\n',
  });
  // Nothing answers at this engine address: an error about reaching it would mean the build got that far.
  const env = { DOCKER_HOST: `unix://${join(dir, 'no-engine.sock')}` };
  const r = await run(['app'], { cwd: dir, env });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^error: failed to stat nope\.txt: stat nope\.txt: no such file or directory\n {2}--> docker-bake\.hcl:3:3\n/);
  assert.match(r.stderr, /^ {2}= fix: Create nope\.txt \(relative paths start from .*\), point the secret's src at the file that holds it/m);
  assert.doesNotMatch(r.stderr, /engine/, 'refused before any engine work');
  // buildx turns targets into build options before it prints, and that opens the secrets store:
  // buildx 0.13.1's --print fails with this sentence too (issue 16, cause 5; test/fixtures/bakefiles/errors-secret-missing).
  const printed = await run(['--print', 'app'], { cwd: dir, env });
  assert.equal(printed.status, 2, printed.stderr);
  assert.equal(printed.stdout, '');
  assert.match(printed.stderr, /^error: failed to stat nope\.txt: stat nope\.txt: no such file or directory\n {2}--> docker-bake\.hcl:3:3\n/);
  // A secret from the environment needs no file.
  const fromEnv = tempProject({ Dockerfile: 'FROM busybox:latest\n', 'docker-bake.hcl': 'target "app" {\n  secret = ["id=tok,env=TOKEN"]\n}\n' });
  assert.match((await run(['app'], { cwd: fromEnv, env })).stderr, /cannot reach the build engine/, 'it goes on to the engine');
});

test("a context or Dockerfile that is not there is named with the user's path, before any engine is asked, saying where relative paths start", async () => {
  const env = { DOCKER_HOST: `unix://${join(tmpdir(), 'bake-no-engine.sock')}` };
  // The README's mistake: a bake file elsewhere, its context "." taken from where bake runs.
  const fromRoot = await run(['-f', 'examples/toml-app/bake.toml', 'app', '--progress=plain'], { cwd: root, env });
  assert.equal(fromRoot.status, 2, fromRoot.stderr);
  assert.match(fromRoot.stderr, /^error: failed to read dockerfile: open Dockerfile: no such file or directory\n {2}--> examples\/toml-app\/bake\.toml:/);
  assert.match(
    fromRoot.stderr,
    /= fix: Relative paths start from the directory bake runs in \(.*\), not from the bake file's directory \(examples\/toml-app\), as in buildx\./,
  );
  assert.doesNotMatch(fromRoot.stderr, /buildkit-mount|\/var\/lib\/docker|engine/, 'no daemon-internal path, no engine work');
  const noContext = tempProject({ 'docker-bake.hcl': 'target "app" {\n  context = "api"\n}\n' });
  const r = await run(['app'], { cwd: noContext, env });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^error: unable to prepare context: path "api" not found\n {2}--> docker-bake\.hcl:2:3\n/);
});

test("the README's bin/bake examples that need no engine run as written from the repository's root", async () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /Then use `bin\/bake` from any directory[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const commands = block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => /--print|--list/.test(line));
  assert.ok(commands.length >= 4, `the usage block's resolve-only commands: ${commands.join(' | ')}`);
  for (const command of commands) {
    const r = spawnSync('bash', ['-c', command], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root' },
    });
    assert.equal(r.status, 0, `${command}: ${r.stderr}`);
    assert.doesNotThrow(() => JSON.parse(r.stdout), command);
  }
});
