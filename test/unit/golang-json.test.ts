import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goJsonString } from '../../src/golang/json.js';
import { evaluateSources, printDefinition } from '../../src/bakefile/pipeline.js';
import { FIXED_WORLD } from '../support/fixed-world.js';

// What Go's json.Marshal writes for each string (Go 1.22+, HTML escaping on).
const GO_STRINGS: [input: string, encoded: string][] = [
  ['', '""'],
  ['plain', '"plain"'],
  ['say "hi" \\ bye', '"say \\"hi\\" \\\\ bye"'],
  // Control characters: five short forms (\b and \f since Go 1.22), the rest as \u00XX.
  ['\n\r\t\b\f', '"\\n\\r\\t\\b\\f"'],
  ['\u0000\u0001\u0007\u000b\u001b\u001f', '"\\u0000\\u0001\\u0007\\u000b\\u001b\\u001f"'],
  ['\u007f', '"\u007f"'],
  // HTML escaping.
  ['<script>&</script>', '"\\u003cscript\\u003e\\u0026\\u003c/script\\u003e"'],
  ["'/'", '"\'/\'"'],
  // U+2028 and U+2029 are escaped; U+2027 and U+202A are not.
  ['a\u2028b\u2029c\u2027\u202a', '"a\\u2028b\\u2029c\u2027\u202a"'],
  // Non-ASCII as itself, surrogate pairs whole.
  ['é☺\u{1F600}\uFFFD', '"é☺\u{1F600}\uFFFD"'],
  // Lone surrogates become U+FFFD written raw: Go's decoder has already turned them into U+FFFD.
  ['x\ud800y', '"x\uFFFDy"'],
  ['\udc00', '"\uFFFD"'],
  ['\ude00\ud83d', '"\uFFFD\uFFFD"'],
  ['\ud83d\ude00\ud83d', '"\u{1F600}\uFFFD"'],
];

test('goJsonString writes strings as Go encoding/json does', () => {
  for (const [input, encoded] of GO_STRINGS) assert.equal(goJsonString(input), encoded, JSON.stringify(input));
});

test('--print and jsonencode agree on a lone surrogate: both write U+FFFD as buildx does', async () => {
  const json = '{"target": {"app": {"args": {"RAW": "x\\ud800y"}}}}';
  const hcl = 'target "app" {\n  args = { ENCODED = jsonencode(jsondecode("\\"x\\\\ud800y\\"")) }\n}\n';
  const args = async (filename: string, text: string): Promise<unknown> => {
    const request = { env: () => undefined, warn: () => {} };
    const evaluated = await evaluateSources({ sources: [{ filename, text }], ...request, localPlatform: 'linux/amd64', world: FIXED_WORLD });
    return (JSON.parse(printDefinition(evaluated, { ...request, names: ['app'], sets: [] })) as { target: { app: { args: unknown } } }).target.app.args;
  };
  assert.deepEqual(await args('docker-bake.json', json), { RAW: 'x\uFFFDy' });
  assert.deepEqual(await args('docker-bake.hcl', hcl), { ENCODED: '"x\uFFFDy"' });
});

test('jsondecode reads an escaped lone surrogate as U+FFFD, so it compares, encodes and prints as buildx does', async () => {
  // What buildx 0.13.1 prints for these args (U+FFFD raw, never as a \ufffd escape).
  const hcl = [
    'target "app" {',
    '  args = {',
    '    ENCODED = jsonencode(jsondecode("\\"x\\\\ud800y\\""))',
    '    EQUALS = jsondecode("\\"x\\\\ud800y\\"") == "x\\ufffdy" ? "fffd" : "other"',
    '    PAIRED = jsondecode("\\"\\\\ud800\\\\ud83d\\\\ude00\\"")',
    '    QUOTED = format("%q", jsondecode("\\"\\\\ud800\\""))',
    '    UNPAIRED = jsondecode("\\"\\\\ud800\\\\u0041\\\\udc00z\\"")',
    '  }',
    '}',
  ].join('\n');
  const request = { env: () => undefined, warn: () => {} };
  const evaluated = await evaluateSources({
    sources: [{ filename: 'docker-bake.hcl', text: hcl }],
    ...request,
    localPlatform: 'linux/amd64',
    world: FIXED_WORLD,
  });
  const printed = printDefinition(evaluated, { ...request, names: ['app'], sets: [] });
  assert.ok(
    printed.includes(
      [
        '"args": {',
        '        "ENCODED": "\\"x\uFFFDy\\"",',
        '        "EQUALS": "fffd",',
        '        "PAIRED": "\uFFFD\u{1F600}",',
        '        "QUOTED": "\\"\uFFFD\\"",',
        '        "UNPAIRED": "\uFFFDA\uFFFDz"',
      ].join('\n'),
    ),
    printed,
  );
});
