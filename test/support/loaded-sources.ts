/**
 * Which of bake's source files a run of bin/bake loaded: a loader hook
 * (NODE_OPTIONS=--import) writes down every module URL the process loads,
 * and each loaded chunk of dist/ names its sources in its source map. For
 * tests that keep a command from loading what it does not need (the
 * BuildKit client, ~110 ms, on a `bake dev` that builds nothing).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { repoRoot } from './fixtures.js';

// The hooks run on the loader's own thread: they append to a file, which the test reads once bake has exited.
const HOOKS = `import { appendFileSync } from 'node:fs';
let out = '';
export function initialize(data) { out = data.out; }
export async function load(url, context, next) { appendFileSync(out, url + '\\n'); return next(url, context); }
`;
const REGISTER = (out: string): string => `import { register } from 'node:module';
register('./loaded-hooks.mjs', import.meta.url, { data: { out: ${JSON.stringify(out)} } });
`;

export interface LoadedSources {
  /** Added to bake's environment: only this process records (the server it starts does not inherit NODE_OPTIONS). */
  readonly env: Record<string, string>;
  /** The repo-relative source files (`src/buildkit/build.ts`) of every dist chunk loaded so far. */
  sources(): Set<string>;
}

/** Records the modules of runs given `env`, into files in `dir`. */
export function recordLoadedSources(dir: string): LoadedSources {
  const out = join(dir, 'loaded-modules.txt');
  writeFileSync(join(dir, 'loaded-hooks.mjs'), HOOKS);
  writeFileSync(join(dir, 'loaded-register.mjs'), REGISTER(out));
  writeFileSync(out, '');
  const root = repoRoot();
  return {
    env: { NODE_OPTIONS: `--import=${pathToFileURL(join(dir, 'loaded-register.mjs')).href}` },
    sources: () => {
      const found = new Set<string>();
      for (const url of new Set(readFileSync(out, 'utf8').split('\n'))) {
        if (!url.startsWith('file:')) continue;
        const map = `${fileURLToPath(url)}.map`;
        if (!existsSync(map)) continue;
        for (const source of (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources) found.add(relative(root, resolve(dirname(map), source)));
      }
      return found;
    },
  };
}
