/**
 * `bake dev --watch` rules (issue 15): read from an HCL `watch` block and a
 * compose `develop.watch` alike, checked where they are written, and the
 * pure planning of a burst of changes (which rule a path hits, ignore and
 * .dockerignore patterns, one batch per service).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BakeFileError, type Diagnostic } from '../../src/core/diagnostics.js';
import { resolveDevEnvironment, type DevEnvironment } from '../../src/bakefile/dev-environment.js';
import { evaluateSources } from '../../src/bakefile/pipeline.js';
import type { Target } from '../../src/bakefile/model.js';
import { compileRules, ignoredEverywhere, planChanges, rulesHit, watchRoots } from '../../src/dev/watch/rules.js';
import { FIXED_WORLD } from '../support/fixed-world.js';

async function dev(filename: string, text: string): Promise<DevEnvironment> {
  const evaluated = await evaluateSources({
    sources: [{ filename, text }],
    env: () => undefined,
    localPlatform: 'linux/amd64',
    world: FIXED_WORLD,
    warn: () => undefined,
  });
  return resolveDevEnvironment(evaluated, [], { overrides: new Map(), sourceDateEpoch: undefined, warn: () => undefined });
}

async function errorOf(filename: string, text: string): Promise<{ summary: string; line: number | undefined; fix: string | undefined }> {
  const err = await dev(filename, text).then(
    () => assert.fail('expected an error'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof BakeFileError, `expected a BakeFileError, got ${String(err)}`);
  const d = err.diagnostics[0] as Diagnostic;
  return { summary: d.summary, line: d.range?.start.line, fix: d.fix };
}

const HCL = `target "api" {
  context = "api"
}
service "api" {
  target = "api"
  watch {
    action = "sync"
    path = "api/src"
    target = "/app/src"
    ignore = ["*.tmp"]
  }
  watch {
    action = "rebuild"
    path = "api/package.json"
  }
}
`;

const COMPOSE = `services:
  api:
    build: ./api
    develop:
      watch:
        - action: sync
          path: ./api/src
          target: /app/src
          ignore:
            - "*.tmp"
        - action: rebuild
          path: ./api/package.json
`;

test('an HCL watch block and a compose develop.watch item read as the same rules', async () => {
  const hcl = await dev('docker-bake.hcl', HCL);
  const compose = await dev('compose.yaml', COMPOSE);
  const expected = [
    { action: 'sync', path: 'api/src', target: '/app/src', ignore: ['*.tmp'] },
    { action: 'rebuild', path: 'api/package.json' },
  ];
  assert.deepEqual(hcl.services[0]?.watch, expected);
  assert.deepEqual(
    compose.services[0]?.watch?.map((r) => ({ ...r, path: r.path?.replace(/^\.\//, '') })),
    expected,
  );
});

test('a wrong watch rule is refused at its line, with the fix', async () => {
  const bad = (rule: string, extra = ''): string =>
    `target "api" {\n  context = "api"\n}\nservice "api" {\n  target = "api"\n${extra}  watch {\n${rule}  }\n}\n`;
  let e = await errorOf('docker-bake.hcl', bad('    action = "copy"\n    path = "api"\n    target = "/app"\n'));
  assert.equal(e.summary, 'invalid watch action "copy" in service "api"');
  assert.equal(e.line, 6);
  assert.match(e.fix ?? '', /"sync".*"sync\+restart".*"rebuild"/);
  e = await errorOf('docker-bake.hcl', bad('    action = "sync"\n    path = "api"\n'));
  assert.equal(e.summary, 'the sync watch rule of service "api" has no target');
  e = await errorOf('docker-bake.hcl', bad('    action = "rebuild"\n    path = "web/src"\n'));
  assert.equal(e.summary, 'the rebuild watch rule of service "api" watches "web/src", outside the build context "api" of target "api"');
  assert.equal(e.line, 6);
  e = await errorOf('docker-bake.hcl', 'service "db" {\n  image = "postgres"\n  watch {\n    action = "rebuild"\n    path = "."\n  }\n}\n');
  assert.equal(e.summary, 'service "db" runs the image "postgres", so its rebuild watch rule has nothing to build');
  e = await errorOf(
    'docker-bake.hcl',
    'service "h" {\n  runs_on = "host"\n  command = ["make"]\n  watch {\n    action = "sync"\n    path = "."\n    target = "/x"\n  }\n}\n',
  );
  assert.equal(e.summary, 'service "h" runs on the host, so it has no container for its sync watch rule');
  e = await errorOf('compose.yaml', 'services:\n  api:\n    build: ./api\n    develop:\n      watch:\n        - path: ./api\n');
  assert.equal(e.summary, 'services.api.develop.watch.[] has no action');
  assert.equal(e.line, 6);
  e = await errorOf('compose.yaml', 'services:\n  api:\n    build: ./api\n    develop:\n      watch:\n        - action: rebuild\n          path: ./web\n');
  assert.equal(e.summary, 'the rebuild watch rule of service "api" watches "./web", outside the build context "api" of target "api"');
  assert.equal(e.line, 6);
});

const TARGETS = new Map<string, Target>([['api', { name: 'api', context: 'api' }]]);

async function rules(dockerignore?: string): Promise<ReturnType<typeof compileRules>> {
  const { services } = await dev('docker-bake.hcl', HCL);
  return compileRules(services, TARGETS, '/p', (dir) => (dir === '/p/api' ? dockerignore : undefined));
}

test('a changed path hits the rules under whose path it is, unless an ignore pattern or the .dockerignore leaves it out', async () => {
  const compiled = await rules('src/generated\n');
  const hit = (path: string): string[] => rulesHit(compiled, path).map((r) => r.action);
  assert.deepEqual(hit('/p/api/src/main.js'), ['sync']);
  assert.deepEqual(hit('/p/api/src/deep/a.js'), ['sync']);
  assert.deepEqual(hit('/p/api/src/a.tmp'), [], 'the rule ignores *.tmp');
  assert.deepEqual(hit('/p/api/src/generated/x.js'), [], 'the context .dockerignore leaves it out');
  assert.deepEqual(hit('/p/api/package.json'), ['rebuild']);
  assert.deepEqual(hit('/p/api/srcx/a.js'), [], 'a sibling with the same prefix is not under the path');
  assert.deepEqual(hit('/p/api/src/.main.js.swp'), [], "an editor's swap file");
  assert.deepEqual(hit('/p/api/src/4913'), [], "vim's probe file");
  assert.deepEqual(watchRoots(compiled), ['/p/api/package.json', '/p/api/src']);
  assert.equal(ignoredEverywhere(compiled, '/p/api/src/generated'), true);
  assert.equal(ignoredEverywhere(compiled, '/p/api/src/lib'), false);
  assert.equal(ignoredEverywhere(compiled, '/p/api'), false, 'an ancestor of a root is on the way');
  assert.equal(ignoredEverywhere(compiled, '/p/web'), true);
});

test('a burst of changes is one batch per service: copies with their container paths, removals, or one rebuild', async () => {
  const compiled = await rules();
  assert.deepEqual(
    planChanges(compiled, [
      { path: '/p/api/src/a.js', removed: false },
      { path: '/p/api/src/b.js', removed: true },
      { path: '/p/api/src/a.js', removed: false },
      { path: '/p/api/src/c.tmp', removed: false },
    ]),
    [
      {
        service: 'api',
        copies: [{ host: '/p/api/src/a.js', container: '/app/src/a.js' }],
        removals: ['/app/src/b.js'],
        restart: false,
        rebuild: undefined,
      },
    ],
  );
  assert.deepEqual(
    planChanges(compiled, [
      { path: '/p/api/src/a.js', removed: false },
      { path: '/p/api/package.json', removed: false },
    ]),
    [{ service: 'api', copies: [], removals: [], restart: false, rebuild: 'api' }],
    'a rebuild takes the copies with it',
  );
  assert.deepEqual(planChanges(compiled, [{ path: '/p/other.txt', removed: false }]), []);
});

test('a sync+restart rule restarts its service after the copy; a file rule maps to its target itself', async () => {
  const { services } = await dev(
    'docker-bake.hcl',
    'service "web" {\n  image = "nginx"\n  watch {\n    action = "sync+restart"\n    path = "nginx.conf"\n    target = "/etc/nginx/nginx.conf"\n  }\n}\n',
  );
  const compiled = compileRules(services, new Map(), '/p', () => undefined);
  assert.deepEqual(planChanges(compiled, [{ path: '/p/nginx.conf', removed: false }]), [
    { service: 'web', copies: [{ host: '/p/nginx.conf', container: '/etc/nginx/nginx.conf' }], removals: [], restart: true, rebuild: undefined },
  ]);
});
