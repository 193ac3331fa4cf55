import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cutBefore } from '../../src/dockerfile/break-point.js';

const DOCKERFILE = [
  '# syntax=docker/dockerfile:1',
  'FROM busybox AS base',
  'WORKDIR /src',
  'RUN echo one > one \\',
  '  && echo two > two',
  '',
  'FROM base AS final',
  'COPY . .',
  'RUN make',
].join('\n');

test('cutBefore keeps every line before the step at LINE, which may be a continuation line of it, and names the step', () => {
  const cut = cutBefore(DOCKERFILE, 5);
  assert.ok(!(cut instanceof Error));
  assert.equal(cut.line, 4);
  assert.equal(cut.step, 'RUN echo one > one \\');
  assert.equal(cut.text, '# syntax=docker/dockerfile:1\nFROM busybox AS base\nWORKDIR /src\n');
  const last = cutBefore(DOCKERFILE, 9);
  assert.ok(!(last instanceof Error));
  assert.equal(last.text.split('\n').length, 9, 'the eight lines before, in their places');
  assert.equal(last.step, 'RUN make');
});

test('cutBefore refuses a line with no step to stop before: FROM, a comment, a blank, past the end', () => {
  assert.match((cutBefore(DOCKERFILE, 2) as Error).message, /line 2 is FROM which starts a stage: break on a step of a stage/);
  assert.match((cutBefore(DOCKERFILE, 1) as Error).message, /line 1 is a comment or blank/);
  assert.match((cutBefore(DOCKERFILE, 6) as Error).message, /line 6 is a comment or blank/);
  assert.match((cutBefore(DOCKERFILE, 10) as Error).message, /it has 9 lines, and no line 10/);
  assert.match((cutBefore('ARG V=1\nFROM busybox\nRUN x', 1) as Error).message, /line 1 is ARG before the first stage/);
});
