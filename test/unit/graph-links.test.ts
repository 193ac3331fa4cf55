/** target: edges on a Docker builder: the internal tag of a dependency and the Dockerfile rewrite of its references. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { internalTag, rewriteDockerfile } from '../../src/graph/links.js';

const ID = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

test('the internal tag: bake-internal/<target>:<12 hex of the image ID>, target names made valid repository names', () => {
  assert.deepEqual(internalTag('base', ID), { repo: 'bake-internal/base', tag: '0123456789ab', ref: 'bake-internal/base:0123456789ab' });
  assert.equal(internalTag('My_App+x', ID).ref, 'bake-internal/my_app-x:0123456789ab');
  assert.equal(internalTag('-x', '0123456789abcdef').ref, 'bake-internal/x:0123456789ab');
  assert.equal(internalTag('+', ID).repo, 'bake-internal/target');
  assert.throws(() => internalTag('base', 'not-an-id'), /not an image ID/);
});

const refs = new Map([
  ['base', 'bake-internal/base:aaa'],
  ['tools', 'bake-internal/tools:bbb'],
  ['docker.io/library/alpine:3', 'bake-internal/alp:ccc'],
]);

const table: ReadonlyArray<[string, string, string]> = [
  ['FROM with a matching key', 'FROM base\n', 'FROM bake-internal/base:aaa\n'],
  ['FROM … AS, lower-case keyword', 'from base as build\n', 'from bake-internal/base:aaa as build\n'],
  ['FROM --platform=', 'FROM --platform=$BUILDPLATFORM tools AS t\n', 'FROM --platform=$BUILDPLATFORM bake-internal/tools:bbb AS t\n'],
  ['a full reference as the key', 'FROM docker.io/library/alpine:3\n', 'FROM bake-internal/alp:ccc\n'],
  ['an unrelated image stays', 'FROM busybox\nFROM base2\nFROM base:1\n', 'FROM busybox\nFROM base2\nFROM base:1\n'],
  ['a stage named like a key, used later, stays the stage', 'FROM tools AS base\nFROM base\nCOPY --from=base /a /a\n', 'FROM bake-internal/tools:bbb AS base\nFROM base\nCOPY --from=base /a /a\n'],
  ['stage names compare case-insensitively', 'FROM busybox AS Base\nFROM base\n', 'FROM busybox AS Base\nFROM base\n'],
  ['a stage defined later does not shadow an earlier FROM', 'FROM base\nFROM busybox AS base\n', 'FROM bake-internal/base:aaa\nFROM busybox AS base\n'],
  ['COPY --from and ADD --from, other flags kept', 'FROM busybox\nCOPY --chown=1:1 --from=tools /bin/x /x\nADD --from=base /y /y\n', 'FROM busybox\nCOPY --chown=1:1 --from=bake-internal/tools:bbb /bin/x /x\nADD --from=bake-internal/base:aaa /y /y\n'],
  ['COPY --from a stage index or a stage stays', 'FROM busybox AS b\nCOPY --from=0 /a /a\nCOPY --from=b /c /c\n', 'FROM busybox AS b\nCOPY --from=0 /a /a\nCOPY --from=b /c /c\n'],
  ['RUN --mount from=, other fields kept', 'FROM busybox\nRUN --mount=type=bind,from=tools,target=/t ls /t\n', 'FROM busybox\nRUN --mount=type=bind,from=bake-internal/tools:bbb,target=/t ls /t\n'],
  ['RUN --mount from= a stage stays; source= is a path', 'FROM busybox AS tools\nRUN --mount=from=tools,source=base ls\n', 'FROM busybox AS tools\nRUN --mount=from=tools,source=base ls\n'],
  ['continued lines, a comment inside, line count kept', 'FROM \\\n  --platform=linux/amd64 \\\n# note\n  base \\\n  AS b\nCOPY \\\n  --from=tools /x /x\n', 'FROM \\\n  --platform=linux/amd64 \\\n# note\n  bake-internal/base:aaa \\\n  AS b\nCOPY \\\n  --from=bake-internal/tools:bbb /x /x\n'],
  ['comments, ARG and the words in RUN are not references', '# FROM base\nARG base=1\nRUN echo FROM base --from=base\nFROM base\n', '# FROM base\nARG base=1\nRUN echo FROM base --from=base\nFROM bake-internal/base:aaa\n'],
  ['CRLF line ends', 'FROM base\r\nCOPY --from=tools /a /a\r\n', 'FROM bake-internal/base:aaa\r\nCOPY --from=bake-internal/tools:bbb /a /a\r\n'],
];

for (const [what, input, want] of table) {
  test(`rewriteDockerfile: ${what}`, () => {
    assert.equal(rewriteDockerfile(input, refs), want);
    assert.equal(rewriteDockerfile(input, refs).split('\n').length, input.split('\n').length, 'line numbers are kept');
  });
}

test('rewriteDockerfile without references returns the text unchanged', () => {
  const text = 'FROM base AS x\nCOPY --from=base / /\n';
  assert.equal(rewriteDockerfile(text, new Map()), text);
});
