/**
 * `bake dev ls` and `bake server status` answer in under 0.3 s, and `bake
 * dev stop` as soon as the server has (issue 15, fast paths): Node alone
 * starts in ~0.19 s on CI, so these commands may load only the server's
 * client. What a command loads is read from the
 * bundle itself: each dist/ chunk bin/bake imports (seen by a module hook)
 * names its sources in its source map, and none may be the bake file
 * reader, the BuildKit client, proto-loader and protobufjs (which grpc-js
 * names but never calls for a client), the build view or the terminal.
 * A wall-clock bar would pass or fail with the machine's load; this does not.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/fixtures.js';
import { tempDir } from '../support/temp-dir.js';

const scratch = tempDir('bake-light-');

/** A resolve hook (in the hooks thread) that appends each dist/ URL to LOADED. */
const HOOKS = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.includes('/dist/')) appendFileSync(process.env.LOADED, r.url + '\\n');
  return r;
}`;
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`;

/** What no command that only asks the server may load. */
const HEAVY = [
  /src\/bakefile\/(hcl|evaluate|expr\/stdlib)\//,
  /src\/bakefile\/(resolve|expr\/evaluate)\.ts$/,
  /src\/buildkit\/(?!package-root\.ts)/,
  /src\/orchestrate\//,
  /node_modules\/(protobufjs|@grpc\/proto-loader|listr2|@xterm)\//,
];

/** The sources of each dist/ chunk `args` loads. */
function sourcesLoaded(args: readonly string[]): Map<string, string[]> {
  const dir = mkdtempSync(join(scratch, 'run-'));
  const runtime = join(dir, 'run');
  mkdirSync(runtime, { mode: 0o700 });
  const loaded = join(dir, 'loaded');
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, join(repoRoot(), 'bin', 'bake'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    // No server runs here: the command loads what it needs to ask one and says there is none.
    env: { ...process.env, XDG_RUNTIME_DIR: runtime, XDG_STATE_HOME: join(dir, 'state'), LOADED: loaded },
    timeout: 30_000,
  });
  // No server: `dev stop` says there is no session to stop (exit 1); the others answer.
  assert.ok(r.status === 0 || /no bake dev session is running/.test(r.stderr), r.stderr);
  const chunks = [...new Set(readFileSync(loaded, 'utf8').trim().split('\n'))].map((url) => new URL(url).pathname);
  return new Map(chunks.map((file) => [basename(file), (JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }).sources]));
}

for (const args of [
  ['dev', 'ls'],
  ['dev', 'stop'],
  ['server', 'status'],
]) {
  test(`bake ${args.join(' ')} loads only the server's client`, () => {
    const loaded = sourcesLoaded(args);
    const all = [...loaded.values()].flat();
    // The hook saw the command's own code: the check below is not vacuous.
    assert.ok(
      all.some((s) => s.endsWith('src/dev/client/server-calls.ts')),
      `no chunk with the server's client among ${[...loaded.keys()].join(', ')}`,
    );
    for (const [chunk, sources] of loaded) {
      const heavy = sources.filter((s) => HEAVY.some((h) => h.test(s)));
      assert.deepEqual(heavy, [], `${chunk} is loaded by bake ${args.join(' ')}`);
    }
  });
}
