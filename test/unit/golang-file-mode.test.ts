/** Go's os.FileMode (Docker's path stat, fsutil's Stat) as Unix mode bits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unixModeOfGo } from '../../src/golang/file-mode.js';

const CASES: ReadonlyArray<[string, number, number]> = [
  ['a regular file', 0o644, 0o100644],
  ['a directory (ModeDir)', 2 ** 31 + 0o755, 0o040755],
  ['a symlink (ModeSymlink)', 2 ** 27 + 0o777, 0o120777],
  ['a block device (ModeDevice)', 2 ** 26 + 0o660, 0o060660],
  ['a character device (ModeDevice|ModeCharDevice)', 2 ** 26 + 2 ** 21 + 0o666, 0o020666],
  ['a named pipe', 2 ** 25 + 0o600, 0o010600],
  ['a socket', 2 ** 24 + 0o755, 0o140755],
  ['setuid and setgid', 2 ** 23 + 2 ** 22 + 0o755, 0o106755],
  ['/tmp: a sticky directory', 2 ** 31 + 2 ** 20 + 0o777, 0o041777],
];

for (const [what, go, unix] of CASES) {
  test(`unixModeOfGo: ${what}`, () => {
    assert.equal(unixModeOfGo(go).toString(8), unix.toString(8));
  });
}
