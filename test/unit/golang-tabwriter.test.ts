/** Go's text/tabwriter: column blocks, tab and space padding, and widths as a terminal shows them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILDX_LIST, DOCKER_TABLE, displayWidth, tabwrite } from '../../src/golang/tabwriter.js';

test("a column is a block of consecutive rows that have a cell in it (Go's example)", () => {
  const rows = [
    ['aaaa', 'bbb', 'd'],
    ['aa', 'b', 'dd'],
    ['a', ''],
    ['aa', 'cccc', 'eee'],
  ];
  const spaces = { ...DOCKER_TABLE, minWidth: 0, padding: 1 };
  assert.equal(tabwrite(rows, spaces), ['aaaa bbb d', 'aa   b   dd', 'a    ', 'aa   cccc eee', ''].join('\n'));
});

test('buildx --list: tabs, cells rounded up to whole tabs of 8', () => {
  assert.equal(
    tabwrite(
      [
        ['TARGET', 'DESCRIPTION'],
        ['api-test-node20', ''],
        ['api', 'The API'],
      ],
      BUILDX_LIST,
    ),
    'TARGET\t\tDESCRIPTION\napi-test-node20\t\napi\t\tThe API\n',
  );
  assert.equal(tabwrite([['TARGET', 'DESCRIPTION']]), 'TARGET\tDESCRIPTION\n', 'BUILDX_LIST is the default');
});

test('docker tables: spaces, at least 10 columns, 3 between columns, the last cell unpadded', () => {
  assert.equal(
    tabwrite(
      [
        ['ID', 'STATE'],
        ['db', 'running'],
      ],
      DOCKER_TABLE,
    ),
    'ID        STATE\ndb        running\n',
  );
  assert.equal(
    tabwrite(
      [
        ['SESSION', 'CLIENTS'],
        ['shop-1a2b3c', '0'],
      ],
      DOCKER_TABLE,
    ),
    'SESSION       CLIENTS\nshop-1a2b3c   0\n',
  );
});

test('docker tables line up wide characters: they take two columns', () => {
  const table = tabwrite(
    [
      ['SESSION', 'ENGINE'],
      ['日本-1a2b3c', 'unix:///x'],
      ['shop-1a2b3c', 'tcp://h:2375'],
    ],
    DOCKER_TABLE,
  );
  const starts = table
    .trimEnd()
    .split('\n')
    .map((line) => displayWidth(line.slice(0, line.search(/(unix|tcp):|ENGINE/))));
  assert.deepEqual(starts, [14, 14, 14], table);
});

test('displayWidth counts columns, not code points', () => {
  assert.equal(displayWidth('abc'), 3);
  assert.equal(displayWidth('日本'), 4);
  assert.equal(displayWidth('e\u0301'), 1, 'a combining accent takes no column');
  assert.equal(displayWidth('😀'), 2);
  assert.equal(displayWidth('…'), 1);
});
