/** Command-line parsing: bake's flags, bake dev's actions and the flags each takes, and bake server. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../src/core/errors.js';
import { flagsOf, parseBakeArgs, parseEngineArgs, parseServerArgs, parseWaitTimeout, type DevArgs } from '../../src/cli/args.js';
import { COMMANDS, FLAGS, type CommandName } from '../../src/cli/commands.js';
import { helpText } from '../../src/cli/help.js';

const DEV_DEFAULTS: DevArgs = {
  action: 'up',
  session: undefined,
  process: undefined,
  detach: false,
  noBuild: false,
  watch: false,
  prefixKey: undefined,
  waitTimeoutMs: undefined,
  volumes: false,
  format: 'table',
};
const dev = (fields: Partial<DevArgs>): DevArgs => ({ ...DEV_DEFAULTS, ...fields });

/** Asserts `run` throws a usage error (exit 2) whose message and fix match. */
function assertUsageError(run: () => unknown, message: RegExp, fix?: RegExp): void {
  assert.throws(run, (e: unknown) => e instanceof UserError && e.kind === 'usage' && message.test(e.message) && (fix === undefined || fix.test(e.fix ?? '')));
}

test('bake: targets and flags', () => {
  const args = parseBakeArgs(['-f', 'a.hcl', '--file', 'b.hcl', '--set', 't.tags=x', '--load', '--max-parallelism', '3', 'api', 'web']);
  assert.equal(args.command, 'bake');
  assert.deepEqual(args.names, ['api', 'web']);
  assert.deepEqual(args.files, ['a.hcl', 'b.hcl']);
  assert.deepEqual(args.sets, ['t.tags=x']);
  assert.equal(args.load, true);
  assert.equal(args.maxParallelism, 3);
  assert.deepEqual(args.dev, DEV_DEFAULTS);
});

test('bake: --provenance and --sbom may stand alone', () => {
  const args = parseBakeArgs(['--provenance', 'api', '--sbom=false']);
  assert.equal(args.provenance, 'true');
  assert.equal(args.sbom, 'false');
  assert.deepEqual(args.names, ['api']);
});

test('bake: --list forms', () => {
  assert.deepEqual(parseBakeArgs(['--list', 'targets']).list, { type: 'targets', format: 'table' });
  assert.deepEqual(parseBakeArgs(['--list=type=variables,format=json']).list, { type: 'variables', format: 'json' });
  assertUsageError(() => parseBakeArgs(['--list', 'things']), /invalid list type "things"/);
});

test('bake: help and version win', () => {
  assert.equal(parseBakeArgs(['-h']).command, 'help');
  assert.equal(parseBakeArgs(['dev', '--help']).command, 'help');
  assert.equal(parseBakeArgs(['--version']).command, 'version');
});

test('bake: unknown flags are usage errors', () => {
  assertUsageError(() => parseBakeArgs(['--no-such-flag']), /Unknown option '--no-such-flag'/, /bake --help/);
});

test('bake: a target named dev goes after --', () => {
  const args = parseBakeArgs(['--', 'dev', 'api']);
  assert.equal(args.command, 'bake');
  assert.deepEqual(args.names, ['dev', 'api']);
});

test('bake dev: services, defaults', () => {
  const args = parseBakeArgs(['dev', 'api', 'web']);
  assert.equal(args.command, 'dev');
  assert.deepEqual(args.names, ['api', 'web']);
  assert.deepEqual(args.dev, DEV_DEFAULTS);
});

test('bake dev: flags before dev, and --print', () => {
  const args = parseBakeArgs(['-f', 'x.hcl', 'dev', '--print', 'api']);
  assert.equal(args.command, 'dev');
  assert.deepEqual(args.files, ['x.hcl']);
  assert.equal(args.print, true);
  assert.deepEqual(args.names, ['api']);
});

test('bake dev: --detach, -d, --no-build, --watch, --prefix-key, --wait-timeout', () => {
  assert.deepEqual(
    parseBakeArgs(['dev', '--detach', '--no-build', '--watch', '--prefix-key', 'C-b', '--wait-timeout', '1m30s']).dev,
    dev({ detach: true, noBuild: true, watch: true, prefixKey: 'C-b', waitTimeoutMs: 90_000 }),
  );
  assertUsageError(() => parseBakeArgs(['dev', 'ls', '--watch']), /--watch/);
  assert.deepEqual(parseBakeArgs(['dev', '-d', 'api']).dev, parseBakeArgs(['dev', '--detach', 'api']).dev);
});

test('bake dev: a bad --prefix-key or --wait-timeout is a usage error', () => {
  assertUsageError(() => parseBakeArgs(['dev', '--prefix-key', 'x']), /--prefix-key "x" is not a control key/, /ctrl-a/);
  assertUsageError(() => parseBakeArgs(['dev', '--wait-timeout', '60']), /invalid --wait-timeout "60"/, /90s, 2m or 1m30s/);
  assertUsageError(() => parseBakeArgs(['dev', '--wait-timeout', '0s']), /--wait-timeout must be longer than 0/);
  assertUsageError(() => parseBakeArgs(['dev', '--wait-timeout=-5s']), /--wait-timeout must be longer than 0/);
});

test('parseWaitTimeout reads Go durations and names its origin', () => {
  assert.equal(parseWaitTimeout('60s'), 60_000);
  assert.equal(parseWaitTimeout('1.5s'), 1500);
  assert.equal(parseWaitTimeout('2h'), 7_200_000);
  assertUsageError(() => parseWaitTimeout('soon', 'BAKE_WAIT_TIMEOUT'), /invalid BAKE_WAIT_TIMEOUT "soon"/);
});

test('bake dev ls, attach, stop', () => {
  assert.deepEqual(parseBakeArgs(['dev', 'ls']).dev, dev({ action: 'ls' }));
  assert.deepEqual(parseBakeArgs(['dev', 'ls', '--format', 'json']).dev, dev({ action: 'ls', format: 'json' }));
  assert.deepEqual(parseBakeArgs(['dev', 'attach']).dev, dev({ action: 'attach' }));
  assert.deepEqual(
    parseBakeArgs(['dev', 'attach', 'shop-1a2b3c', '--prefix-key', '^]']).dev,
    dev({ action: 'attach', session: 'shop-1a2b3c', prefixKey: '^]' }),
  );
  assert.deepEqual(parseBakeArgs(['dev', 'stop']).dev, dev({ action: 'stop' }));
  assert.deepEqual(
    parseBakeArgs(['-f', 'a.hcl', 'dev', 'stop', 'shop-1a2b3c', '--volumes']).dev,
    dev({ action: 'stop', session: 'shop-1a2b3c', volumes: true }),
  );
  assert.deepEqual(parseBakeArgs(['dev', 'ls']).names, []);
  assert.deepEqual(parseBakeArgs(['dev', 'attach', 's']).names, []);
});

test('bake dev: services named ls, attach or stop go after --', () => {
  const args = parseBakeArgs(['dev', '--', 'ls', 'stop']);
  assert.deepEqual(args.dev?.action, 'up');
  assert.deepEqual(args.names, ['ls', 'stop']);
  // Only the word right after dev is an action.
  assert.deepEqual(parseBakeArgs(['dev', 'api', 'ls']).names, ['api', 'ls']);
  assert.equal(parseBakeArgs(['dev', 'api', 'ls']).dev?.action, 'up');
});

test('bake dev: extra words and bad formats are usage errors', () => {
  assertUsageError(() => parseBakeArgs(['dev', 'ls', 'x']), /bake dev ls takes no arguments, got x/);
  assert.deepEqual(
    [parseBakeArgs(['dev', 'attach', 'a', 'b']).dev.session, parseBakeArgs(['dev', 'attach', 'a', 'b']).dev.process],
    ['a', 'b'],
    'bake dev attach SESSION PROCESS',
  );
  assertUsageError(() => parseBakeArgs(['dev', 'attach', 'a', 'b', 'c']), /bake dev attach takes a session and a process at most, got a b c/, /bake dev ls/);
  assertUsageError(() => parseBakeArgs(['dev', 'stop', 'a', 'b']), /bake dev stop takes one session at most/);
  assertUsageError(() => parseBakeArgs(['dev', 'ls', '--format', 'yaml']), /invalid --format "yaml"/, /table or --format json/);
});

const MISPLACED: ReadonlyArray<[string[], RegExp, RegExp]> = [
  [['--detach'], /^--detach does not apply to bake \[TARGET\.\.\.\]$/, /^Use --detach with bake dev \[SERVICE\.\.\.\]\.$/],
  [['-d', 'api'], /^-d does not apply to bake \[TARGET\.\.\.\]$/, /^Use -d with bake dev/],
  [['--volumes'], /^--volumes does not apply to bake \[TARGET\.\.\.\]$/, /^Use --volumes with bake dev stop \[SESSION\]\.$/],
  [['--format', 'json'], /^--format does not apply to bake \[TARGET\.\.\.\]$/, /^Use --format with bake dev ls\.$/],
  [['dev', '--volumes'], /^--volumes does not apply to bake dev \[SERVICE\.\.\.\]$/, /bake dev stop/],
  [['dev', '--format', 'json'], /^--format does not apply to bake dev \[SERVICE\.\.\.\]$/, /bake dev ls/],
  [['dev', '--list', 'targets'], /^--list does not apply to bake dev/, /^Use --list with bake \[TARGET\.\.\.\]\.$/],
  [['dev', '--push'], /^--push does not apply to bake dev/, /bake \[TARGET/],
  [['dev', '--load'], /^--load does not apply to bake dev/, /bake \[TARGET/],
  [['dev', 'ls', '--volumes'], /^--volumes does not apply to bake dev ls$/, /bake dev stop/],
  [['dev', 'ls', '-f', 'a.hcl'], /^-f does not apply to bake dev ls$/, /bake dev stop/],
  [['dev', 'ls', '--detach'], /^--detach does not apply to bake dev ls$/, /bake dev \[SERVICE/],
  [['dev', 'attach', '--detach'], /^--detach does not apply to bake dev attach \[SESSION \[PROCESS\]\]$/, /bake dev \[SERVICE/],
  [['dev', 'attach', '--no-build'], /^--no-build does not apply to bake dev attach \[SESSION \[PROCESS\]\]$/, /bake dev \[SERVICE/],
  [['dev', 'attach', '--print'], /^--print does not apply to bake dev attach \[SESSION \[PROCESS\]\]$/, /bake \[TARGET\.\.\.\] or bake dev \[SERVICE\.\.\.\]/],
  // A rebuild shows the server's plain progress: how a build shows here is not attach's.
  [
    ['dev', 'attach', '--progress', 'tty'],
    /^--progress does not apply to bake dev attach \[SESSION \[PROCESS\]\]$/,
    /^Use --progress with bake \[TARGET\.\.\.\] or bake dev \[SERVICE\.\.\.\]\.$/,
  ],
  [['dev', 'attach', '--metadata-file', 'm.json'], /^--metadata-file does not apply to bake dev attach \[SESSION \[PROCESS\]\]$/, /bake dev \[SERVICE/],
  [
    ['dev', 'stop', '--prefix-key', 'C-b'],
    /^--prefix-key does not apply to bake dev stop \[SESSION\]$/,
    /^Use --prefix-key with bake dev \[SERVICE\.\.\.\] or bake dev attach \[SESSION \[PROCESS\]\]\.$/,
  ],
  [['dev', 'stop', '--set', 'a.b=c'], /^--set does not apply to bake dev stop \[SESSION\]$/, /bake dev attach/],
  [['dev', 'stop', '--format', 'json'], /^--format does not apply to bake dev stop \[SESSION\]$/, /bake dev ls/],
];

for (const [argv, message, fix] of MISPLACED) {
  test(`bake ${argv.join(' ')}: a flag that does not apply is a usage error`, () => {
    assertUsageError(() => parseBakeArgs(argv), message, fix);
  });
}

test('bake dev attach takes the build flags (a rebuild from its monitor sends them to the server)', () => {
  const args = parseBakeArgs(['-f', 'a.hcl', '--var', 'TAG=1', 'dev', 'attach', '--no-cache', '--wait-timeout', '5s']);
  assert.deepEqual(args.vars, ['TAG=1']);
  assert.equal(args.noCache, true);
  assert.deepEqual(args.dev, dev({ action: 'attach', waitTimeoutMs: 5000 }));
});

test('bake server status|stop', () => {
  assert.deepEqual(parseServerArgs(['status']), { action: 'status', format: 'table' });
  assert.deepEqual(parseServerArgs(['status', '--format', 'json']), { action: 'status', format: 'json' });
  assert.deepEqual(parseServerArgs(['stop', '--debug']), { action: 'stop', format: 'table' });
  assertUsageError(() => parseServerArgs([]), /unknown server command \(none\)/, /bake server status/);
  assertUsageError(() => parseServerArgs(['restart']), /unknown server command restart/);
  assertUsageError(() => parseServerArgs(['status', 'x']), /unknown server command status x/);
  assertUsageError(() => parseServerArgs(['stop', '--format', 'json']), /--format does not apply to bake server stop/);
  assertUsageError(() => parseServerArgs(['status', '--format', 'yaml']), /invalid --format "yaml"/);
  assertUsageError(() => parseServerArgs(['status', '-f', 'a.hcl']), /Unknown option '-f'/);
});

test('bake --help names every command and every flag', () => {
  const help = helpText('bake');
  for (const text of [
    'bake dev ls',
    'bake dev attach',
    'bake dev stop',
    'bake server status|stop',
    'bake engine status|start|stop',
    ...Object.values(FLAGS).map((f) => f.spelling),
  ]) {
    assert.ok(help.includes(text), text);
  }
});

test('--help and -h name the command the words before them name', () => {
  const cases: ReadonlyArray<[string[], CommandName]> = [
    [['--help'], 'bake'],
    [['-h', 'api'], 'bake'],
    [['dev', '--help'], 'dev'],
    [['dev', '-h', 'api'], 'dev'],
    [['dev', 'ls', '-h'], 'dev ls'],
    [['dev', 'attach', '--help'], 'dev attach'],
    [['dev', 'stop', 'shop-1a2b3c', '-h'], 'dev stop'],
  ];
  for (const [argv, topic] of cases) {
    const args = parseBakeArgs(argv);
    assert.equal(args.command, 'help', argv.join(' '));
    assert.equal(args.helpTopic, topic, argv.join(' '));
  }
  assert.deepEqual(parseServerArgs(['--help']), { action: 'help', topic: 'server' });
  assert.deepEqual(parseServerArgs(['status', '-h']), { action: 'help', topic: 'server status' });
  assert.deepEqual(parseEngineArgs(['start', '--help']), { action: 'help', topic: 'engine start' });
  assert.deepEqual(parseEngineArgs(['-h']), { action: 'help', topic: 'engine' });
  assertUsageError(() => parseEngineArgs(['restart', '--help']), /unknown engine command restart/, /bake engine --help/);
});

test("each command's help: its usage line, what it does, and exactly the flags it takes", () => {
  for (const name of Object.keys(COMMANDS) as CommandName[]) {
    if (name === 'bake') continue;
    const help = helpText(name);
    assert.match(help, new RegExp(`^Usage: bake ${name} `), name);
    assert.ok(help.includes(COMMANDS[name].summary), `${name}: says what it does`);
    const listed = (Object.keys(FLAGS) as (keyof typeof FLAGS)[]).filter((f) => help.includes(`${FLAGS[f].spelling}  `));
    assert.deepEqual(listed.sort(), flagsOf(name).sort(), `${name}: its flags`);
  }
  assert.match(helpText('dev'), /^Usage: bake dev \[OPTIONS\] \[SERVICE\.\.\.\]$/m);
  assert.match(helpText('dev'), /^ {2}ls {2,}List the bake dev sessions/m, 'bake dev --help lists its commands');
  assert.match(helpText('engine'), /^Usage: bake engine status\|start\|stop \[OPTIONS\]$/m);
});

test('--format applies where there is output to shape', () => {
  assertUsageError(() => parseEngineArgs(['start', '--format', 'json']), /--format does not apply to bake engine start/);
  assert.deepEqual(parseEngineArgs(['status', '--format', 'json']), { action: 'status', format: 'json' });
});

test('bake --break FILE:LINE: repeatable, alone or with --invoke / --on-error; a value without a line is refused with the fix', () => {
  assert.deepEqual(parseBakeArgs(['--break', 'Dockerfile:12', '--break=api/Dockerfile:3', 'app']).buildDebug, {
    invoke: undefined,
    onError: false,
    breaks: [
      { file: 'Dockerfile', line: 12 },
      { file: 'api/Dockerfile', line: 3 },
    ],
  });
  assert.deepEqual(parseBakeArgs(['--on-error', '--break', 'C:/x/Dockerfile:4']).buildDebug?.breaks, [{ file: 'C:/x/Dockerfile', line: 4 }]);
  assert.equal(parseBakeArgs(['app']).buildDebug, undefined);
  assertUsageError(() => parseBakeArgs(['--break', 'Dockerfile']), /^invalid --break "Dockerfile": it names a Dockerfile and a line$/, /--break Dockerfile:12/);
  assertUsageError(() => parseBakeArgs(['--break', 'Dockerfile:0']), /^invalid --break "Dockerfile:0"/);
});
