/** The monitor's `ps` table and `bake dev ls`, character for character. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayWidth } from '../../src/golang/tabwriter.js';
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
      'ID        SERVICE   COMMAND            STATE        UPTIME    ATTACHED',
      'dev       dev       /bin/sh            running      3m12s     pid 1234',
      'api       api       node server.js     running      5s        -',
      "1         api       sh -c 'npm test'   exited (3)   -         -",
      'db        db        postgres           lost         -         -',
      '2         db        psql               exited       -         -',
      '',
    ].join('\n'),
  );
});

test('formatProcessTable cuts long commands so the columns after them stay in view', () => {
  const long = ['sh', '-c', 'x'.repeat(100)];
  const table = formatProcessTable([{ id: '1', service: 'api', command: long, state: 'running', startedAt: NOW }], NOW);
  const command = table.split('\n')[1]?.split(/ {3,}/)[2] ?? '';
  assert.equal([...command].length, 40);
  assert.ok(command.endsWith('…'));
  assert.ok(command.startsWith('sh -c xxx'));
});

test('formatProcessTable with no processes is the header', () => {
  assert.equal(formatProcessTable([], NOW), 'ID        SERVICE   COMMAND   STATE     UPTIME    ATTACHED\n');
});

test('formatSessionTable: services with their states, processes counted, clients', () => {
  const rows: SessionRow[] = [
    {
      id: 'shop-1a2b3c',
      files: ['/home/u/shop/docker-bake.hcl'],
      engine: 'unix:///var/run/docker.sock',
      kind: 'dev',
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
      kind: 'dev',
      services: [],
      processes: [],
      clients: 0,
    },
  ];
  assert.equal(
    formatSessionTable(rows),
    [
      'SESSION       FILES                                                       ENGINE                        SERVICES                     PROCESSES              CLIENTS',
      'shop-1a2b3c   /home/u/shop/docker-bake.hcl                                unix:///var/run/docker.sock   api (running), db (exited)   3 (1 exited, 1 lost)   1',
      'blog-ffee00   /srv/blog/compose.yaml,/srv/blog/docker-bake.override.hcl   tcp://10.0.0.2:2375           -                            0                      0',
      '',
    ].join('\n'),
  );
});

test('formatSessionTable with no sessions is the header', () => {
  assert.equal(formatSessionTable([]), 'SESSION   FILES     ENGINE    SERVICES   PROCESSES   CLIENTS\n');
});

/** The terminal column each cell of each line starts at, for cells separated by three spaces or more. */
function cellStarts(table: string): number[][] {
  return table
    .trimEnd()
    .split('\n')
    .map((line) => [...line.matchAll(/(?:^|(?<= {3}))(?! )/g)].map((m) => displayWidth(line.slice(0, m.index))));
}

test('the tables line up in any viewer: no tabs, and wide characters count two columns', () => {
  const sessions = formatSessionTable([
    {
      id: 'café-1a2b3c',
      files: ['/home/u/café/docker-bake.hcl'],
      engine: 'unix:///var/run/docker.sock',
      kind: 'dev',
      services: [{ name: 'web', state: 'running' }],
      processes: [],
      clients: 0,
    },
    {
      id: '商店-ffee00',
      files: ['/home/u/商店/docker-bake.hcl'],
      engine: 'unix:///var/run/docker.sock',
      kind: 'dev',
      services: [{ name: '网站', state: 'running' }],
      processes: [],
      clients: 1,
    },
  ]);
  const processes = formatProcessTable(
    [
      { id: 'web', service: 'web', command: ['echo', '日本語のテキスト'], state: 'running', startedAt: NOW },
      { id: '1', service: 'web', command: ['sh'], state: 'running', startedAt: NOW, attachedBy: 'pid 1' },
    ],
    NOW,
  );
  for (const table of [sessions, processes]) {
    assert.doesNotMatch(table, /\t/, "spaces, not tabs: a viewer's tab stops do not move the columns");
    const [header, ...rows] = cellStarts(table);
    for (const row of rows) assert.deepEqual(row, header, table);
  }
});

test('formatSessionTable: a debug session says which targets it debugs, where a dev session lists services', () => {
  const table = formatSessionTable([
    {
      id: 'shop-1a2b3c-debug',
      files: ['/home/u/shop/docker-bake.hcl'],
      engine: 'unix:///var/run/docker.sock',
      kind: 'debug',
      services: [],
      processes: [
        { id: 'api', service: 'api', command: ['/bin/sh'], state: 'running' },
        { id: '1', service: 'api', command: ['ls'], state: 'exited' },
        { id: 'web', service: 'web', command: ['/bin/sh'], state: 'running' },
      ],
      clients: 0,
    },
  ]);
  assert.match(table, /^shop-1a2b3c-debug +\/home\/u\/shop\/docker-bake\.hcl +unix:\/\/\/var\/run\/docker\.sock +debugging api, web +3 \(1 exited\) +0$/m);
});
