// The whole test suite: set up (dependencies, build), lint (ESLint at zero
// warnings; the layering check is a unit test), the format check (Prettier), run the unit and CLI tests
// once, then the integration and end-to-end tests on every test engine
// (scripts/test-engines.mjs: Docker 20.10 and Docker 26, or DOCKER_HOST's),
// each with node's own runner. The last line sums them all up as
// "N passed, N failed" (lint counts as one), which CI reads.
// `node scripts/test.mjs FILTER…` runs the test files whose path contains a FILTER, without lint.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setup } from './setup.mjs';
import { prepareEngine, testEngines } from './test-engines.mjs';

const root = new URL('..', import.meta.url).pathname;
setup();

const files = [];
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.test.js')) files.push(p);
  }
};
walk(join(root, 'build', 'test'));
files.sort();
const filter = process.argv.slice(2);
const selected = filter.length ? files.filter((f) => filter.some((s) => f.includes(s))) : files;
const needsEngine = (f) => f.includes(join('test', 'integration')) || f.includes(join('test', 'e2e'));

const runs = [];
if (!filter.length) runs.push(check('lint', 'eslint/bin/eslint.js', '--max-warnings=0', '.'));
if (!filter.length) runs.push(check('format', 'prettier/bin/prettier.cjs', '--check', '**/*.{ts,js,mjs}'));
// What the tests use beyond Node (GNU time for the CLI fuzzer; dockerd and the rest for the engine tests), installed first where missing.
if (selected.length) {
  const installed = spawnSync('bash', [join(root, 'scripts', 'install-packages.sh'), 'tests'], { stdio: 'inherit' });
  if (installed.status !== 0) process.stdout.write('# the packages the tests need are missing (see above)\n');
}
const engineFree = selected.filter((f) => !needsEngine(f));
if (engineFree.length) runs.push({ label: 'unit and CLI', ...(await runTests(engineFree, {})) });
const engineTests = selected.filter(needsEngine);
if (engineTests.length) {
  // Without an engine these tests fail (never skip): install-packages (above) and prepareEngine say how to get one.
  for (const engine of testEngines()) {
    const chosen = engine.only ? engineTests.filter((f) => engine.only.some((o) => f.endsWith(o))) : engineTests;
    if (!chosen.length) continue;
    process.stdout.write(`\n# integration and end-to-end tests on ${engine.name}\n`);
    const started = Date.now();
    let prepared;
    try {
      prepared = prepareEngine(engine);
    } catch (e) {
      process.stdout.write(`# ${engine.name}: ${e.message}\n`);
      runs.push({ label: engine.name, pass: 0, fail: chosen.length, skipped: 0, ms: Date.now() - started, note: 'no engine' });
      continue;
    }
    try {
      runs.push({ label: engine.name, ...(await runTests(chosen, prepared.env)) });
    } finally {
      prepared.stop();
    }
  }
}

process.stdout.write('\n# summary\n');
for (const r of runs)
  process.stdout.write(
    `# ${r.label}: ${r.pass} passed, ${r.fail} failed, ${r.skipped} skipped, ${(r.ms / 1000).toFixed(0)} s${r.note ? ` (${r.note})` : ''}\n`,
  );
const pass = runs.reduce((n, r) => n + r.pass, 0);
const fail = runs.reduce((n, r) => n + r.fail, 0);
process.stdout.write(`${pass} passed, ${fail} failed\n`);
process.exit(fail > 0 || runs.length === 0 ? 1 : 0);

/** A dev tool's check (`bin` under node_modules, as its npm script runs it): one check that passes or fails, its findings printed. */
function check(label, bin, ...args) {
  process.stdout.write(`# ${label}\n`);
  const started = Date.now();
  const { status } = spawnSync(process.execPath, [join(root, 'node_modules', bin), ...args], { cwd: root, stdio: 'inherit' });
  process.stdout.write(`# ${label} ${status === 0 ? 'passed' : 'failed'}\n`);
  return { label, pass: status === 0 ? 1 : 0, fail: status === 0 ? 0 : 1, skipped: 0, ms: Date.now() - started };
}

/** Runs node's test runner on `list` (spec output passed through) and reads its closing counts. */
function runTests(list, env) {
  const started = Date.now();
  // A hung test fails after 5 minutes instead of running into CI's time limit.
  const child = spawn(process.execPath, ['--test', '--test-reporter=spec', '--test-timeout=300000', ...list], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    output += chunk.toString();
  });
  return new Promise((resolve) => {
    child.on('close', (status) => {
      // The runner's closing counts (the list of failing tests may follow them).
      const count = (name) => Number([...output.matchAll(new RegExp(`^ℹ ${name} (\\d+)$`, 'gm'))].at(-1)?.[1] ?? 0);
      const fail = count('fail') + count('cancelled') + (status !== 0 && count('fail') + count('cancelled') === 0 ? 1 : 0);
      resolve({ pass: count('pass'), fail, skipped: count('skipped') + count('todo'), ms: Date.now() - started });
    });
  });
}
