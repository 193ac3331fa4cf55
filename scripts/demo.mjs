// The main job on a real example: set up, then resolve the example project's
// bake file exactly as `docker buildx bake --print` would, and list it.
import { execFileSync } from 'node:child_process';
import { setup } from './setup.mjs';

const root = new URL('..', import.meta.url).pathname;
setup();
const example = `${root}examples/shop`;
const bake = (...args) => {
  process.stdout.write(`\n$ bake ${args.join(' ')}   (in examples/shop)\n`);
  execFileSync(`${root}bin/bake`, args, { cwd: example, stdio: 'inherit' });
};
bake('--print');
bake('--list', 'targets');
bake('--list', 'variables');
bake('dev', '--print');
