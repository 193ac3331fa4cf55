/**
 * The pure core does no I/O (architecture.md): in src/core, src/bakefile,
 * src/graph, src/dockerfile and src/golang, only bakefile/load.ts may touch the disk, and nothing reads
 * the environment, the clock or the working directory; the world is passed in.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/fixtures.js';

const FORBIDDEN: ReadonlyArray<[RegExp, string]> = [
  [/from 'node:(fs|fs\/promises|net|child_process|os|http|https|dgram|tls)'/, 'an I/O module'],
  [/\bprocess\.(env|cwd|argv|stdin|stdout|stderr)\b/, 'process state'],
  [/\bDate\.now\(|new Date\(\)/, 'the clock'],
];
const ALLOWED = new Set(['src/bakefile/load.ts']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

test('src/core, src/bakefile, src/graph, src/dockerfile and src/golang do no I/O outside bakefile/load.ts', () => {
  const root = repoRoot();
  const files = ['core', 'bakefile', 'graph', 'dockerfile', 'golang'].flatMap((dir) => sources(join(root, 'src', dir)));
  assert.ok(files.length > 40);
  const offenders: string[] = [];
  for (const file of files) {
    const name = relative(root, file);
    if (ALLOWED.has(name)) continue;
    const text = readFileSync(file, 'utf8');
    for (const [pattern, what] of FORBIDDEN) if (pattern.test(text)) offenders.push(`${name} uses ${what}`);
  }
  assert.deepEqual(offenders, []);
});
