/**
 * `service` blocks as `bake dev` checks and selects them: every problem is
 * reported at the attribute that causes it (the block label when an
 * attribute is missing), and selecting a service pulls in what it depends on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BakeFileError, type Diagnostic } from '../../src/core/diagnostics.js';
import { resolveDevEnvironment, type DevEnvironment } from '../../src/bakefile/dev-environment.js';
import { evaluateSources } from '../../src/bakefile/pipeline.js';
import { FIXED_WORLD } from '../support/fixed-world.js';

async function dev(text: string, names: readonly string[] = [], warnings: Diagnostic[] = []): Promise<DevEnvironment> {
  const warn = (d: Diagnostic): void => void warnings.push(d);
  const evaluated = await evaluateSources({
    sources: [{ filename: 'docker-bake.hcl', text }],
    env: () => undefined,
    localPlatform: 'linux/amd64',
    world: FIXED_WORLD,
    warn,
  });
  return resolveDevEnvironment(evaluated, names, { overrides: new Map(), sourceDateEpoch: undefined, warn });
}

async function assertError(text: string, names: readonly string[], summary: string, at: readonly [number, number] | undefined): Promise<Diagnostic> {
  const err = await dev(text, names).then(
    () => assert.fail('expected an error'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof BakeFileError, `expected a BakeFileError, got ${String(err)}`);
  const d = err.diagnostics[0] as Diagnostic;
  assert.deepEqual(
    { summary: d.summary, at: d.range && [d.range.filename, d.range.start.line, d.range.start.column] },
    { summary, at: at && ['docker-bake.hcl', ...at] },
  );
  return d;
}

const TARGET = 'target "api" {\n  context = "api"\n}\n';

test('a service needs exactly one of image and target, and the target must exist', async () => {
  await assertError(`${TARGET}service "db" {\n  ports = ["5432"]\n}`, [], 'service "db" has no image or target', [4, 9]);
  await assertError(`${TARGET}service "db" {\n  target = "api"\n  image = "postgres"\n}`, [], 'service "db" sets both image and target', [6, 3]);
  await assertError(`${TARGET}service "web" {\n  target = "ap"\n}`, [], 'service "web" uses target "ap", which is not defined', [5, 3]);
  await assertError('service "web" {\n  target = "api"\n}', [], 'service "web" uses target "api", which is not defined', [2, 3]);
});

test('a compose service with build and image runs what its target builds, tagged with the image', async () => {
  const evaluated = await evaluateSources({
    sources: [{ filename: 'compose.yaml', text: 'services:\n  web:\n    build: .\n    image: myorg/web:dev\n  db:\n    image: postgres:16\n' }],
    env: () => undefined,
    localPlatform: 'linux/amd64',
    world: FIXED_WORLD,
    warn: () => undefined,
  });
  const env = resolveDevEnvironment(evaluated, [], { overrides: new Map(), sourceDateEpoch: undefined, warn: () => undefined });
  assert.deepEqual(
    env.services.map((s) => [s.name, s.target, s.image]),
    [
      ['web', 'web', undefined],
      ['db', undefined, 'postgres:16'],
    ],
  );
  assert.deepEqual(env.resolved.targets.get('web')?.tags, ['myorg/web:dev']);
});

test("ports use compose's short syntax", async () => {
  const service = (port: string): string => `service "db" {\n  image = "postgres"\n  ports = ["5432", ${JSON.stringify(port)}]\n}`;
  for (const ok of ['80', '8080:80', '127.0.0.1:8080:80', '[::1]:8080:80', '8000-8010:8000-8010', '53:53/udp', '9000/tcp', ':80']) {
    assert.deepEqual(
      (await dev(service(ok))).services.map((s) => s.ports),
      [['5432', ok]],
      ok,
    );
  }
  for (const bad of ['http', '80:', '8080:80/icmp', 'a:80', '']) {
    const d = await assertError(service(bad), [], `invalid port "${bad}" in service "db"`, [3, 3]);
    assert.match(d.fix ?? '', /HOST:CONTAINER/);
  }
  // Ranges are read as bake dev publishes them: one that does not pair up is caught at its attribute.
  await assertError(service('9000-9002:80-81'), [], 'invalid port "9000-9002:80-81" in service "db"', [3, 3]);
});

test('volumes and health check durations are checked where they are written', async () => {
  await assertError('service "db" {\n  image = "postgres"\n  volumes = ["bad name:/x"]\n}', [], 'invalid volume "bad name:/x" in service "db"', [3, 3]);
  await assertError(
    'service "db" {\n  image = "postgres"\n  healthcheck {\n    interval = "1 second"\n  }\n}',
    [],
    'invalid interval "1 second" in the healthcheck of service "db"',
    [3, 3],
  );
});

test("init, stop_signal and stop_grace_period (compose's keys) in a service block; a bad grace period at its attribute", async () => {
  const env = await dev('service "db" {\n  image = "postgres"\n  init = true\n  stop_signal = "SIGINT"\n  stop_grace_period = "1m30s"\n}');
  const [db] = env.services;
  assert.deepEqual([db?.init, db?.stop_signal, db?.stop_grace_period], [true, 'SIGINT', '1m30s']);
  await assertError('service "db" {\n  image = "postgres"\n  stop_grace_period = "soon"\n}', [], 'invalid stop_grace_period "soon" in service "db"', [3, 3]);
});

test('depends_on names defined services, without cycles', async () => {
  await assertError('service "a" {\n  image = "x"\n  depends_on = ["b"]\n}', [], 'service "a" depends on "b", which is not defined', [3, 3]);
  const cycle = `service "a" {
  image = "x"
  depends_on = ["b"]
}
service "b" {
  image = "x"
  depends_on = ["c"]
}
service "c" {
  image = "x"
  depends_on = ["a"]
}`;
  const d = await assertError(cycle, [], 'depends_on cycle: a → b → c → a', [11, 3]);
  assert.match(d.fix ?? '', /depends_on/);
  await assertError('service "a" {\n  image = "x"\n  depends_on = ["a"]\n}', [], 'depends_on cycle: a → a', [3, 3]);
});

test('runs_on is container or host; only one service is interactive', async () => {
  assert.equal((await dev('service "a" {\n  image = "x"\n  runs_on = "container"\n}')).services[0]?.runs_on, 'container');
  assert.equal((await dev('service "a" {\n  command = ["make", "watch"]\n  runs_on = "host"\n}')).services[0]?.runs_on, 'host');
  await assertError(
    'service "a" {\n  image = "x"\n  command = ["make"]\n  runs_on = "host"\n}',
    [],
    'service "a" runs on the host, so it takes no image',
    [2, 3],
  );
  await assertError('service "a" {\n  runs_on = "host"\n}', [], 'service "a" runs on the host but has no command', [2, 3]);
  await assertError('service "a" {\n  image = "x"\n  runs_on = "vm"\n}', [], 'invalid runs_on "vm" in service "a"', [3, 3]);
  const two = `service "a" {
  image = "x"
  interactive = true
}
service "b" {
  image = "x"
  interactive = false
}
service "c" {
  image = "x"
  interactive = true
}`;
  await assertError(two, [], 'more than one interactive service: a, c', [11, 3]);
});

test('service blocks are decoded like targets: unknown attributes and blocks, types', async () => {
  await assertError('service "a" {\n  image = "x"\n  imgae = "y"\n}', [], 'Unsupported argument', [3, 3]);
  await assertError('service "a" {\n  image = "x"\n  healthchek {\n  }\n}', [], 'Unsupported block type', [3, 3]);
  await assertError('service "a" {\n  image = "x"\n  ports = "80"\n}', [], 'Unsuitable value type', [3, 11]);
  await assertError('service "a" {\n  image = "x"\n  healthcheck {\n    retries = "many"\n  }\n}', [], 'Unsuitable value type', [4, 15]);
});

const STACK = `${TARGET}
service "_base" {
  environment = { LOG_LEVEL = "debug", TZ = "UTC" }
}
service "db" {
  image = "postgres:16"
}
service "cache" {
  image = "redis"
}
service "api" {
  inherits = ["_base"]
  target = "api"
  depends_on = ["db"]
  environment = { TZ = "Europe/Paris", LOG_LEVEL = null }
}
service "web" {
  image = "nginx"
  depends_on = ["api"]
}`;

test('selecting services pulls in what they depend on, in definition order', async () => {
  const names = async (...selected: string[]): Promise<string[]> => (await dev(STACK, selected)).services.map((s) => s.name);
  assert.deepEqual(await names(), ['db', 'cache', 'api', 'web']);
  assert.deepEqual(await names('web'), ['db', 'api', 'web']);
  assert.deepEqual(await names('cache'), ['cache']);
  assert.deepEqual(await names('api', 'cache'), ['db', 'cache', 'api']);
  await assertError(STACK, ['nope'], 'failed to find service nope', undefined);
  // Templates (names starting with "_") are never selected.
  await assertError(STACK, ['_base'], 'failed to find service _base', undefined);
});

test('selected services resolve the targets they build, and inherit templates', async () => {
  const env = await dev(STACK, ['api']);
  assert.deepEqual([...env.resolved.targets.keys()], ['api']);
  assert.deepEqual(env.resolved.groups.get('default')?.targets, ['api']);
  const api = env.services.find((s) => s.name === 'api');
  // Maps merge over the template; a null value keeps the inherited one.
  assert.deepEqual(api?.environment, { LOG_LEVEL: 'debug', TZ: 'Europe/Paris' });
  assert.equal(api?.inherits, undefined);
  // Only image services: nothing to build, not even a default group.
  const images = await dev(STACK, ['cache']);
  assert.deepEqual([images.resolved.targets.size, images.resolved.groups.size], [0, 0]);
});

test("an environment variable set to null is the client's (kept as null for bake dev to fill), unless it inherits a value", async () => {
  const env = await dev(
    'service "base" {\n  image = "busybox"\n  environment = { TZ = "UTC" }\n}\nservice "api" {\n  inherits = ["base"]\n  environment = { TZ = null, TOKEN = null, MODE = "dev" }\n}\n',
    ['api'],
  );
  assert.deepEqual(env.services.find((s) => s.name === 'api')?.environment, { TZ: 'UTC', TOKEN: null, MODE: 'dev' });
});

test('services expand with a matrix, and a cyclic inherits warns', async () => {
  const matrix = `service "worker" {
  name = "worker-\${n}"
  matrix = { n = ["1", "2"] }
  image = "busybox"
  command = ["echo", n]
}`;
  const env = await dev(matrix);
  assert.deepEqual(
    env.services.map((s) => [s.name, s.command]),
    [
      ['worker-1', ['echo', '1']],
      ['worker-2', ['echo', '2']],
    ],
  );
  const warnings: Diagnostic[] = [];
  const cyclic = `service "a" {
  inherits = ["b"]
  image = "x"
}
service "b" {
  inherits = ["a"]
  image = "y"
}`;
  const out = await dev(cyclic, ['a'], warnings);
  assert.equal(out.services[0]?.image, 'x');
  assert.deepEqual(
    warnings.map((w) => [w.summary, w.range?.start.line, w.range?.start.column]),
    [['inherits cycle a → b → a: "a" is not inherited again', 6, 3]],
  );
});
