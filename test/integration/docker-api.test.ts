/**
 * The Engine API client against the real engine (requireEngine fails the
 * run when none answers). Everything made here carries the label
 * bake.test=<run id> and is removed at the end.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { BUSYBOX_IMAGE, importBusyboxImage } from '../../src/docker/busybox-image.js';
import { DockerEngine } from '../../src/docker/engine-api.js';
import { EngineApiError, isNotFound } from '../../src/docker/errors.js';
import { labelFilters } from '../../src/docker/filters.js';
import type { HijackedStream } from '../../src/docker/hijacked.js';
import { collectOutput } from '../../src/docker/stdcopy.js';
import { tarArchive } from '../../src/docker/tar.js';
import type { ContainerSpec } from '../../src/docker/types.js';
import { requireEngine } from '../support/engine.js';

const run = randomBytes(4).toString('hex');
const labels = { 'bake.test': run };
const byRun = { label: labelFilters(labels) };
let engine: DockerEngine;
const signal = (): AbortSignal => AbortSignal.timeout(30_000);

before(async () => {
  engine = new DockerEngine(await requireEngine());
  await importBusyboxImage(engine, signal());
});

after(async () => {
  if (!engine) return;
  for (const c of await engine.containers.list(byRun, signal())) await engine.containers.remove(c.Id, { force: true }, signal());
  for (const n of await engine.networks.list(byRun, signal())) await engine.networks.remove(n.Id, signal());
  for (const v of await engine.volumes.list(byRun, signal())) await engine.volumes.remove(v.Name, {}, signal());
  engine.close();
});

const busybox = (spec: Omit<ContainerSpec, 'Image'>): ContainerSpec => ({ Image: BUSYBOX_IMAGE, Labels: labels, ...spec });

/** Reads output until `pattern` shows up (TTY output arrives in arbitrary pieces). */
async function readUntil(stream: HijackedStream, pattern: RegExp): Promise<string> {
  let text = '';
  for await (const f of stream.frames()) {
    text += f.data.toString('utf8');
    if (pattern.test(text)) return text;
  }
  assert.fail(`the stream ended before ${pattern}; it said: ${JSON.stringify(text)}`);
}

test('ping and version', async () => {
  assert.equal(await engine.ping(signal()), true);
  const v = await engine.version(signal());
  assert.match(v.ApiVersion, /^1\.\d+$/);
  assert.equal(v.Os, 'linux');
});

test('image import, inspect, tag, list by label, remove', async () => {
  const tar = tarArchive([{ type: 'file', path: 'hello.txt', data: Buffer.from(`hi ${run}\n`) }]);
  const id = await engine.images.import(
    Readable.from([tar]),
    { repo: 'bake-test/tiny', tag: run, changes: [`LABEL bake.test=${run}`, 'CMD ["/nothing"]'] },
    signal(),
  );
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  const image = await engine.images.inspect(`bake-test/tiny:${run}`, signal());
  assert.equal(image.Id, id);
  assert.equal(image.Config.Labels?.['bake.test'], run);
  assert.deepEqual(image.Config.Cmd, ['/nothing']);

  await engine.images.tag(id, 'bake-test/tiny-alias', run, signal());
  const listed = await engine.images.list(byRun, signal());
  assert.deepEqual(
    listed.map((i) => i.Id),
    [id],
  );
  assert.deepEqual([...(listed[0]?.RepoTags ?? [])].sort(), [`bake-test/tiny-alias:${run}`, `bake-test/tiny:${run}`]);

  await engine.images.remove(`bake-test/tiny-alias:${run}`, {}, signal());
  await engine.images.remove(`bake-test/tiny:${run}`, {}, signal());
  await assert.rejects(engine.images.inspect(id, signal()), (e: unknown) => isNotFound(e));
});

test('a failed import reports the engine message', async () => {
  await assert.rejects(engine.images.import(Readable.from([Buffer.from('not a tar')]), { repo: 'bake-test/broken', tag: run }, signal()), EngineApiError);
});

test('container create, start, wait, logs, list by label, remove', async () => {
  const id = await engine.containers.create(busybox({ Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'] }), `bake-test-${run}-logs`, signal());
  const exited = engine.containers.wait(id, 'next-exit', signal());
  await engine.containers.start(id, signal());
  assert.equal((await exited).StatusCode, 3);

  assert.deepEqual(await collectOutput(engine.containers.logs(id, { tty: false }, signal())), { stdout: 'out\n', stderr: 'err\n' });
  const inspected = await engine.containers.inspect(id, signal());
  assert.equal(inspected.State.Status, 'exited');
  assert.equal(inspected.Config.Labels?.['bake.test'], run);
  assert.ok((await engine.containers.list(byRun, signal())).some((c) => c.Id === id));
  assert.ok(
    !(await engine.containers.list({ label: [`bake.test=other-${run}`] }, signal())).some((c) => c.Id === id),
    'a different label value matches nothing',
  );

  await engine.containers.remove(id, {}, signal());
  await assert.rejects(engine.containers.inspect(id, signal()), (e: unknown) => isNotFound(e));
});

test('attach without a TTY: stdin in, stdout and stderr apart, end of stdin seen', async () => {
  const id = await engine.containers.create(
    busybox({ Cmd: ['sh', '-c', 'read line; echo got:$line; cat >/dev/null; echo eof >&2'], OpenStdin: true, StdinOnce: true }),
    undefined,
    signal(),
  );
  const stream = await engine.containers.attach(id, { tty: false, stdin: true }, signal());
  await engine.containers.start(id, signal());
  stream.write('hello\n');
  stream.endStdin();
  assert.deepEqual(await collectOutput(stream.frames()), { stdout: 'got:hello\n', stderr: 'eof\n' });
  assert.equal((await engine.containers.wait(id, 'not-running', signal())).StatusCode, 0);
});

test('attach with a TTY, resized before the process reads its size', async () => {
  const id = await engine.containers.create(
    busybox({ Cmd: ['sh', '-c', 'read go; stty size; echo got:$go'], Tty: true, OpenStdin: true }),
    undefined,
    signal(),
  );
  const stream = await engine.containers.attach(id, { tty: true, stdin: true }, signal());
  await engine.containers.start(id, signal());
  await engine.containers.resize(id, { rows: 33, columns: 101 }, signal());
  stream.write('now\r');
  const text = await readUntil(stream, /got:now/);
  assert.match(text, /33 101/);
  stream.close();
});

test('exec with a TTY: a terminal, resize, stdin, exit code', async () => {
  const id = await engine.containers.create(busybox({ Cmd: ['sleep', '300'] }), undefined, signal());
  await engine.containers.start(id, signal());
  const exec = await engine.execs.create(
    id,
    { Cmd: ['sh', '-c', 'read go; tty; stty size; echo got:$go; exit 7'], Tty: true, AttachStdin: true, AttachStdout: true, AttachStderr: true },
    signal(),
  );
  const stream = await engine.execs.start(exec, true, signal());
  await engine.execs.resize(exec, { rows: 21, columns: 77 }, signal());
  stream.write('yes\r');
  const text = await readUntil(stream, /got:yes/);
  assert.match(text, /\/dev\/pts\/\d+/);
  assert.match(text, /21 77/);
  for await (const _ of stream.frames()); // until the process exits
  const inspected = await engine.execs.inspect(exec, signal());
  assert.equal(inspected.Running, false);
  assert.equal(inspected.ExitCode, 7);
  await engine.containers.remove(id, { force: true }, signal());
});

test('the events stream sees a container start', async () => {
  const controller = new AbortController();
  const events = await engine.events({ type: ['container'], event: ['start'], label: labelFilters(labels) }, AbortSignal.any([controller.signal, signal()]));
  const id = await engine.containers.create(busybox({ Cmd: ['true'] }), undefined, signal());
  await engine.containers.start(id, signal());
  for await (const e of events) {
    if (e.Actor.ID !== id) continue;
    assert.equal(e.Action, 'start');
    assert.equal(e.Actor.Attributes['bake.test'], run);
    break;
  }
  controller.abort();
});

test('networks and volumes with labels', async () => {
  const net = await engine.networks.create({ Name: `bake-test-${run}`, Labels: labels }, signal());
  assert.equal((await engine.networks.inspect(net, signal())).Name, `bake-test-${run}`);
  assert.deepEqual(
    (await engine.networks.list(byRun, signal())).map((n) => n.Id),
    [net],
  );
  await engine.networks.remove(net, signal());

  const volume = await engine.volumes.create({ Name: `bake-test-${run}`, Labels: labels }, signal());
  assert.equal((await engine.volumes.inspect(volume.Name, signal())).Labels?.['bake.test'], run);
  assert.deepEqual(
    (await engine.volumes.list(byRun, signal())).map((v) => v.Name),
    [`bake-test-${run}`],
  );
  await engine.volumes.remove(volume.Name, {}, signal());
});

test('an aborted call rejects at once', async () => {
  const controller = new AbortController();
  const pending = engine.version(controller.signal);
  controller.abort(new Error('stop'));
  await assert.rejects(pending);
});
