/**
 * Target globs (`--set PATTERN.key=value` and requested names) match as
 * buildx matches them, with Go's path.Match. The rows marked "picomatch"
 * are where the glob library used before answered otherwise.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BakeFileError } from '../../src/core/diagnostics.js';
import { UserError } from '../../src/core/errors.js';
import { parseOverrides } from '../../src/bakefile/overrides.js';
import { evaluateSources, printDefinition } from '../../src/bakefile/pipeline.js';
import { FIXED_WORLD } from '../support/fixed-world.js';

const TARGETS = ['app', 'api', 'bpp', 'web-1', 'web-2', '!pp', 'a+b'];

// [pattern, targets it selects, or the error's message]
const SET_GLOBS: [pattern: string, want: string[] | string][] = [
  ['app', ['app']],
  ['a*', ['app', 'api', 'a+b']],
  ['web-?', ['web-1', 'web-2']],
  ['*', TARGETS],
  ['**', TARGETS],
  ['[ab]pp', ['app', 'bpp']],
  ['[^a]pp', ['bpp', '!pp']],
  ['[a-b]p?', ['app', 'api', 'bpp']],
  // Go has no `!` negation in classes: [!a] is the class of `!` and `a`.
  ['[!a]pp', ['app', '!pp']],
  ['a\\+b', ['a+b']],
  ['\\*', "could not find any target matching '\\*'"],
  // picomatch: a leading `!` negated the whole pattern (every target but app); Go reads it literally.
  ['!a*', "could not find any target matching '!a*'"],
  // picomatch: extglob negation even with noextglob; Go reads the parentheses literally.
  ['!(a)pp', "could not find any target matching '!(a)pp'"],
  // picomatch: POSIX classes; Go's class is `[`, `:`, `a`, `l`, `p`, `h` followed by a literal `]`.
  ['[[:alpha:]]pp', "could not find any target matching '[[:alpha:]]pp'"],
  // picomatch: malformed patterns matched something; Go refuses them.
  ['[]a]', "could not match targets with '[]a]'"],
  ['web-[1-]', "could not match targets with 'web-[1-]'"],
  ['ap[p', "could not match targets with 'ap[p'"],
  ['app\\', "could not match targets with 'app\\'"],
];

for (const [pattern, want] of SET_GLOBS) {
  test(`--set ${pattern}.tags=x selects ${typeof want === 'string' ? 'nothing' : want.join(', ')}`, () => {
    const select = (): string[] => [...parseOverrides([`${pattern}.tags=x`], TARGETS, () => undefined).keys()];
    if (typeof want === 'string') assert.throws(select, (e: unknown) => e instanceof UserError && e.kind === 'usage' && e.message === want);
    else assert.deepEqual(select(), want);
  });
}

test('an exact name wins over a glob reading of it', () => {
  assert.deepEqual([...parseOverrides(['[ab]pp.tags=x'], ['[ab]pp', 'app'], () => undefined).keys()], ['[ab]pp']);
});

test('requested names are globs too: path.Match, a malformed one matching nothing', async () => {
  const text = 'target "app" {}\ntarget "api" {}\ntarget "bpp" {}\n';
  const request = { env: () => undefined, warn: () => {}, sets: [] };
  const evaluated = await evaluateSources({ sources: [{ filename: 'docker-bake.hcl', text }], ...request, localPlatform: 'linux/amd64', world: FIXED_WORLD });
  const printed = async (name: string): Promise<string[]> =>
    Object.keys((JSON.parse(printDefinition(evaluated, { ...request, names: [name] })) as { target: object }).target);
  assert.deepEqual(await printed('a*'), ['api', 'app']);
  assert.deepEqual(await printed('[!a]pp'), ['app']);
  for (const name of ['!a*', '[[:alpha:]]pp', '[]a]']) {
    await assert.rejects(
      printed(name),
      (e: unknown) => e instanceof BakeFileError && e.diagnostics[0]?.summary === `could not find any target matching "${name}"`,
      name,
    );
  }
});
