/** Capabilities from probe outcomes: the errors Docker 20.10.24 answered, and a newer engine's. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CAP_NAMED_CONTEXTS, capabilitiesFrom, hasFrontendCap, type ProbeOutcome } from '../../src/buildkit/capabilities.js';
import type { ControlClient, SolveRequest } from '../../src/buildkit/control.js';

const capErr = (cap: string): string => `failed to solve with frontend dockerfile.v0: unsupported frontend capability ${cap}`;
const missing = (e: string): string => `exporter "${e}" could not be found`;

test('Docker 20.10.24: no named contexts, inputs, moby/local/tar only, no Info, no multi-platform', () => {
  const exporters = new Map<string, ProbeOutcome>([
    ['moby', capErr('moby.buildkit.frontend.bake-probe')],
    ['local', capErr('moby.buildkit.frontend.bake-probe')],
    ['tar', capErr('moby.buildkit.frontend.bake-probe')],
    ['image', missing('image')],
    ['oci', missing('oci')],
    ['docker', missing('docker')],
  ]);
  const caps = capabilitiesFrom({
    namedContexts: capErr('moby.buildkit.frontend.contexts'),
    frontendInputs:
      'failed to solve with frontend dockerfile.v0: failed to read dockerfile: failed to load cache key: could not access local files without session',
    exporters,
    info: undefined,
    workers: [
      {
        ID: 'moby',
        platforms: [
          { OS: 'linux', Architecture: 'amd64' },
          { OS: 'linux', Architecture: '386' },
        ],
      },
    ],
  });
  assert.equal(caps.namedContexts, false);
  assert.equal(caps.frontendInputs, true);
  assert.deepEqual([...caps.exporters].sort(), ['local', 'moby', 'tar']);
  assert.equal(caps.info, undefined);
  assert.deepEqual(caps.platforms, ['linux/amd64', 'linux/386']);
  assert.equal(caps.multiPlatform, false);
});

test('a newer buildkitd: named contexts, Info, image exporter, variants in platforms', () => {
  const caps = capabilitiesFrom({
    namedContexts: 'failed to read dockerfile: no active session',
    frontendInputs: undefined,
    exporters: new Map([
      ['moby', missing('moby')],
      ['image', capErr('x')],
      ['oci', capErr('x')],
    ]),
    info: { version: 'v0.13.0' },
    workers: [
      { ID: 'w', platforms: [{ OS: 'linux', Architecture: 'arm', Variant: 'v7' }] },
      { ID: 'w2', platforms: [{ OS: 'linux', Architecture: 'arm', Variant: 'v7' }] },
    ],
  });
  assert.equal(caps.namedContexts, true);
  assert.equal(caps.frontendInputs, true);
  assert.deepEqual([...caps.exporters].sort(), ['image', 'oci']);
  assert.deepEqual(caps.info, { version: 'v0.13.0' });
  assert.deepEqual(caps.platforms, ['linux/arm/v7']);
  assert.equal(caps.multiPlatform, true);
});

test('one cap is asked with one Solve of the Dockerfile frontend, and its refusal reads as absent', async () => {
  const asked: SolveRequest[] = [];
  const engine = (answer: (req: SolveRequest) => Promise<never> | Promise<object>): ControlClient =>
    ({
      solve: (req: SolveRequest) => {
        asked.push(req);
        return answer(req);
      },
    }) as unknown as ControlClient;
  const refusing = engine((req) => Promise.reject(Object.assign(new Error('2 UNKNOWN'), { details: capErr(req.FrontendAttrs?.['frontend.caps'] ?? '') })));
  assert.equal(await hasFrontendCap(refusing, CAP_NAMED_CONTEXTS, AbortSignal.timeout(1000)), false);
  assert.equal(asked.length, 1);
  assert.equal(asked[0]?.Frontend, 'dockerfile.v0');
  assert.deepEqual(asked[0]?.FrontendAttrs, { 'frontend.caps': CAP_NAMED_CONTEXTS });
  // A frontend with the cap goes on to read its Dockerfile, which a probe has no session for.
  const having = engine(() => Promise.reject(Object.assign(new Error('2 UNKNOWN'), { details: 'failed to read dockerfile: no active session' })));
  assert.equal(await hasFrontendCap(having, CAP_NAMED_CONTEXTS, AbortSignal.timeout(1000)), true);
  assert.equal(asked.length, 2);
});
