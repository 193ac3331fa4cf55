import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeDropped, droppedPaths } from '../../src/dev/runtime/dropped-files.js';

test("droppedPaths: what the user made, changed or deleted; a directory changed only through its children, the engine's init and the kept history are left out", () => {
  const changes = [
    { Path: '/tmp', Kind: 0 },
    { Path: '/tmp/.bake_history', Kind: 1 },
    { Path: '/tmp/made-here', Kind: 1 },
    { Path: '/etc', Kind: 0 },
    { Path: '/etc/motd', Kind: 0 },
    { Path: '/etc/issue', Kind: 2 },
    { Path: '/root', Kind: 0 },
    // The engine's init, mounted for init: true: not the user's.
    { Path: '/sbin', Kind: 0 },
    { Path: '/sbin/docker-init', Kind: 1 },
  ] as const;
  // /root changed with nothing listed under it: its own metadata changed (a chmod), which the user did.
  assert.deepEqual(droppedPaths(changes, ['/tmp/.bake_history']), ['/tmp/made-here', '/etc/motd', '/etc/issue', '/root']);
  assert.deepEqual(droppedPaths([], []), []);
});

test('describeDropped: one file or several, the first five named and the rest counted', () => {
  assert.equal(
    describeDropped(['/tmp/a']),
    'its container is replaced: 1 file made or changed inside it is dropped (/tmp/a); keep work in a volume or a bind mount, or cp it out first',
  );
  assert.match(
    describeDropped(['/1', '/2', '/3', '/4', '/5', '/6', '/7']),
    /: 7 files made or changed inside it are dropped \(\/1, \/2, \/3, \/4, \/5 and 2 more\);/,
  );
});
