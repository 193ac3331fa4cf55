/** Capabilities from probe outcomes: the errors Docker 20.10.24 answered, and a newer engine's. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capabilitiesFrom, type ProbeOutcome } from '../../src/buildkit/capabilities.js';

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
