/**
 * The dev protocol's generated TypeScript is checked in: regenerating it from
 * proto/dev (scripts/proto-dev.mjs, as `npm run proto:dev` does)
 * must give the same files, so a proto changed without regenerating fails
 * here. The generator comes from node_modules (buf and ts-proto): a missing
 * one fails this test, never skips it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../support/fixtures.js';
import { tempDir } from '../support/temp-dir.js';

interface Generator {
  readonly GENERATED_DIR: string;
  readonly generateDevProtocol: (out: string) => void;
}

/** The files in `dir` (the generator writes no subdirectory), by name, with their text. */
function files(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

test('src/dev/protocol/generated is what proto/dev generates (else run npm run proto:dev)', async () => {
  const { GENERATED_DIR, generateDevProtocol } = (await import(pathToFileURL(join(repoRoot(), 'scripts', 'proto-dev.mjs')).href)) as Generator;
  const out = tempDir('bake-proto-dev-');
  generateDevProtocol(out);
  const fresh = files(out);
  assert.deepEqual(Object.keys(fresh).sort(), ['dev.ts', 'messages.ts'], 'the generator wrote the dev protocol: its service, and its messages apart');
  const checkedIn = files(GENERATED_DIR);
  assert.deepEqual(Object.keys(checkedIn), Object.keys(fresh), 'the same files');
  for (const [name, text] of Object.entries(fresh)) assert.ok(checkedIn[name] === text, `${name} differs from what proto/dev generates: run npm run proto:dev`);
});
