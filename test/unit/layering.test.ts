/**
 * The layering check (issue 12): dependency-cruiser with .dependency-cruiser.mjs,
 * whose rules mirror architecture.md's module map (imports only go down the
 * list of folders, no import cycles, no I/O modules in the pure folders,
 * buildkit/ never imports the bake model). It runs on src/ as it is, and on a
 * small tree with one wrong-way import of each kind, so a rule that stopped
 * biting would fail here too.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/fixtures.js';
import { tempDir } from '../support/temp-dir.js';

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}
interface CruiseResult {
  readonly modules: ReadonlyArray<{ readonly source: string; readonly dependencies: ReadonlyArray<{ readonly resolved: string }> }>;
  readonly summary: { readonly violations: readonly Violation[] };
}

const CONFIG = join(repoRoot(), '.dependency-cruiser.mjs');

/** Runs dependency-cruiser's CLI on `cwd`'s src/, as `npm run layers` does. */
function cruise(cwd: string): CruiseResult {
  const cli = join(repoRoot(), 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const run = spawnSync(process.execPath, [cli, 'src', '--config', CONFIG, '--output-type', 'json'], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.error) throw run.error;
  try {
    return JSON.parse(run.stdout) as CruiseResult;
  } catch {
    assert.fail(`dependency-cruiser gave no result (exit ${String(run.status)}):\n${run.stderr}`);
  }
}

const shown = (v: Violation): string => `${v.rule.name}: ${v.from} → ${v.to}`;

test('src/ keeps the module map: no wrong-way import, no import cycle, no I/O in the pure folders', () => {
  const result = cruise(repoRoot());
  assert.ok(result.modules.length > 100, 'dependency-cruiser found the sources');
  assert.deepEqual(result.summary.violations.map(shown), []);
});

test('the check fails on each kind of wrong-way import', () => {
  const dir = tempDir('bake-layering-');
  const files: Record<string, string> = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src/**/*.ts'] }),
    'src/cli/args.ts': 'export const args = 1;\n',
    'src/dev/monitor.ts': "import { args } from '../cli/args.js';\nexport const m = args;\n",
    'src/buildkit/session/index.ts': 'export interface BuildSession { id: string }\n',
    'src/graph/plan.ts': "import type { BuildSession } from '../buildkit/session/index.js';\nexport type P = BuildSession;\n",
    'src/bakefile/model.ts': 'export interface Target { name: string }\n',
    'src/bakefile/entries.ts': 'export const entries = 1;\n',
    'src/bakefile/load.ts': "import { readFileSync } from 'node:fs';\nexport const load = readFileSync;\n",
    'src/bakefile/read.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
    'src/buildkit/build.ts': "import type { Target } from '../bakefile/model.js';\nexport type B = Target;\n",
    'src/buildkit/dial.ts': "import type { Target } from '../bakefile/model.js';\nexport type D = Target;\n",
    'src/buildkit/session/auth.ts': "import { entries } from '../../bakefile/entries.js';\nexport const s = entries;\n",
    'src/core/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
    'src/core/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  assert.deepEqual(cruise(dir).summary.violations.map(shown).sort(), [
    // Every buildkit/ file, type-only imports and subfolders too: it takes a build spec, never the bake model.
    'buildkit-not-bake-model: src/buildkit/build.ts → src/bakefile/model.ts',
    'buildkit-not-bake-model: src/buildkit/dial.ts → src/bakefile/model.ts',
    'buildkit-not-bake-model: src/buildkit/session/auth.ts → src/bakefile/entries.ts',
    'layer-dev: src/dev/monitor.ts → src/cli/args.ts',
    'layer-graph: src/graph/plan.ts → src/buildkit/session/index.ts',
    // A cycle is reported once.
    'no-circular: src/core/a.ts → src/core/b.ts',
    // load.ts may read the disk; no other bakefile/ file.
    'pure-no-io: src/bakefile/read.ts → fs',
  ]);
});
