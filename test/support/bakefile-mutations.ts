/**
 * Mutated bake files for the fuzzers (issue 14): seed files of each format,
 * changed a few times each by deleting, inserting or replacing spans with
 * tokens that stress every corner of the grammars (once, or repeated up to
 * 4,096 times for depth and length), duplicating lines and truncating.
 * Seeded, so a failure reproduces from its index: every fuzzer draws the
 * same inputs from here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './fixtures.js';
import { seededRandom } from './random.js';

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

/** One seed text changed one to four times. */
export function mutate(text: string, random: () => number): string {
  let s = text;
  const n = 1 + Math.floor(random() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(random() * (s.length + 1));
    const pick = DICTIONARY[Math.floor(random() * DICTIONARY.length)] as string;
    switch (Math.floor(random() * 6)) {
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
      case 4: // a token repeated up to 4,096 times: deep nesting, long lines, long chains
        s = s.slice(0, at) + pick.repeat(2 ** Math.floor(random() * 13)) + s.slice(at);
        break;
      default: // truncate
        s = s.slice(0, at);
    }
  }
  return s;
}

/** The bake file name of each format, with its seed files (from the repository root). */
export const FUZZ_SEEDS: Readonly<Record<string, readonly string[]>> = {
  'docker-bake.hcl': [
    'test/fixtures/bakefiles/functions/docker-bake.hcl',
    'test/fixtures/bakefiles/matrix/docker-bake.hcl',
    'test/fixtures/bakefiles/inherits/docker-bake.hcl',
    'test/fixtures/bakefiles/entries/docker-bake.hcl',
    'test/fixtures/bakefiles/typed-vars/docker-bake.hcl',
    'examples/shop/docker-bake.hcl',
  ],
  'docker-bake.json': [
    'test/fixtures/bakefiles/basic/docker-bake.json',
    'test/fixtures/bakefiles/inherits/docker-bake.json',
    'test/fixtures/bakefiles/matrix/docker-bake.json',
    'test/fixtures/bakefiles/entries/docker-bake.json',
  ],
  'bake.toml': [
    'test/fixtures/bakefiles/basic/bake.toml',
    'test/fixtures/bakefiles/matrix/bake.toml',
    'test/fixtures/bakefiles/entries/bake.toml',
    'examples/toml-app/bake.toml',
  ],
  'compose.yaml': ['examples/compose-app/compose.yaml'],
};

/** The file names the fuzzers write, one per format. */
export const FUZZ_FORMATS = Object.keys(FUZZ_SEEDS);

/** The seed of a format's random sequence: the same inputs every run. */
const formatSeed = (filename: string): number => 0xba4e ^ filename.length;

/** `count` mutated inputs of one format (its file name), the i-th from seed i modulo the seed count. */
export function* mutatedBakeFiles(filename: string, count: number): Generator<string> {
  const seeds = FUZZ_SEEDS[filename];
  if (!seeds) throw new Error(`no fuzz seeds for ${filename}`);
  const texts = seeds.map((s) => readFileSync(join(repoRoot(), s), 'utf8'));
  const random = seededRandom(formatSeed(filename));
  for (let i = 0; i < count; i++) yield mutate(texts[i % texts.length] as string, random);
}
