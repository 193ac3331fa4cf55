/** The error root's kinds and their exit codes, and the one text form of an error. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bakeError, pos } from '../../src/core/diagnostics.js';
import { renderError } from '../../src/core/error-text.js';
import { exitCodeOf, usageError, UserError } from '../../src/core/errors.js';

test('exit codes: 2 for usage and bake-file errors, 1 for what failed to run, 130 interrupted', () => {
  const codes = Object.fromEntries((['ok', 'usage', 'bake-file', 'engine', 'build', 'run', 'bug', 'interrupted'] as const).map((o) => [o, exitCodeOf(o)]));
  assert.deepEqual(codes, { ok: 0, usage: 2, 'bake-file': 2, engine: 1, build: 1, run: 1, bug: 1, interrupted: 130 });
});

test('renderError: the sentence, then the fix line; a bake file error with its code frame; anything else its message', () => {
  assert.equal(
    renderError(usageError('invalid --format "xml"', 'Use --format table or --format json.'), new Map()),
    'error: invalid --format "xml"\n  = fix: Use --format table or --format json.',
  );
  assert.equal(renderError(new UserError('engine', 'cannot reach the build engine at tcp://x'), new Map()), 'error: cannot reach the build engine at tcp://x');
  const range = { filename: 'docker-bake.hcl', start: pos(2, 10, 24), end: pos(2, 13, 27) };
  const frame = renderError(bakeError('Unknown variable', range, 'Define it.'), new Map([['docker-bake.hcl', 'target "a" {\n  tags = [foo]\n}\n']]));
  assert.equal(frame, 'error: Unknown variable\n  --> docker-bake.hcl:2:10\n  |\n2 |   tags = [foo]\n  |          ^^^\n  = fix: Define it.');
  assert.equal(renderError(new TypeError('x is undefined'), new Map()), 'error: x is undefined');
  assert.equal(
    renderError(new UserError('run', 'no bake dev session is running', 'Start one with bake dev.'), new Map(), true),
    '\x1b[1;31merror\x1b[0m: no bake dev session is running\n  = fix: Start one with bake dev.',
  );
});
