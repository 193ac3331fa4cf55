/**
 * Differential test against HashiCorp's own parser: for every fixture, our
 * parse printed through hcl-oracle-json must equal what the npm package
 * hcl2-parser (hcl2json over hclsyntax) prints for the same text.
 *
 * Blind spot: hcl2-parser prints the literal text `$${X}` exactly as it
 * prints an interpolation `${X}`, so these comparisons cannot tell whether
 * an escape was honoured (likewise `%%{`); hcl-parser.test.ts checks escapes
 * on the tree itself. Its output also cannot show ranges, so ranges are
 * covered there too.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseHCL } from '../../src/bakefile/hcl/parser.js';
import { toOracleJson, type OracleJson } from '../support/hcl-oracle-json.js';
import { fixturesDir } from '../support/fixtures.js';

interface Hcl2Parser {
  /** `[json, null]` on success, `[null, {}]` when the text does not parse. */
  parseToObject(text: string): [OracleJson, object | null];
}

let oracle: Hcl2Parser | undefined;

/** Loaded on first use: the package is 4 MB of GopherJS output. */
function hcl2Parser(): Hcl2Parser {
  oracle ??= createRequire(import.meta.url)('hcl2-parser') as Hcl2Parser;
  return oracle;
}

const dir = fixturesDir('hcl');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.hcl'))
  .sort();

test('there are at least 25 HCL fixtures', () => assert.ok(fixtures.length >= 25, `${fixtures.length} fixtures`));

for (const name of fixtures) {
  test(`oracle: ${name}`, () => {
    const text = readFileSync(join(dir, name), 'utf8');
    const [expected, error] = hcl2Parser().parseToObject(text);
    assert.equal(error, null, 'hcl2-parser rejects the fixture');
    assert.deepEqual(toOracleJson(parseHCL(name, text), text), expected);
  });
}
