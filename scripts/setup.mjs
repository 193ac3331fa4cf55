// Installs dependencies when they are missing or stale, then builds: the
// first step of both README commands, so each works on a fresh clone.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

export function setup() {
  const installed = `${root}node_modules/.package-lock.json`;
  if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(`${root}package-lock.json`).mtimeMs) {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit', env: { ...process.env, ...nodeHeaders() } });
  }
  run(process.execPath, [`${root}scripts/build.mjs`]);
  // tsc never removes what it compiled before: a deleted test would keep running from build/.
  rmSync(`${root}build`, { recursive: true, force: true });
  run(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.json`]);
}

/**
 * node-pty has no prebuilt binary for linux-x64, so npm builds it with
 * node-gyp, which downloads Node's headers unless told where they are: on an
 * offline machine, or in a fresh HOME without the user's .npmrc, that fails.
 * Debian's nodejs (and NodeSource's) ship them beside the binary.
 */
function nodeHeaders() {
  if (process.env.npm_config_nodedir) return {};
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node.h')) ? { npm_config_nodedir: prefix } : {};
}

if (import.meta.url === `file://${process.argv[1]}`) setup();
