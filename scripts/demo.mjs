// The main job on a real example: set up, resolve the shop example's bake
// file exactly as `docker buildx bake --print` would, list it, show its dev
// environment, build it (its targets at once, base first through a target:
// link), then bring its dev environment up in the server, list and stop it
// (bake's embedded engine is installed and started when none answers and we may).
import { execFileSync, spawnSync } from 'node:child_process';
import { setup } from './setup.mjs';

const root = new URL('..', import.meta.url).pathname;
setup();
const bake = (example, ...args) => {
  process.stdout.write(`\n$ bake ${args.join(' ')}   (in examples/${example})\n`);
  execFileSync(`${root}bin/bake`, args, { cwd: `${root}examples/${example}`, stdio: 'inherit' });
};
bake('shop', '--print');
bake('shop', '--list', 'targets');
bake('shop', '--list', 'variables');
bake('shop', 'dev', '--print');

const engine = spawnSync('bash', [`${root}scripts/ensure-engine.sh`], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
if (engine.status !== 0) {
  process.stdout.write('\nNo engine for the build step (see above); everything else ran.\n');
} else {
  bake('shop', '--progress=plain');
  // The dev environment, without a terminal to attach: up in the background server, listed, then ended
  // (with its named volume: a demo leaves nothing behind).
  bake('shop', 'dev', '--detach', '--progress=quiet');
  bake('shop', 'dev', 'ls');
  bake('shop', 'dev', 'stop', '--volumes');
  process.stdout.write('\nIn a terminal, `bin/bake dev` in examples/shop does the same and puts you in the dev container (README: "The dev loop").\n');
  if (engine.stdout.includes('started')) process.stdout.write('\nbake started its embedded engine for this; stop it with: bin/bake engine stop\n');
}
