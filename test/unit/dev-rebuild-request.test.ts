/** The words a client sends with `rebuild` (its build flags, then the targets), as the server reads them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRebuild } from '../../src/dev/server/rebuild.js';
import { SessionCommandError } from '../../src/dev/server/session.js';

test("the client's build flags come first, the targets after --", () => {
  const request = parseRebuild([
    '--set',
    '*.no-cache=true',
    '--set',
    'app.args.X=1',
    '--var',
    'TAG=a=b',
    '--builder',
    'tcp://b:1234',
    '--max-parallelism',
    '2',
    '--keep-going',
    '--',
    'app',
    'worker',
  ]);
  assert.deepEqual(request.targets, ['app', 'worker']);
  assert.deepEqual(request.sets, ['*.no-cache=true', 'app.args.X=1']);
  assert.deepEqual([...request.vars], [['TAG', 'a=b']]);
  assert.deepEqual(request.build, { builder: 'tcp://b:1234', maxParallelism: 2, keepGoing: true });
});

test('no flags and no targets: every target, built as the bake files say', () => {
  assert.deepEqual(parseRebuild(['--']), {
    targets: [],
    sets: [],
    vars: new Map(),
    build: { builder: undefined, maxParallelism: undefined, keepGoing: false },
  });
});

test('a flag the server does not take, a --var without =, or a bad --max-parallelism is one sentence, not a crash', () => {
  assert.throws(
    () => parseRebuild(['--push']),
    (e: unknown) => e instanceof SessionCommandError && /^rebuild takes target names/.test(e.message),
  );
  assert.throws(() => parseRebuild(['--var', 'TAG']), /rebuild got --var TAG, which is not NAME=VALUE/);
  assert.throws(() => parseRebuild(['--max-parallelism', '0']), /rebuild got --max-parallelism 0, which is not a whole number of 1 or more/);
});
