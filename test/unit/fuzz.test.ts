/**
 * Robustness: mutated bake files in every format (HCL, JSON, TOML, compose)
 * must never escape as anything but a BakeFileError, and every diagnostic
 * must point at a file position and say what to do (a fix). Deterministic (seeded); BAKE_FUZZ_COUNT sets
 * the number of inputs per format (default 10,000).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BakeFileError } from '../../src/core/diagnostics.js';
import { fixturesDir, repoRoot } from '../support/fixtures.js';
import { evaluateSources, printDefinition } from '../../src/bakefile/pipeline.js';
import { FIXED_WORLD } from '../support/fixed-world.js';
import { seededRandom } from '../support/random.js';

const COUNT = Number(process.env['BAKE_FUZZ_COUNT'] ?? 10_000);

/** Tokens that stress every corner of the grammars. */
const DICTIONARY = [
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  '"',
  "'",
  '=',
  ':',
  ',',
  '.',
  '...',
  '?',
  '=>',
  '${',
  '%{',
  '$${',
  '~}',
  '}}',
  '<<EOT\n',
  '<<-EOT\n',
  '\nEOT\n',
  '\n',
  '\t',
  ' ',
  '#',
  '//',
  '/*',
  '*/',
  'for',
  'in',
  'if',
  'null',
  'true',
  '-1e309',
  '0x10',
  'target',
  'group',
  'variable',
  'function',
  'inherits',
  'matrix',
  'name',
  '"target:a"',
  'x-bake:',
  'services:',
  'build:',
  '- ',
  '  ',
  '&a',
  '*a',
  '!!',
  '[[target.a]]',
  '\u0000',
  '\uFFFF',
  'é',
  '😀',
  '\\',
  '\\u',
  '`',
];

function mutate(text: string, random: () => number): string {
  let s = text;
  const n = 1 + Math.floor(random() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(random() * (s.length + 1));
    const pick = DICTIONARY[Math.floor(random() * DICTIONARY.length)] as string;
    switch (Math.floor(random() * 5)) {
      case 0: // delete a span
        s = s.slice(0, at) + s.slice(at + Math.floor(random() * 12));
        break;
      case 1: // insert a token
        s = s.slice(0, at) + pick + s.slice(at);
        break;
      case 2: // replace a span with a token
        s = s.slice(0, at) + pick + s.slice(at + 1 + Math.floor(random() * 4));
        break;
      case 3: {
        // duplicate a line
        const lines = s.split('\n');
        const l = Math.floor(random() * lines.length);
        lines.splice(l, 0, lines[l] ?? '');
        s = lines.join('\n');
        break;
      }
      default: // truncate
        s = s.slice(0, at);
    }
  }
  return s;
}

const SEEDS: Record<string, string[]> = {
  'docker-bake.hcl': [
    'bakefiles/functions/docker-bake.hcl',
    'bakefiles/matrix/docker-bake.hcl',
    'bakefiles/inherits/docker-bake.hcl',
    'bakefiles/entries/docker-bake.hcl',
    'bakefiles/typed-vars/docker-bake.hcl',
    '../../examples/shop/docker-bake.hcl',
  ],
  'docker-bake.json': [
    'bakefiles/basic/docker-bake.json',
    'bakefiles/inherits/docker-bake.json',
    'bakefiles/matrix/docker-bake.json',
    'bakefiles/entries/docker-bake.json',
  ],
  'bake.toml': ['bakefiles/basic/bake.toml', 'bakefiles/matrix/bake.toml', 'bakefiles/entries/bake.toml', '../../examples/toml-app/bake.toml'],
  'compose.yaml': ['../../examples/compose-app/compose.yaml'],
};

for (const [filename, seeds] of Object.entries(SEEDS)) {
  test(`fuzz: ${COUNT} mutated ${filename} inputs fail only with positioned diagnostics that carry a fix`, async (t) => {
    const texts = seeds.map((s) => readFileSync(s.startsWith('../../') ? `${repoRoot()}/${s.slice(6)}` : fixturesDir(s), 'utf8'));
    const random = seededRandom(0xba4e ^ filename.length);
    let failures = 0;
    for (let i = 0; i < COUNT; i++) {
      const input = mutate(texts[i % texts.length] as string, random);
      try {
        const request = { env: (name: string) => (name === 'TAG' ? 'x' : undefined), warn: () => {} };
        const evaluated = await evaluateSources({ sources: [{ filename, text: input }], ...request, localPlatform: 'linux/amd64', world: FIXED_WORLD });
        printDefinition(evaluated, { ...request, names: [], sets: [] });
      } catch (e) {
        if (!(e instanceof BakeFileError)) assert.fail(`input ${i} threw ${(e as Error)?.stack ?? String(e)}\n--- input ---\n${input}`);
        failures++;
        for (const d of e.diagnostics) {
          // A requested name that no file defines has no place in any file.
          if (/^failed to find target default$/.test(d.summary)) continue;
          assert.ok(d.range, `input ${i}: diagnostic without a position: ${d.summary} ${d.detail ?? ''}\n--- input ---\n${input}`);
          assert.ok(d.fix, `input ${i}: diagnostic without a fix: ${d.summary} ${d.detail ?? ''}\n--- input ---\n${input}`);
          assert.equal(d.range.filename, filename);
        }
      }
    }
    t.diagnostic(`fuzz ${filename}: ${COUNT} inputs, ${failures} rejected with positioned diagnostics and fixes, ${COUNT - failures} accepted`);
  });
}
