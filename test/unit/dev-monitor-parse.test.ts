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
  ['restart api', { kind: 'restart', service: 'api' }],
  ['stop db', { kind: 'stop-service', service: 'db' }],
  ['start db', { kind: 'start', service: 'db' }],
  ['stop', { kind: 'stop' }],
  ['rebuild', { kind: 'rebuild', targets: [] }],
  ['rebuild api web', { kind: 'rebuild', targets: ['api', 'web'] }],
  ['rollback', { kind: 'rollback', service: undefined }],
  ['rollback api', { kind: 'rollback', service: 'api' }],
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
  ['restart', 'restart needs a service name, e.g. restart api'],
  ['start', 'start needs a service name, e.g. start api'],
  ['stop api db', 'stop takes one service name (e.g. stop api), or none to end the session'],
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
  const commands = ['ps', 'attach', 'exec', 'logs', 'restart|stop|start', 'rebuild', 'rollback', 'sessions', 'switch', 'detach', 'stop', 'help'];
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
    'restart api',
    'stop api',
    'start api',
    'rebuild',
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
