import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BakeFileError, type SourceRange } from '../../src/core/diagnostics.js';
import { interpolate } from '../../src/bakefile/formats/interpolate.js';

const ENV: Record<string, string> = { FOO: 'first', BAR: '', lower_Case1: 'ok' };
const lookup = (name: string): string | undefined => ENV[name];

// Cases follow compose-go's template_test.go where it has them.
const substitutions: [template: string, expected: string][] = [
  ['$FOO', 'first'],
  ['${FOO}', 'first'],
  ['${FOO}bar', 'firstbar'],
  ['x-$FOO-y', 'x-first-y'],
  ['$FOO.txt', 'first.txt'],
  ['${lower_Case1}', 'ok'],
  ['$$FOO', '$FOO'],
  ['$$$FOO', '$first'],
  ['$', '$'],
  ['a $ b', 'a $ b'],
  ['$1', '$1'],
  ['${UNSET}', ''],
  ['$UNSET', ''],
  // defaults: `:-` when unset or empty, `-` only when unset
  ['${UNSET:-default}', 'default'],
  ['${BAR:-default}', 'default'],
  ['${BAR-default}', ''],
  ['${UNSET-default}', 'default'],
  ['${FOO:-default}', 'first'],
  ['${UNSET:-}', ''],
  ['${UNSET:-a b c}', 'a b c'],
  // alternatives: `:+` when set and non-empty, `+` when set
  ['${FOO:+alt}', 'alt'],
  ['${BAR:+alt}', ''],
  ['${BAR+alt}', 'alt'],
  ['${UNSET+alt}', ''],
  ['${UNSET:+alt}', ''],
  // required, satisfied
  ['${FOO:?need foo}', 'first'],
  ['${BAR?need bar}', ''],
  // nested templates in the default text
  ['${UNSET:-${FOO}}', 'first'],
  ['${UNSET:-${ALSO_UNSET:-deep}}', 'deep'],
  ['${UNSET:-$FOO}', 'first'],
  ['${UNSET:-$$}', '$'],
  ['${FOO:+${FOO}-${FOO}}', 'first-first'],
  // the greedy match is cut at the brace closing the first `${`
  ['${UNSET:-x} and ${FOO}', 'x and first'],
  ['${UNSET:-x}-${UNSET:-y}', 'x-y'],
  ['${FOO:-a}}', 'first}'],
  ['${UNSET:-{x}}', '{x}'],
  ['{$FOO}', '{first}'],
  ['${FOO}}', 'first}'],
];

for (const [template, expected] of substitutions) {
  test(`interpolate ${JSON.stringify(template)}`, () => {
    assert.equal(interpolate(template, lookup), expected);
  });
}

const failures: [template: string, summary: string][] = [
  ['${UNSET:?must set}', 'required variable UNSET is missing a value: must set'],
  ['${UNSET?}', 'required variable UNSET is missing a value'],
  ['${BAR:?}', 'required variable BAR is missing a value'],
  ['${UNSET:?${FOO} please}', 'required variable UNSET is missing a value: first please'],
  // the default text is interpolated even when it is not used
  ['${FOO:-${UNSET:?boom}}', 'required variable UNSET is missing a value: boom'],
  ['a ${FOO} ${UNSET:?late}', 'required variable UNSET is missing a value: late'],
  ['${', 'Invalid template: "${"'],
  ['${FOO', 'Invalid template: "${FOO"'],
  ['${}', 'Invalid template: "${}"'],
  ['${ FOO}', 'Invalid template: "${ FOO}"'],
  ['${1FOO}', 'Invalid template: "${1FOO}"'],
  ['${FOO:x}', 'Invalid template: "${FOO:x}"'],
  ['${FOO!}', 'Invalid template: "${FOO!}"'],
  // Go's `.` stops at a newline, so a default cannot span lines
  ['${UNSET:-a\nb}', 'Invalid template: "${UNSET:-a\\nb}"'],
  // an invalid nested template names the nested text
  ['${UNSET:-${}}', 'Invalid template: "${}"'],
];

for (const [template, summary] of failures) {
  test(`interpolate ${JSON.stringify(template)} fails`, () => {
    assert.throws(
      () => interpolate(template, lookup),
      (e: unknown) => e instanceof BakeFileError && e.diagnostics[0]?.summary === summary,
    );
  });
}

const RANGE: SourceRange = { filename: 'compose.yaml', start: { line: 3, column: 12, offset: 30 }, end: { line: 3, column: 30, offset: 48 } };

test('a required variable error names the compose path and keeps the range', () => {
  assert.throws(
    () => interpolate('${TOKEN:?set a token}', lookup, { range: RANGE, path: 'services.app.build.args.TOKEN' }),
    (e: unknown) => {
      const d = (e as BakeFileError).diagnostics[0];
      assert.equal(d?.summary, 'error while interpolating services.app.build.args.TOKEN: required variable TOKEN is missing a value: set a token');
      assert.deepEqual(d?.range, RANGE);
      assert.match(d?.fix ?? '', /TOKEN/);
      return true;
    },
  );
});

test('an invalid template names the compose path, the template and the $$ fix', () => {
  assert.throws(
    () => interpolate('price: $5 ${', lookup, { range: RANGE, path: 'services.app.image' }),
    (e: unknown) => {
      const d = (e as BakeFileError).diagnostics[0];
      assert.equal(d?.summary, 'invalid interpolation format for services.app.image');
      assert.equal(d?.detail, 'price: $5 ${');
      assert.equal(d?.fix, 'You may need to escape any $ with another $.');
      assert.deepEqual(d?.range, RANGE);
      return true;
    },
  );
});

test('set-but-empty differs from unset', () => {
  assert.equal(interpolate('${BAR-x}|${BAR:-x}|${BAR+y}|${BAR:+y}', lookup), '|x|y|');
});
