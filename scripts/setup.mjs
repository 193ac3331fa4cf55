// Installs dependencies when they are missing or stale, then builds: the
// first step of both README commands, so each works on a fresh clone.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

export function setup() {
  const installed = `${root}node_modules/.package-lock.json`;
  if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(`${root}package-lock.json`).mtimeMs) {
    run('npm', ['ci', '--no-audit', '--no-fund']);
  }
  run(process.execPath, [`${root}scripts/build.mjs`]);
  run(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.json`]);
}

if (import.meta.url === `file://${process.argv[1]}`) setup();
