// The whole test suite: set up (dependencies, build, and an engine for the
// integration tests, started here and stopped afterwards if none was running),
// then every compiled test file under build/test with node's own runner
// (its closing lines are what CI reads).
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setup } from './setup.mjs';

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

// Without an engine the integration and e2e tests fail (never skip); ensure-engine says how to get one.
let startedEngine = false;
if (selected.some((f) => f.includes(join('test', 'integration')) || f.includes(join('test', 'e2e')))) {
  const ensured = spawnSync('bash', [join(root, 'scripts', 'ensure-engine.sh')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  startedEngine = ensured.stdout.includes('started');
}
// A hung test fails after 5 minutes instead of running into CI's time limit.
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-timeout=300000', ...selected], { cwd: root, stdio: 'inherit' });
if (startedEngine) execFileSync(join(root, 'bin', 'bake'), ['engine', 'stop'], { cwd: root, stdio: 'ignore' });
process.exit(result.status ?? 1);
