/** Capabilities probed on the real engine (whichever the suite runs on), and the Control calls behind them. */
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { CAP_NAMED_CONTEXTS, hasFrontendCap, probeCapabilities } from '../../src/buildkit/capabilities.js';
import { controlClient } from '../../src/buildkit/control.js';
import { dial } from '../../src/buildkit/dial.js';
import { requireEngine } from '../support/engine.js';

test('capabilities probed on the real engine agree with each other and with what every Docker engine has', async () => {
  const endpoint = await requireEngine();
  const dialed = await dial('docker', { DOCKER_HOST: endpoint.address });
  const client = controlClient(dialed);
  try {
    const started = performance.now();
    const caps = await probeCapabilities(client, AbortSignal.timeout(10_000));
    const ms = performance.now() - started;
    console.log(`probe: ${ms.toFixed(0)} ms, ${JSON.stringify({ ...caps, exporters: [...caps.exporters] })}`);
    // Every dockerd since 20.10 (BuildKit v0.8): frontend inputs, and the moby, local and tar exporters.
    assert.equal(caps.frontendInputs, true);
    for (const exporter of ['local', 'moby', 'tar']) assert.ok(caps.exporters.has(exporter), `the ${exporter} exporter`);
    // Info came with BuildKit v0.11, whose Dockerfile frontend has had named contexts since v0.10: one without the other is a wrong probe.
    if (caps.info !== undefined) assert.equal(caps.namedContexts, true, `Info answers (BuildKit ${caps.info.version}) but named contexts were not found`);
    assert.equal(caps.multiPlatform, caps.exporters.has('image') || caps.exporters.has('oci'));
    assert.ok(caps.platforms.includes('linux/amd64'));
    // A build run asks only this cap, with one Solve: it must answer as the whole probe does.
    assert.equal(await hasFrontendCap(client, CAP_NAMED_CONTEXTS, AbortSignal.timeout(10_000)), caps.namedContexts);
    // Generous: a probe is a handful of Solves that fail at their first check.
    assert.ok(ms < 10_000, `probing took ${ms.toFixed(0)} ms`);
  } finally {
    client.close();
    await dialed.close();
  }
});

test('the dial proxy socket is private (0600 in a 0700 dir) and removed on close', async () => {
  const endpoint = await requireEngine();
  const dialed = await dial(undefined, { DOCKER_HOST: endpoint.address });
  const { statSync, existsSync } = await import('node:fs');
  const path = dialed.target.slice('unix://'.length);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(dirname(path)).mode & 0o777, 0o700);
  const client = controlClient(dialed);
  assert.ok((await client.diskUsage(AbortSignal.timeout(5000))).length >= 0);
  client.close();
  await dialed.close();
  assert.equal(existsSync(path), false);
});

test('an aborted call rejects at once', async () => {
  const endpoint = await requireEngine();
  const dialed = await dial(undefined, { DOCKER_HOST: endpoint.address });
  const client = controlClient(dialed);
  try {
    const abort = new AbortController();
    const pending = client.listWorkers(abort.signal);
    abort.abort();
    await assert.rejects(pending, /cancel/i);
  } finally {
    client.close();
    await dialed.close();
  }
});
