/**
 * Golden cases, run as users run them (issue 11): each directory under
 * test/fixtures/bakefiles holds one case written in HCL, JSON, TOML and/or
 * compose, and bin/bake (the esbuild bundle in dist/, not the tsc build)
 * must print exactly expected.json for every format, or fail as
 * expected-error.json says. The bundle once crashed on every JSON file while
 * an in-process copy of this test stayed green.
 *
 * case.json is the command line: `names`, `sets` (--set), `env` (the whole
 * environment besides PATH and HOME), `dev` (`bake dev --print`), and
 * `together` (files read as one definition, -f each in this order) instead
 * of one run per format; `errorPositions` moves an expected error per file;
 * `warnings` lists the warnings a successful run prints (their first line
 * after `warning: `, each followed by the position it points at; per bake
 * file when formats differ), since warnings are part of what users see (an
 * ignored attribute says so). `schemaValid` is for test/unit/schema.test.ts:
 * an expected error the file schema cannot see (it is about meaning).
 *
 * A `context/` directory holds the other files a case reads (secret
 * sources, SSH keys, included compose files), since buildx checks that they
 * exist before it prints.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runBake } from '../support/bake-cli.js';
import { bakefileCases, caseArguments, FORMATS } from '../support/bakefile-cases.js';

// `context/` holds the files a case's bake file points at: secret sources, SSH keys, included compose files.
const CASE_FILES = new Set<string>([...FORMATS, 'case.json', 'expected.json', 'expected-error.json', 'context']);

interface ExpectedError {
  summary: string;
  detail?: string;
  line: number;
  column: number;
}

const cases = bakefileCases().map(({ name, dir, options, runs }) => ({ name, dir, c: options, runs }));

test('every fixture directory is a runnable case: bake files this test knows and one expectation', () => {
  assert.ok(cases.length >= 12, `${cases.length} cases`);
  for (const { name, dir, runs } of cases) {
    // A misspelt file name would otherwise drop a format from the suite without a word.
    const unknown = readdirSync(dir).filter((f) => !CASE_FILES.has(f));
    assert.deepEqual(unknown, [], `${name}: files this test does not read`);
    assert.ok(runs.length > 0, `${name}: no bake file`);
    assert.ok(
      existsSync(join(dir, 'expected.json')) !== existsSync(join(dir, 'expected-error.json')),
      `${name}: needs exactly one of expected.json and expected-error.json`,
    );
  }
});

// One bake process per run, four at a time: each takes a Node start-up.
describe('golden bake files through bin/bake', { concurrency: 4 }, () => {
  for (const { name, dir, c, runs } of cases) {
    for (const files of runs) {
      test(`${name} (${files.join(' + ')})`, async () => {
        const args = caseArguments(c, files);
        const r = await runBake(args, { cwd: dir, env: { ...c.env } });
        const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
        if (existsSync(join(dir, 'expected.json'))) {
          assert.equal(r.status, 0, r.stderr);
          assert.equal(r.stdout, read('expected.json'));
          const lines = r.stderr.split('\n');
          const warnings = lines.flatMap((l, i) => (l.startsWith('warning: ') ? [{ summary: l.slice('warning: '.length), at: lines[i + 1] ?? '' }] : []));
          const expectedWarnings =
            (Array.isArray(c.warnings) ? c.warnings : (c.warnings as Record<string, readonly string[]> | undefined)?.[files[0] as string]) ?? [];
          assert.deepEqual(
            warnings.map((w) => w.summary),
            expectedWarnings,
            r.stderr,
          );
          for (const w of warnings)
            assert.match(w.at, new RegExp(`^  --> ${files[0]?.replace(/[.]/g, '\\.')}:\\d+:\\d+$`), `${w.summary} points at its source`);
          if (!expectedWarnings.length) assert.equal(r.stderr, '', 'no warnings');
          return;
        }
        const expected = JSON.parse(read('expected-error.json')) as ExpectedError;
        const where = c.errorPositions?.[files[0] as string] ?? expected;
        assert.equal(r.status, 2, r.stderr);
        assert.equal(r.stdout, '');
        // The first error as main() renders it: the message, then where it points.
        const lines = r.stderr.split('\n');
        const at = lines.findIndex((l) => l.startsWith('error: '));
        const message = expected.detail ? `${expected.summary}: ${expected.detail}` : expected.summary;
        assert.ok(lines[at] === `error: ${message}` || (!expected.detail && lines[at]?.startsWith(`error: ${message}: `)), `first error:\n${r.stderr}`);
        assert.equal(lines[at + 1], `  --> ${files[0]}:${where.line}:${where.column}`);
      });
    }
  }
});
