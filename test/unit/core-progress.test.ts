import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isWorkStep } from '../../src/core/progress.js';

test('work steps: numbered Dockerfile steps, in named stages too; never FROM, internal steps or exports', () => {
  for (const name of ['[2/3] RUN make', '[app 2/3] COPY server.sh /app/server.sh', '[test 1/1] RUN echo "$X"', '[build-stage.v2 3/4] ADD x /x'])
    assert.ok(isWorkStep(name), name);
  for (const name of [
    '[1/3] FROM docker.io/library/busybox',
    '[app 1/3] FROM docker.io/bake-internal/base:abc',
    '[internal] load build context',
    'exporting to image',
    '[bake] up to date: no input changed since its last build',
  ]) {
    assert.ok(!isWorkStep(name), name);
  }
});
