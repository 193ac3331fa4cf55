/**
 * The monitor's command registry: every command defined once with its help
 * and one side, and the client's and the server's dispatch reading it (the
 * words the client sends for a server command are ones the server runs).
 */
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MONITOR_COMMANDS, MONITOR_HELP, type MonitorCommand } from '../../src/dev/monitor/registry.js';
import { parseMonitorLine } from '../../src/dev/monitor/parse.js';
import { runMonitorCommand, type MonitorContext } from '../../src/dev/client/monitor-commands.js';
import { runCommand, type CommandContext } from '../../src/dev/server/commands.js';
import { SessionCommandError, type DevSession } from '../../src/dev/server/session.js';
import type { SessionRegistry } from '../../src/dev/server/registry.js';
import { FileAccessError, type ContainerFiles } from '../../src/dev/process/files.js';
import type { DevClient } from '../../src/dev/client/connection.js';
import type { CommandOut, CommandRequest, ProcessInfo, SessionInfo } from '../../src/dev/protocol/generated/messages.js';

const SERVICES = ['api', 'db', 'dev'];

/** The names in `help`'s first column: `restart|stop|start SERVICE` names three, `detach (also exit)` two. */
function helpNames(): Set<string> {
  return new Set(
    MONITOR_HELP.trimEnd()
      .split('\n')
      .flatMap((line) => [...(line.split(' ')[0] ?? '').split('|'), ...[...line.matchAll(/\(also (\w+)\)/g)].map((m) => m[1] ?? '')]),
  );
}

test('every monitor command has one side, a name, and a help line that names it', () => {
  const named = helpNames();
  for (const c of MONITOR_COMMANDS) {
    assert.ok(c.side === 'client' || c.side === 'server', c.kind);
    assert.ok(c.names.length > 0, c.kind);
    for (const name of c.names) assert.ok(named.has(name), `help names ${name}`);
  }
  assert.equal(new Set(MONITOR_COMMANDS.map((c) => c.kind)).size, MONITOR_COMMANDS.length, 'one definition per kind');
});

test('help is the registry: one line per command with a help line, in its order, and nothing else', () => {
  assert.equal(
    MONITOR_HELP,
    `ps                         processes of this session
attach ID|SERVICE          switch the terminal to that process
exec [SERVICE] CMD...      start CMD (with a terminal) in a service and switch to it
logs SERVICE [-f]          a service's output; -f follows it
ls [PATH]                  list a directory of the attached container (/ by default)
cat PATH                   print a file of the attached container
cp SRC DST                 copy a file between a container (:PATH, or SERVICE:PATH) and the host
restart|stop|start SERVICE restart, stop or start one service
rebuild [TARGET...]        build again and recreate the services whose image changed
watch [on|off]             sync or rebuild services as their files change (the bake file's watch rules); alone: what is watched
rollback [--init] [SERVICE] recreate a service's container from its image (a debug shell's from its build state; --init: before the failed step)
reload                     (debugging) build again with the current sources and open the shell again
continue                   (debugging) from a --break, build on to the next break or the end
failures                   (debugging) which target and step failed, its command, exit code and Dockerfile lines
sessions                   the sessions of this server (* marks this one)
switch SESSION             attach to another session
detach (also exit)         leave the session running and quit
stop                       end the session: stop and remove its containers
help                       this list
`,
  );
  assert.deepEqual([...helpNames()].sort(), [...new Set(MONITOR_COMMANDS.flatMap((c) => c.names))].sort());
});

/** A terminal in session `s1` attached to process 2 of service dev, whose server records each request and answers with `reply`. */
function fakeTerminal(reply: CommandOut[] = []) {
  const requests: string[][] = [];
  const written: string[] = [];
  const attached: string[] = [];
  const finished: string[] = [];
  const session = { id: 's1', engine: 'unix:///e.sock', interactive: 'dev', services: SERVICES.map((name) => ({ name })) } as unknown as SessionInfo;
  const client = {
    command: async (req: CommandRequest, onOut: (o: CommandOut) => void) => {
      requests.push(req.args);
      for (const o of reply) onOut(o);
    },
    list: async () => ({ sessions: [session, { ...session, id: 's2' }] }),
    stop: async (id: string) => void requests.push(['Stop', id]),
  } as unknown as DevClient;
  const ctx: MonitorContext = {
    client,
    output: { write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream,
    session,
    current: { id: '2', service: 'dev' } as ProcessInfo,
    rebuildFlags: ['--set', 'api.args.X=1'],
    size: () => ({ columns: 80, rows: 24 }),
    attach: (ref) => void attached.push(ref),
    enter: (ref) => void attached.push(`enter:${ref}`),
    finish: (line) => void finished.push(line),
    follow: () => void attached.push(`follow:${ctx.session.id}`),
  };
  const run = async (line: string): Promise<void> => {
    const next = await runMonitorCommand(ctx, parseMonitorLine(line, SERVICES) as MonitorCommand, new AbortController().signal);
    next?.([]);
  };
  return { ctx, requests, written, attached, finished, run };
}

test('server commands go to the server as the words it reads; client ones never reach it', async () => {
  const sent: ReadonlyArray<[string, string[]]> = [
    ['ps', ['ps']],
    ['sessions', ['sessions']],
    ['exec sh -c x', ['exec', 'dev', 'sh', '-c', 'x']],
    ['exec api ls', ['exec', 'api', 'ls']],
    ['logs api -f', ['logs', 'api', '-f']],
    ['ls', ['ls', '/']],
    ['ls etc', ['ls', '/etc']],
    ['cat etc/hostname', ['cat', '/etc/hostname']],
    // Host paths go absolute, resolved where the client runs: the server's working directory is its own.
    ['cp :etc/hostname out', ['cp', ':/etc/hostname', join(process.cwd(), 'out')]],
    ['cp ../app.conf api:/etc', ['cp', resolve(process.cwd(), '../app.conf'), 'api:/etc']],
    ['restart api', ['restart', 'api']],
    ['stop api', ['stop', 'api']],
    ['start api', ['start', 'api']],
    ['rollback', ['rollback', 'dev']],
    ['rebuild web', ['rebuild', '--set', 'api.args.X=1', '--', 'web']],
    ['stop', ['Stop', 's1']],
    ['help', []],
    ['attach db', []],
    ['switch s2', []],
    ['detach', []],
  ];
  for (const [line, words] of sent) {
    const t = fakeTerminal();
    await t.run(line);
    assert.deepEqual(t.requests, words.length ? [words] : [], line);
  }
  // Every server command's name on the wire is one its definition answers to.
  const serverNames = MONITOR_COMMANDS.filter((c) => c.side === 'server').flatMap((c) => c.names);
  for (const [, words] of sent)
    if (words.length && words[0] !== 'Stop')
      assert.ok(
        serverNames.some((n) => n === words[0]),
        words[0],
      );
});

test('what the client does around a command: exec attaches to the process the server names, switch enters the session, help prints the list', async () => {
  const exec = fakeTerminal([{ msg: { $case: 'attach', value: '7' } }]);
  await exec.run('exec sh');
  assert.deepEqual(exec.attached, ['7']);

  const sw = fakeTerminal();
  await sw.run('switch s2');
  assert.equal(sw.ctx.session.id, 's2');
  assert.equal(sw.ctx.current, undefined);
  // The terminal follows the new session (its end and engine are told) before it enters it.
  assert.deepEqual(sw.attached, ['follow:s2', 'enter:']);
  await assert.rejects(sw.run('switch nope'), { message: 'no session nope; sessions lists them' });

  const help = fakeTerminal();
  await help.run('help');
  assert.deepEqual(help.written, [`${MONITOR_HELP.replaceAll('\n', '\r\n')}\r\n`]);

  const detach = fakeTerminal();
  await detach.run('exit');
  assert.deepEqual(detach.finished, ['bake: detached from session s1; it keeps running. Come back with: bake dev attach s1']);

  const logs = fakeTerminal([{ msg: { $case: 'data', value: Buffer.from('out') } }]);
  await logs.run('logs api');
  assert.deepEqual(logs.written.map(String), ['out', '\r\n']);

  // A file's LF line ends become CR LF on the terminal, which the monitor keeps raw.
  const cat = fakeTerminal([{ msg: { $case: 'data', value: Buffer.from('a\nb\r\n') } }]);
  await cat.run('cat /f');
  assert.deepEqual(cat.written.map(String), ['a\r\nb\r\n', '\r\n']);
});

test('the server refuses a name it has no command for, prototype names too', async () => {
  for (const name of ['frobnicate', 'constructor', 'toString', 'help', 'attach']) {
    await assert.rejects(
      runCommand({ args: [name], attached: '' } as unknown as CommandContext),
      (e: unknown) => e instanceof SessionCommandError && e.message === `the server has no monitor command "${name}"`,
    );
  }
});

/** A server context on a session whose processes all read `files`; the commands' output, as text. */
function fakeServer(files: ContainerFiles, attached: string) {
  const out: string[] = [];
  const asked: string[] = [];
  const session = {
    interactive: 'dev',
    filesOf: async (ref: string) => {
      asked.push(ref);
      return files;
    },
  } as unknown as DevSession;
  const run = (args: string[]): Promise<void> =>
    runCommand({
      session,
      registry: undefined as unknown as SessionRegistry,
      args,
      attached,
      write: ({ msg }) => void out.push(msg?.$case === 'text' ? msg.value : msg?.$case === 'data' ? `data:${Buffer.from(msg.value).toString()}` : ''),
      signal: new AbortController().signal,
    });
  return { out, asked, run };
}

/** Files in memory: / holds etc/ (with hostname) and a symlink. */
const MEMORY_FILES: ContainerFiles = {
  what: 'container s1-dev',
  stat: async (path) => {
    const found = { '/': { name: '/', mode: 0o040755 }, '/etc': { name: 'etc', mode: 0o040755 }, '/etc/hostname': { name: 'hostname', mode: 0o100644 } }[path];
    if (!found) throw new FileAccessError(`container s1-dev has no ${path}`);
    return { ...found, size: 4, modified: 0 };
  },
  list: async (path) =>
    path === '/etc'
      ? [{ name: 'hostname', mode: 0o100644, size: 4, modified: 0 }]
      : [
          { name: 'etc', mode: 0o040755, size: 4096, modified: 0 },
          { name: 'sh', mode: 0o120777, size: 7, modified: 0, linkTarget: 'busybox' },
        ],
  read: async (path) => Buffer.from(path === '/etc/hostname' ? 'box\n' : ''),
  write: async () => assert.fail('not written here'),
};

test("ls and cat on the server read the attached process's files: a table for a directory, one row for a file, a file as data", async () => {
  const server = fakeServer(MEMORY_FILES, '2');
  await server.run(['ls', '/']);
  await server.run(['ls', '/etc/hostname']);
  await server.run(['cat', '/etc/hostname']);
  assert.deepEqual(server.asked, ['2', '2', '2']);
  const offset = (ms: number): string => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16).replace('T', ' ');
  assert.deepEqual(server.out, [
    `drwxr-xr-x  4096  ${offset(0)}  etc\nlrwxrwxrwx     7  ${offset(0)}  sh -> busybox\n`,
    `-rw-r--r--  4  ${offset(0)}  hostname\n`,
    'data:box\n',
  ]);
  await assert.rejects(server.run(['ls', '/nope']), { message: 'container s1-dev has no /nope' });
  // Without an attached process, the session's interactive service.
  const unattached = fakeServer(MEMORY_FILES, '');
  await unattached.run(['cat', 'etc/hostname']);
  assert.deepEqual(unattached.asked, ['dev']);
});
