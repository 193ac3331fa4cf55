/** The context paths a Dockerfile reads (issue 14, defect 3): what the context's followpaths send, never less than the build needs. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextPaths, unionPaths } from '../../src/dockerfile/context-paths.js';

const ALL = undefined;

test('COPY and ADD sources from the context, cleaned against its root, sorted; COPY --from and URLs read no context', () => {
  const table: ReadonlyArray<[string, string[] | undefined]> = [
    ['FROM x\nCOPY small.txt /s\n', ['small.txt']],
    ['FROM x\nCOPY ./a/../b/c.txt ../d /dst/\n', ['b/c.txt', 'd']],
    ['FROM x\ncopy --chown=1:1 --link src/*.go go.mod /app/\n', ['go.mod', 'src/*.go']],
    ['FROM x\nADD --chmod=644 https://example.com/f.tgz http://e/x local.tgz /opt/\n', ['local.tgz']],
    ['FROM x AS a\nFROM y\nCOPY --from=a /out /out\nCOPY --from=alpine /etc/os-release /\n', []],
    ['FROM x\nRUN echo hi\nCMD ["sh"]\n', []],
    ['FROM x\nCOPY ["a.txt", "dir/b.txt", "/dst/"]\n', ['a.txt', 'dir/b.txt']],
    ['FROM x\nCOPY a.txt \\\n  b.txt \\\n  /dst/\n', ['a.txt', 'b.txt']],
    ['FROM x\nCOPY <<EOF /etc/conf\nCOPY . /everything\nEOF\nCOPY real.txt /r\n', ['real.txt']],
    ['FROM x\nRUN <<EOF\nCOPY . /nothing\nEOF\n', []],
    ['FROM x AS base\nONBUILD COPY trigger.txt /t\nFROM base\n', ['trigger.txt']],
    ['FROM x\nCOPY a.txt /a\nCOPY a.txt /b\n', ['a.txt']],
  ];
  for (const [text, want] of table) assert.deepEqual(contextPaths(text), want, text);
});

test('RUN --mount=type=bind without from reads the context at its source; other mounts do not', () => {
  const table: ReadonlyArray<[string, string[] | undefined]> = [
    ['FROM x\nRUN --mount=type=bind,source=pkg,target=/pkg make\n', ['pkg']],
    ['FROM x\nRUN --mount=src=go.sum,target=/s --mount=type=bind,from=tools,target=/t make\n', ['go.sum']],
    ['FROM x\nRUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=t --mount=type=ssh --mount=type=tmpfs,target=/tmp make\n', []],
    ['FROM x\nRUN --mount=type=bind,target=/src make\n', ALL],
    ['FROM x\nRUN --mount=target=/src make\n', ALL],
  ];
  for (const [text, want] of table) assert.deepEqual(contextPaths(text), want, text);
});

test('the whole context wherever a path cannot be known here: never send too little', () => {
  const table: readonly string[] = [
    'FROM x\nCOPY . /app\n',
    'FROM x\nCOPY ./ /app\n',
    'FROM x\nADD .. /app\n',
    'FROM x\nARG SRC=small.txt\nCOPY $SRC /s\n',
    'FROM x\nCOPY ${DIR}/a /s\n',
    'FROM x\nCOPY "my file" /s\n',
    "FROM x\nCOPY 'a.txt' /s\n",
    'FROM x\nCOPY a\\ b /s\n',
    'FROM x\nCOPY ["my  file", "/s"]\n',
    'FROM x\nRUN --mount=type=bind,source=$D,target=/d make\n',
    'FROM x\nRUN --mount=type=$T,target=/d make\n',
    'FROM x\nRUN --mount="type=bind,source=a,target=/d" make\n',
    'FROM x AS base\nONBUILD COPY . /app\nFROM base\n',
    '# syntax=example.com/other-frontend:1\nFROM x\nCOPY small.txt /s\n',
  ];
  for (const text of table) assert.equal(contextPaths(text), ALL, text);
  assert.equal(contextPaths('FROM x\nCOPY small.txt /s\n', { BUILDKIT_SYNTAX: 'example.com/other:1' }), ALL);
});

test("Docker's own frontend images keep the paths; the escape directive changes what a path may hold", () => {
  for (const syntax of ['docker/dockerfile:1', 'docker.io/docker/dockerfile:1.7-labs', 'docker/dockerfile-upstream:master', 'docker/dockerfile'])
    assert.deepEqual(contextPaths(`# syntax=${syntax}\nFROM x\nCOPY small.txt /s\n`), ['small.txt'], syntax);
  assert.deepEqual(contextPaths('# escape=`\nFROM x\nCOPY a.txt `\n  b.txt /dst/\n'), ['a.txt', 'b.txt']);
  assert.equal(contextPaths('# escape=`\nFROM x\nCOPY a`b /dst/\n'), ALL);
});

test('unionPaths: what every user of a shared directory reads; one that reads everything makes it everything', () => {
  assert.deepEqual(unionPaths([['b', 'a'], ['a', 'c'], []]), ['a', 'b', 'c']);
  assert.equal(unionPaths([['a'], undefined]), ALL);
  assert.deepEqual(unionPaths([]), []);
});
