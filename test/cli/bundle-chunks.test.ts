/**
 * Every chunk of the bundle loads (issue 11). esbuild can emit a chunk that
 * throws as soon as it is imported: jsonc-parser's UMD build require()d
 * './impl/format', a file the bundle does not have, and bin/bake failed on
 * every JSON bake file. A chunk that no fixture or CLI test reaches would
 * fail only for the user who reaches it, so each dist/*.mjs is imported
 * here, in a child process (nothing of the bundle loads into the test
 * runner); the entry, which runs the CLI when imported, runs as
 * `bake --version`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/fixtures.js';

const dist = join(repoRoot(), 'dist');
const ENTRY = 'bake.mjs';

/** Imports each file named in argv, then prints {failures} as the last line of stdout and exits (a chunk may hold the loop open). */
const IMPORT_EACH = `
const failures = [];
for (const file of process.argv.slice(1)) {
  if (file.endsWith('/${ENTRY}')) process.argv = [process.argv[0], 'bake', '--version'];
  try {
    await import(file);
  } catch (e) {
    failures.push({ file, error: String(e && e.stack || e) });
  }
}
process.stdout.write('\\n' + JSON.stringify({ failures }) + '\\n', () => process.exit(0));
`;

test('every chunk in dist/ imports without an error', () => {
  const chunks = readdirSync(dist).filter((f) => f.endsWith('.mjs'));
  assert.ok(chunks.includes(ENTRY), `no ${ENTRY} in dist/: run npm run build`);
  // Format readers and commands are split out: far more than a handful of chunks.
  assert.ok(chunks.length >= 10, `only ${chunks.length} chunks: ${chunks.join(', ')}`);
  // The entry last: its --version run prints before the result line.
  const files = [...chunks.filter((f) => f !== ENTRY), ENTRY].map((f) => join(dist, f));
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', IMPORT_EACH, ...files], { cwd: dist, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout.trimEnd().split('\n').at(-1) ?? '') as { failures: Array<{ file: string; error: string }> };
  assert.deepEqual(result.failures, []);
  assert.match(r.stdout, /^bake \d+\.\d+\.\d+/m, 'the entry ran as bake --version');
});
