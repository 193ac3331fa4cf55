/** The monitor's `ls` table: ls -l's mode strings, sizes lined up on the right, local times, symlink targets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFileTable, modeString } from '../../src/dev/monitor/file-table.js';

const MODES: ReadonlyArray<[number, string]> = [
  [0o040755, 'drwxr-xr-x'],
  [0o100644, '-rw-r--r--'],
  [0o100000, '----------'],
  [0o120777, 'lrwxrwxrwx'],
  [0o104755, '-rwsr-xr-x'],
  [0o102644, '-rw-r-Sr--'],
  [0o041777, 'drwxrwxrwt'],
  [0o041776, 'drwxrwxrwT'],
  [0o020666, 'crw-rw-rw-'],
  [0o060660, 'brw-rw----'],
  [0o010600, 'prw-------'],
  [0o140755, 'srwxr-xr-x'],
  [0o000644, '?rw-r--r--'],
];

for (const [mode, text] of MODES) {
  test(`modeString(0o${mode.toString(8)}) is ${text}`, () => {
    assert.equal(modeString(mode), text);
  });
}

test('formatFileTable: one line an entry, sizes right-aligned, times in the given zone, symlink targets', () => {
  const at = Date.UTC(2026, 11, 6, 21, 30, 59);
  const table = formatFileTable(
    [
      { name: 'bin', mode: 0o040755, size: 4096, modified: at },
      { name: 'data.txt', mode: 0o100644, size: 13, modified: 0 },
      { name: 'sh', mode: 0o120777, size: 12, modified: at, linkTarget: '/bin/busybox' },
      { name: 'unknown', mode: 0o100600, size: 1234567, modified: undefined },
    ],
    () => 90,
  );
  assert.equal(
    table,
    [
      'drwxr-xr-x     4096  2026-12-06 23:00  bin\n',
      '-rw-r--r--       13  1970-01-01 01:30  data.txt\n',
      'lrwxrwxrwx       12  2026-12-06 23:00  sh -> /bin/busybox\n',
      '-rw-------  1234567  -                 unknown\n',
    ].join(''),
  );
});

test('formatFileTable of no entries is empty', () => {
  assert.equal(
    formatFileTable([], () => 0),
    '',
  );
});
