/** target: edges on a Docker builder: the internal tag of a dependency and the Dockerfile rewrite of its references. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextName, internalTag, rewriteDockerfile } from '../../src/dockerfile/links.js';

const ID = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

test('the internal tag: bake-internal/<target>:<12 hex of the image ID>-<run>, target names made valid repository names', () => {
  assert.deepEqual(internalTag('base', ID, 'r1'), { repo: 'bake-internal/base', tag: '0123456789ab-r1', ref: 'bake-internal/base:0123456789ab-r1' });
  assert.notEqual(internalTag('base', ID, 'r1').ref, internalTag('base', ID, 'r2').ref, 'two runs never share a tag');
  assert.equal(internalTag('My_App+x', ID, 'r').ref, 'bake-internal/my_app-x:0123456789ab-r');
  assert.equal(internalTag('-x', '0123456789abcdef', 'r').ref, 'bake-internal/x:0123456789ab-r');
  assert.equal(internalTag('+', ID, 'r').repo, 'bake-internal/target');
  assert.throws(() => internalTag('base', 'not-an-id', 'r'), /not an image ID/);
});

test('contextName: the name BuildKit looks a named context up by (FamiliarString, :latest dropped)', () => {
  const table: ReadonlyArray<[string, string | undefined]> = [
    ['alpine', 'alpine'],
    ['alpine:latest', 'alpine'],
    ['docker.io/library/alpine:latest', 'alpine'],
    ['index.docker.io/library/alpine', 'alpine'],
    ['library/alpine:3', 'alpine:3'],
    ['docker.io/me/app', 'me/app'],
    ['localhost:5000/app:latest', 'localhost:5000/app'],
    ['reg.example.com/library/app', 'reg.example.com/library/app'],
    ['alpine:latest@sha256:0123456789abcdef0123456789abcdef', 'alpine:latest@sha256:0123456789abcdef0123456789abcdef'],
    ['Base', undefined],
    ['scratch', undefined],
    ['context', undefined],
    ['$X', undefined],
  ];
  for (const [ref, want] of table) assert.equal(contextName(ref), want, ref);
});

const refs = new Map([
  ['base', 'bake-internal/base:aaa'],
  ['tools', 'bake-internal/tools:bbb'],
  ['docker.io/library/alpine:3', 'bake-internal/alp:ccc'],
]);

// [what, Dockerfile, rewritten, images it still reads]
const table: ReadonlyArray<[string, string, string, string[]]> = [
  ['FROM with a matching key', 'FROM base\n', 'FROM bake-internal/base:aaa\n', []],
  ['FROM … AS, lower-case keyword', 'from base as build\n', 'from bake-internal/base:aaa as build\n', []],
  ['FROM --platform= … AS', 'FROM --platform=$BUILDPLATFORM tools AS t\n', 'FROM --platform=$BUILDPLATFORM bake-internal/tools:bbb AS t\n', []],
  [
    'names normalize as BuildKit does: docker.io/library/x, x:latest, the key in full',
    'FROM docker.io/library/base:latest\nFROM library/tools\nFROM alpine:3\n',
    'FROM bake-internal/base:aaa\nFROM bake-internal/tools:bbb\nFROM bake-internal/alp:ccc\n',
    [],
  ],
  [
    'an unrelated image stays, and is read',
    'FROM busybox\nFROM base2\nFROM base:1\nFROM scratch\n',
    'FROM busybox\nFROM base2\nFROM base:1\nFROM scratch\n',
    ['busybox', 'base2', 'base:1'],
  ],
  ['FROM an earlier stage (any case) is the stage', 'FROM busybox AS b1\nFROM B1\n', 'FROM busybox AS b1\nFROM B1\n', ['busybox']],
  [
    'FROM x AS x2, then COPY --from=x2 is the stage',
    'FROM base AS x2\nFROM busybox\nCOPY --from=x2 /a /a\n',
    'FROM bake-internal/base:aaa AS x2\nFROM busybox\nCOPY --from=x2 /a /a\n',
    ['busybox'],
  ],
  [
    'a stage named like a context is that context whole: its base and instructions go, later references keep the stage',
    'FROM busybox AS Base\nRUN make \\\n  all\n\nCOPY <<EOF /x\nFROM base\nEOF\nFROM base\nCOPY --from=base /a /a\n',
    'FROM bake-internal/base:aaa AS Base\n# RUN make \\\n#   all\n\n# COPY <<EOF /x\n# FROM base\n# EOF\nFROM base\nCOPY --from=base /a /a\n',
    [],
  ],
  [
    'a stage defined later does not shadow an earlier FROM',
    'FROM base\nFROM busybox AS later\nFROM later\n',
    'FROM bake-internal/base:aaa\nFROM busybox AS later\nFROM later\n',
    ['busybox'],
  ],
  [
    'COPY --from and mount from= a stage defined later are that stage',
    'FROM busybox\nCOPY --from=b /a /a\nRUN --mount=from=b ls\nFROM busybox AS b\n',
    'FROM busybox\nCOPY --from=b /a /a\nRUN --mount=from=b ls\nFROM busybox AS b\n',
    ['busybox'],
  ],
  [
    'COPY --from and ADD --from, other flags kept',
    'FROM busybox\nCOPY --chown=1:1 --from=tools /bin/x /x\nADD --from=base /y /y\nCOPY --from=alpine:3.20 /z /z\n',
    'FROM busybox\nCOPY --chown=1:1 --from=bake-internal/tools:bbb /bin/x /x\nADD --from=bake-internal/base:aaa /y /y\nCOPY --from=alpine:3.20 /z /z\n',
    ['busybox', 'alpine:3.20'],
  ],
  ['COPY --from a stage index stays', 'FROM busybox AS b\nCOPY --from=0 /a /a\n', 'FROM busybox AS b\nCOPY --from=0 /a /a\n', ['busybox']],
  [
    'RUN --mount from=, other fields kept, several mounts',
    'FROM busybox\nRUN --mount=type=bind,from=tools,target=/t --mount=type=cache,target=/c --mount=from=base,source=base ls /t\n',
    'FROM busybox\nRUN --mount=type=bind,from=bake-internal/tools:bbb,target=/t --mount=type=cache,target=/c --mount=from=bake-internal/base:aaa,source=base ls /t\n',
    ['busybox'],
  ],
  [
    'only leading flags are flags: words in the command stay',
    'FROM busybox\nRUN echo --mount=from=base\nCOPY a --from=base /b\n',
    'FROM busybox\nRUN echo --mount=from=base\nCOPY a --from=base /b\n',
    ['busybox'],
  ],
  [
    'continued lines with a comment and a blank line inside, line count kept',
    'FROM \\\n  --platform=linux/amd64 \\\n# note\n\n  base \\\n  AS b\nCOPY \\\n  --from=tools /x /x\n',
    'FROM \\\n  --platform=linux/amd64 \\\n# note\n\n  bake-internal/base:aaa \\\n  AS b\nCOPY \\\n  --from=tools /x /x\n'.replace(
      '--from=tools',
      '--from=bake-internal/tools:bbb',
    ),
    [],
  ],
  [
    '# escape=` : backtick continues a line, a backslash does not',
    '# escape=`\nFROM `\n  base\nRUN dir c:\\\nCOPY --from=tools c:\\x c:\\y\n',
    '# escape=`\nFROM `\n  bake-internal/base:aaa\nRUN dir c:\\\nCOPY --from=bake-internal/tools:bbb c:\\x c:\\y\n',
    [],
  ],
  [
    'a directive after the first instruction is a comment',
    'FROM busybox\n# escape=`\nRUN a `\nCOPY --from=base /a /a\n',
    'FROM busybox\n# escape=`\nRUN a `\nCOPY --from=bake-internal/base:aaa /a /a\n',
    ['busybox'],
  ],
  [
    'heredoc bodies are not instructions',
    'FROM busybox\nRUN <<EOF cat >/x && <<-"END" cat\nFROM base\nCOPY --from=base / /\nEOF\n\tFROM tools\n\tEND\nCOPY --from=tools /a /a\n',
    'FROM busybox\nRUN <<EOF cat >/x && <<-"END" cat\nFROM base\nCOPY --from=base / /\nEOF\n\tFROM tools\n\tEND\nCOPY --from=bake-internal/tools:bbb /a /a\n',
    ['busybox'],
  ],
  [
    'comments, ARG and words in RUN are not references',
    '# FROM base\nARG base=1\nRUN echo FROM base --from=base\nFROM base\n',
    '# FROM base\nARG base=1\nRUN echo FROM base --from=base\nFROM bake-internal/base:aaa\n',
    [],
  ],
  [
    'FROM $VAR / ${VAR} from ARG defaults before the first FROM',
    'ARG B=base T="tools"\nARG R=docker.io/library\nFROM $B\nFROM ${T}\nFROM ${R}/alpine:3\nFROM ${NOPE:-base}\n',
    'ARG B=base T="tools"\nARG R=docker.io/library\nFROM bake-internal/base:aaa\nFROM bake-internal/tools:bbb\nFROM bake-internal/alp:ccc\nFROM bake-internal/base:aaa\n',
    [],
  ],
  [
    'an ARG declared inside a stage does not reach FROM; platform ARGs are unknown',
    'FROM busybox\nARG X=base\nFROM $X\nFROM base-$TARGETARCH\n',
    'FROM busybox\nARG X=base\nFROM $X\nFROM base-$TARGETARCH\n',
    ['busybox'],
  ],
  [
    'CRLF line ends',
    'FROM base\r\nCOPY --from=tools /a /a\r\nRUN a \\\r\n  b\r\n',
    'FROM bake-internal/base:aaa\r\nCOPY --from=bake-internal/tools:bbb /a /a\r\nRUN a \\\r\n  b\r\n',
    [],
  ],
];

for (const [what, input, want, images] of table) {
  test(`rewriteDockerfile: ${what}`, () => {
    const got = rewriteDockerfile(input, refs);
    assert.equal(got.text, want);
    assert.equal(got.text.split('\n').length, input.split('\n').length, 'line numbers are kept');
    assert.deepEqual(got.images, images);
  });
}

test('rewriteDockerfile: a build arg of the target overrides an ARG default, and may name a context', () => {
  const text = 'ARG BASE=busybox\nFROM ${BASE}\n';
  assert.equal(rewriteDockerfile(text, refs, { BASE: 'tools' }).text, 'ARG BASE=busybox\nFROM bake-internal/tools:bbb\n');
  assert.deepEqual(rewriteDockerfile(text, refs, { BASE: null }).images, ['busybox'], 'a null arg is no arg');
  assert.equal(
    rewriteDockerfile('ARG OTHER\nFROM ${BASE:-busybox}\n', refs, { BASE: 'base' }).text,
    'ARG OTHER\nFROM busybox\n'.replace('busybox', '${BASE:-busybox}'),
    'an undeclared ARG takes no build arg',
  );
});

test('rewriteDockerfile without references returns the text unchanged', () => {
  const text = 'FROM base AS x\nCOPY --from=base / /\n';
  assert.deepEqual(rewriteDockerfile(text, new Map()), { text, images: ['base'] });
});
