/** The monitor's command line: word splitting, every command, and the one-sentence usage errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMonitorLine, splitWords } from '../../src/dev/monitor/parse.js';
import { MONITOR_HELP } from '../../src/dev/monitor/registry.js';
import { MonitorUsageError } from '../../src/dev/monitor/usage-error.js';

const SERVICES = ['api', 'db', 'dev'];

const WORDS: ReadonlyArray<[string, string[]]> = [
  ['', []],
  ['   \t ', []],
  ['ps', ['ps']],
  ['  exec   api  ls  ', ['exec', 'api', 'ls']],
  [`sh -c 'echo $HOME; ls'`, ['sh', '-c', 'echo $HOME; ls']],
  [`echo "a b" c`, ['echo', 'a b', 'c']],
  [`echo "say \\"hi\\" \\\\ \\$x \\n"`, ['echo', 'say "hi" \\ $x \\n']],
  [`echo a\\ b`, ['echo', 'a b']],
  [`echo \\'`, ['echo', "'"]],
  [`echo '' ""`, ['echo', '', '']],
  [`echo ab'c d'"e"f`, ['echo', 'abc def']],
  [`echo 'it'\\''s'`, ['echo', "it's"]],
  ['echo trailing\\', ['echo', 'trailing\\']],
  ['echo héllo ✓', ['echo', 'héllo', '✓']],
];

for (const [line, words] of WORDS) {
  test(`splitWords(${JSON.stringify(line)})`, () => {
    assert.deepEqual(splitWords(line), words);
  });
}

test('splitWords: an unclosed quote is a usage error', () => {
  assert.throws(() => splitWords(`echo 'abc`), new MonitorUsageError("the line has a ' without its closing '"));
  assert.throws(() => splitWords(`echo "abc`), new MonitorUsageError('the line has a " without its closing "'));
  assert.throws(() => splitWords(`echo "abc\\"`), MonitorUsageError);
});

const COMMANDS: ReadonlyArray<[string, unknown]> = [
  ['', { kind: 'empty' }],
  ['  ', { kind: 'empty' }],
  ['ps', { kind: 'ps' }],
  ['attach dev', { kind: 'attach', target: 'dev' }],
  ['attach 2', { kind: 'attach', target: '2' }],
  ['exec api sh', { kind: 'exec', service: 'api', command: ['sh'] }],
  ['exec api sh -c "ls -l /"', { kind: 'exec', service: 'api', command: ['sh', '-c', 'ls -l /'] }],
  ['exec ls -l', { kind: 'exec', service: undefined, command: ['ls', '-l'] }],
  ['exec top', { kind: 'exec', service: undefined, command: ['top'] }],
  ['exec -- db --help', { kind: 'exec', service: undefined, command: ['db', '--help'] }],
  ['exec db -- x', { kind: 'exec', service: 'db', command: ['--', 'x'] }],
  ['logs api', { kind: 'logs', service: 'api', follow: false }],
  ['logs api -f', { kind: 'logs', service: 'api', follow: true }],
  ['logs --follow api', { kind: 'logs', service: 'api', follow: true }],
  ['ls', { kind: 'ls', path: '/' }],
  ['ls etc', { kind: 'ls', path: '/etc' }],
  ['ls /etc/../usr//bin/', { kind: 'ls', path: '/usr/bin' }],
  ['ls ./-x', { kind: 'ls', path: '/-x' }],
  ['cat etc/hostname', { kind: 'cat', path: '/etc/hostname' }],
  ['cat "/my file"', { kind: 'cat', path: '/my file' }],
  [
    'cp :/etc/hostname ./hostname',
    { kind: 'cp', from: { in: 'container', service: undefined, path: '/etc/hostname' }, to: { in: 'host', path: './hostname' } },
  ],
  ['cp api:etc/app.conf /tmp', { kind: 'cp', from: { in: 'container', service: 'api', path: '/etc/app.conf' }, to: { in: 'host', path: '/tmp' } }],
  ['cp app.conf db:', { kind: 'cp', from: { in: 'host', path: 'app.conf' }, to: { in: 'container', service: 'db', path: '/' } }],
  // As docker cp: an absolute path, or a `.`-led one, is the host's even with a colon.
  ['cp /a:b :/x', { kind: 'cp', from: { in: 'host', path: '/a:b' }, to: { in: 'container', service: undefined, path: '/x' } }],
  ['cp ./a:b 2:/tmp/', { kind: 'cp', from: { in: 'host', path: './a:b' }, to: { in: 'container', service: '2', path: '/tmp' } }],
  ['restart api', { kind: 'restart', service: 'api' }],
  ['stop db', { kind: 'stop-service', service: 'db' }],
  ['start db', { kind: 'start', service: 'db' }],
  ['stop', { kind: 'stop' }],
  ['rebuild', { kind: 'rebuild', targets: [] }],
  ['rebuild api web', { kind: 'rebuild', targets: ['api', 'web'] }],
  ['watch', { kind: 'watch', state: undefined }],
  ['watch on', { kind: 'watch', state: 'on' }],
  ['watch off', { kind: 'watch', state: 'off' }],
  ['rollback', { kind: 'rollback', init: false, service: undefined }],
  ['rollback api', { kind: 'rollback', init: false, service: 'api' }],
  ['sessions', { kind: 'sessions' }],
  ['switch shop-1a2b3c', { kind: 'switch', session: 'shop-1a2b3c' }],
  ['detach', { kind: 'detach' }],
  ['exit', { kind: 'detach' }],
  ['help', { kind: 'help' }],
  ['  ps  ', { kind: 'ps' }],
];

for (const [line, command] of COMMANDS) {
  test(`parseMonitorLine(${JSON.stringify(line)})`, () => {
    assert.deepEqual(parseMonitorLine(line, SERVICES), command);
  });
}

const USAGE: ReadonlyArray<[string, string]> = [
  ['attach', 'attach needs a process id or a service name, e.g. attach dev'],
  ['attach a b', 'attach needs a process id or a service name, e.g. attach dev'],
  ['exec', 'exec needs a command, e.g. exec sh, or exec api sh to run it in api'],
  ['exec api', 'exec needs a command to run in api, e.g. exec api sh'],
  ['exec --', 'exec needs a command after --, e.g. exec -- sh'],
  ['logs', 'logs needs a service name, e.g. logs api or logs api -f'],
  ['logs api db', 'logs needs a service name, e.g. logs api or logs api -f'],
  ['logs api --tail', 'logs has no option --tail; it takes -f (--follow) to follow the output'],
  ['ls / /etc', 'ls takes one path and no options, e.g. ls /etc'],
  ['ls -l', 'ls takes one path and no options, e.g. ls /etc'],
  ['cat', 'cat needs one file path, e.g. cat /etc/hostname'],
  ['cat a b', 'cat needs one file path, e.g. cat /etc/hostname'],
  ['cp', 'cp needs a source and a destination, e.g. cp :/etc/hostname ./hostname or cp ./app.conf api:/etc/app.conf'],
  ['cp :/a', 'cp needs a source and a destination, e.g. cp :/etc/hostname ./hostname or cp ./app.conf api:/etc/app.conf'],
  ['cp :/a ./b ./c', 'cp needs a source and a destination, e.g. cp :/etc/hostname ./hostname or cp ./app.conf api:/etc/app.conf'],
  ['cp a b', 'cp copies between a container and the host: write exactly one path as :PATH or SERVICE:PATH, e.g. cp :/etc/hostname ./hostname'],
  ['cp :/a api:/b', 'cp copies between a container and the host: write exactly one path as :PATH or SERVICE:PATH, e.g. cp :/etc/hostname ./hostname'],
  ['restart', 'restart needs a service name, e.g. restart api'],
  ['start', 'start needs a service name, e.g. start api'],
  ['stop api db', 'stop takes one service name (e.g. stop api), or none to end the session'],
  ['watch yes', 'watch takes on or off (or nothing, to say what is watched), e.g. watch on'],
  ['rollback api db', 'rollback takes one service name at most, e.g. rollback api'],
  ['switch', 'switch needs a session id, e.g. switch shop-1a2b3c (sessions lists them)'],
  ['ps -a', 'ps takes no arguments'],
  ['sessions x', 'sessions takes no arguments'],
  ['detach now', 'detach takes no arguments'],
  ['exit 1', 'exit takes no arguments'],
  ['help ps', 'help takes no arguments'],
  ['foo', 'unknown command "foo"; type help for the list'],
  ['atach dev', 'unknown command "atach" (did you mean attach?); type help for the list'],
  ['PS', 'unknown command "PS" (did you mean ps?); type help for the list'],
  ["exec 'sh", "the line has a ' without its closing '"],
];

for (const [line, message] of USAGE) {
  test(`parseMonitorLine(${JSON.stringify(line)}) is a usage error`, () => {
    assert.throws(
      () => parseMonitorLine(line, SERVICES),
      (e: unknown) => e instanceof MonitorUsageError && e.message === message,
    );
  });
}

test('MONITOR_HELP has one line for each command', () => {
  const lines = MONITOR_HELP.trimEnd().split('\n');
  const commands = [
    'ps',
    'attach',
    'exec',
    'logs',
    'ls',
    'cat',
    'cp',
    'restart|stop|start',
    'rebuild',
    'watch',
    'rollback',
    'reload',
    'continue',
    'failures',
    'sessions',
    'switch',
    'detach',
    'stop',
    'help',
  ];
  assert.deepEqual(
    lines.map((l) => l.split(' ')[0]),
    commands,
  );
  // Every command it lists parses.
  for (const c of [
    'ps',
    'attach dev',
    'exec sh',
    'logs api',
    'ls',
    'cat /etc/hostname',
    'cp :/etc/hostname .',
    'restart api',
    'stop api',
    'start api',
    'rebuild',
    'watch on',
    'rollback',
    'sessions',
    'switch s',
    'detach',
    'exit',
    'stop',
    'help',
  ]) {
    assert.doesNotThrow(() => parseMonitorLine(c, SERVICES), c);
  }
});
