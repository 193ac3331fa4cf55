import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runAgainHint } from '../../src/dev/monitor/run-again.js';

test('runAgainHint names the way back by kind: start for a service (in a container or on the host), rollback for a build shell, exec for the rest', () => {
  assert.equal(runAgainHint({ kind: 'service', service: 'dev' }), 'start dev runs it again');
  assert.equal(runAgainHint({ kind: 'host', service: 'watcher' }), 'start watcher runs it again');
  assert.equal(runAgainHint({ kind: 'build', service: 'app' }), 'rollback opens a fresh shell on the held build');
  assert.equal(runAgainHint({ kind: 'exec', service: 'dev' }), 'exec dev CMD runs a new process there');
});
