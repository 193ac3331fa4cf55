/** The monitor's `ps` table and `bake dev ls`, character for character. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCommand, formatProcessTable, formatSessionTable, formatUptime, type ProcessRow, type SessionRow } from '../../src/dev/monitor/tables.js';

const NOW = 1_700_000_000_000;

test('formatUptime uses the two largest units', () => {
  const cases: ReadonlyArray<[number, string]> = [
    [0, '0s'],
    [-5000, '0s'],
    [999, '0s'],
    [5_000, '5s'],
    [59_999, '59s'],
    [60_000, '1m0s'],
    [192_000, '3m12s'],
    [3_599_000, '59m59s'],
    [3_600_000, '1h0m'],
    [(2 * 3600 + 5 * 60 + 30) * 1000, '2h5m'],
    [(26 * 3600 + 59 * 60) * 1000, '1d2h'],
    [(30 * 86400 + 3600) * 1000, '30d1h'],
  ];
  for (const [ms, text] of cases) assert.equal(formatUptime(ms), text, String(ms));
});

test('formatCommand quotes the words a shell would split', () => {
  assert.equal(formatCommand(['/bin/sh']), '/bin/sh');
  assert.equal(formatCommand(['sh', '-c', 'echo hi; ls']), `sh -c 'echo hi; ls'`);
  assert.equal(formatCommand(['echo', "it's"]), `echo 'it'\\''s'`);
  assert.equal(formatCommand(['node', '--port=3000', 'a,b', 'user@host:~/x']), `node --port=3000 a,b 'user@host:~/x'`);
  assert.equal(formatCommand(['echo', '']), `echo ''`);
  assert.equal(formatCommand([]), '');
});

test('formatProcessTable: running, exited and lost processes', () => {
  const rows: ProcessRow[] = [
    { id: 'dev', service: 'dev', command: ['/bin/sh'], state: 'running', startedAt: NOW - 192_000, attachedBy: 'pid 1234' },
    { id: 'api', service: 'api', command: ['node', 'server.js'], state: 'running', startedAt: NOW - 5_000 },
    { id: '1', service: 'api', command: ['sh', '-c', 'npm test'], state: 'exited', exitCode: 3, startedAt: NOW - 10_000 },
    { id: 'db', service: 'db', command: ['postgres'], state: 'lost', startedAt: NOW - 7_500_000 },
    { id: '2', service: 'db', command: ['psql'], state: 'exited', startedAt: NOW },
  ];
  assert.equal(
    formatProcessTable(rows, NOW),
    [
      'ID\tSERVICE\tCOMMAND\t\t\tSTATE\t\tUPTIME\tATTACHED',
      'dev\tdev\t/bin/sh\t\t\trunning\t\t3m12s\tpid 1234',
      'api\tapi\tnode server.js\t\trunning\t\t5s\t-',
      "1\tapi\tsh -c 'npm test'\texited (3)\t-\t-",
      'db\tdb\tpostgres\t\tlost\t\t-\t-',
      '2\tdb\tpsql\t\t\texited\t\t-\t-',
      '',
    ].join('\n'),
  );
});

test('formatProcessTable cuts long commands so the columns after them stay in view', () => {
  const long = ['sh', '-c', 'x'.repeat(100)];
  const table = formatProcessTable([{ id: '1', service: 'api', command: long, state: 'running', startedAt: NOW }], NOW);
  const command = table.split('\n')[1]?.split('\t').filter(Boolean)[2] ?? '';
  assert.equal([...command].length, 40);
  assert.ok(command.endsWith('…'));
  assert.ok(command.startsWith('sh -c xxx'));
});

test('formatProcessTable with no processes is the header', () => {
  assert.equal(formatProcessTable([], NOW), 'ID\tSERVICE\tCOMMAND\tSTATE\tUPTIME\tATTACHED\n');
});

test('formatSessionTable: services with their states, processes counted, clients', () => {
  const rows: SessionRow[] = [
    {
      id: 'shop-1a2b3c',
      files: ['/home/u/shop/docker-bake.hcl'],
      engine: 'unix:///var/run/docker.sock',
      services: [
        { name: 'api', state: 'running', container: 'bake-shop-1a2b3c-api' },
        { name: 'db', state: 'exited', container: 'bake-shop-1a2b3c-db' },
      ],
      processes: [
        { id: 'api', service: 'api', command: ['node'], state: 'running' },
        { id: 'db', service: 'db', command: ['postgres'], state: 'exited' },
        { id: '1', service: 'api', command: ['sh'], state: 'lost' },
      ],
      clients: 1,
    },
    {
      id: 'blog-ffee00',
      files: ['/srv/blog/compose.yaml', '/srv/blog/docker-bake.override.hcl'],
      engine: 'tcp://10.0.0.2:2375',
      services: [],
      processes: [],
      clients: 0,
    },
  ];
  assert.equal(
    formatSessionTable(rows),
    [
      'SESSION\t\tFILES\t\t\t\t\t\t\t\tENGINE\t\t\t\tSERVICES\t\t\tPROCESSES\t\tCLIENTS',
      'shop-1a2b3c\t/home/u/shop/docker-bake.hcl\t\t\t\t\tunix:///var/run/docker.sock\tapi (running), db (exited)\t3 (1 exited, 1 lost)\t1',
      'blog-ffee00\t/srv/blog/compose.yaml,/srv/blog/docker-bake.override.hcl\ttcp://10.0.0.2:2375\t\t-\t\t\t\t0\t\t\t0',
      '',
    ].join('\n'),
  );
});

test('formatSessionTable with no sessions is the header', () => {
  assert.equal(formatSessionTable([]), 'SESSION\tFILES\tENGINE\tSERVICES\tPROCESSES\tCLIENTS\n');
});
