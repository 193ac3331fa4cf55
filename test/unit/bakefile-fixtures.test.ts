/**
 * Golden cases: each directory under test/fixtures/bakefiles holds one case
 * written in HCL, JSON and/or TOML; every format must print exactly
 * expected.json (buildx's --print output), or fail as expected-error.json says.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BakeFileError } from '../../src/core/diagnostics.js';
import { fixturesDir } from '../support/fixtures.js';
import { printSources, type CaseOptions } from '../support/pipeline.js';

const FORMATS = ['docker-bake.hcl', 'docker-bake.json', 'bake.toml', 'compose.yaml'];
const root = fixturesDir('bakefiles');

interface ExpectedError {
  summary: string;
  detail?: string;
  line: number;
  column: number;
}

for (const name of readdirSync(root).sort()) {
  const dir = join(root, name);
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  const options = (existsSync(join(dir, 'case.json')) ? JSON.parse(read('case.json')) : {}) as CaseOptions & {
    errorPositions?: Record<string, { line: number; column: number }>;
    /** Files read together as one definition (merged in this order), instead of one case per format. */
    together?: string[];
  };
  const runs = options.together ? [options.together] : FORMATS.filter((f) => existsSync(join(dir, f))).map((f) => [f]);
  for (const files of runs) {
    const file = files[0] as string;
    test(`${name} (${files.join(' + ')})`, async () => {
      const sources = files.map((f) => ({ filename: f, text: read(f) }));
      if (existsSync(join(dir, 'expected.json'))) {
        assert.equal(await printSources(sources, options), read('expected.json').trimEnd());
        return;
      }
      const expected = JSON.parse(read('expected-error.json')) as ExpectedError;
      const err = await printSources(sources, options).then(
        () => assert.fail('expected an error'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof BakeFileError, `expected a BakeFileError, got ${String(err)}`);
      const d = err.diagnostics[0];
      assert.equal(d?.summary, expected.summary);
      if (expected.detail) assert.equal(d?.detail, expected.detail);
      const where = options.errorPositions?.[file] ?? expected;
      assert.deepEqual([d?.range?.filename, d?.range?.start.line, d?.range?.start.column], [file, where.line, where.column]);
    });
  }
}
