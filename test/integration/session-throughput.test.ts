/**
 * A bigger context through the real engine: 500 files, 20 MB, plus 5,000
 * small files. The event loop must stay responsive (the daemon health-checks
 * every second and drops the session on the first slow answer).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { controlClient, type ControlClient } from '../../src/buildkit/control.js';
import { dial, type Dialed } from '../../src/buildkit/dial.js';
import { createSession } from '../../src/buildkit/session/index.js';
import { ensureBusyboxImage } from '../support/busybox-image.js';
import { requireEngine } from '../support/engine.js';

const work = mkdtempSync(join(tmpdir(), 'bake-session-tp-'));
let dialed: Dialed;
let client: ControlClient;

before(async () => {
  const endpoint = await requireEngine();
  // The BusyBox import talks to the engine's socket directly.
  if (endpoint.kind !== 'unix') throw new Error(`The session tests need a unix:// engine, not ${endpoint.address}.`);
  await ensureBusyboxImage(endpoint.socketPath);
  dialed = await dial('docker', { DOCKER_HOST: endpoint.address });
  client = controlClient(dialed);
  const ctx = join(work, 'context');
  for (let d = 0; d < 50; d++) {
    mkdirSync(join(ctx, `big/d${d}`), { recursive: true });
    for (let f = 0; f < 10; f++) writeFileSync(join(ctx, `big/d${d}/f${f}.bin`), randomBytes(40_000));
  }
  for (let d = 0; d < 100; d++) {
    mkdirSync(join(ctx, `small/s${d}`), { recursive: true });
    for (let f = 0; f < 50; f++) writeFileSync(join(ctx, `small/s${d}/n${f}.txt`), `${d}-${f}\n`);
  }
  mkdirSync(join(work, 'df'));
  writeFileSync(join(work, 'df', 'Dockerfile'), 'FROM bake-test/busybox:latest\nCOPY . /ctx\n');
});

after(async () => {
  client?.close();
  await dialed?.close();
  rmSync(work, { recursive: true, force: true });
});

test('20 MB in 5,500 files: one transfer, event loop stays responsive', async () => {
  const session = createSession({
    name: 'throughput',
    sharedKey: `bake-tp-${randomBytes(6).toString('hex')}`,
    dirs: new Map([
      ['context', { path: join(work, 'context') }],
      ['dockerfile', { path: join(work, 'df') }],
    ]),
  });
  const stop = new AbortController();
  session.serve(await client.session(session.metadata(), stop.signal));
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const started = performance.now();
  try {
    await client.solve({ Ref: `bake-tp-${randomBytes(8).toString('hex')}`, Session: session.id, Frontend: 'dockerfile.v0', Exporter: '' }, stop.signal);
  } finally {
    lag.disable();
    stop.abort();
    await session.close();
  }
  const ms = performance.now() - started;
  const ctx = session.stats.get('context')!;
  const maxLagMs = lag.max / 1e6;
  console.log(
    `# ${JSON.stringify(ctx)} in ${ms.toFixed(0)} ms (${(ctx.bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s), max event-loop delay ${maxLagMs.toFixed(1)} ms`,
  );
  assert.equal(ctx.bytes, 500 * 40_000 + sizeOfSmall());
  assert.equal(ctx.requests, 5500);
  // The bound is BuildKit v0.8's: one health check slower than 10 s kills the session (protocol §6.2); speed is bench/context.mjs's.
  assert.ok(maxLagMs < 5_000, `the event loop stalled for ${maxLagMs} ms`);
});

function sizeOfSmall(): number {
  let n = 0;
  for (let d = 0; d < 100; d++) for (let f = 0; f < 50; f++) n += Buffer.byteLength(`${d}-${f}\n`);
  return n;
}
