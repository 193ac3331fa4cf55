import { test } from 'node:test';
import assert from 'node:assert/strict';
import { machineProbe, parseEngineAddress, resolveEngineEndpoint, type EndpointProbe } from '../../src/docker/endpoint.js';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { enginePaths } from '../../src/docker/engine-paths.js';
import { dockerdArgs } from '../../src/docker/engine-manager.js';
import { EngineAddressError } from '../../src/docker/errors.js';
import { queryString } from '../../src/docker/http.js';
import { encodeFilters, labelFilters } from '../../src/docker/filters.js';
import { tempDir } from '../support/temp-dir.js';

const probe = (embedded: boolean, system: boolean): EndpointProbe => ({
  embeddedRunning: () => embedded,
  socketExists: () => system,
  dockerContext: () => undefined,
});

test('DOCKER_HOST wins over a running embedded engine and the system socket', () => {
  const r = resolveEngineEndpoint({ DOCKER_HOST: 'tcp://10.0.0.5:2376', HOME: '/home/me' }, probe(true, true));
  assert.equal(r.source, 'DOCKER_HOST');
  assert.deepEqual(r.endpoint, { kind: 'tcp', host: '10.0.0.5', port: 2376, address: 'tcp://10.0.0.5:2376' });
});

test('an empty DOCKER_HOST counts as unset, as in the docker CLI', () => {
  assert.equal(resolveEngineEndpoint({ DOCKER_HOST: '', HOME: '/home/me' }, probe(false, true)).source, 'system');
});

test('the embedded engine is used when it runs, at the socket under the XDG state dir', () => {
  const r = resolveEngineEndpoint({ XDG_STATE_HOME: '/state', HOME: '/home/me' }, probe(true, true));
  assert.equal(r.source, 'embedded');
  assert.equal(r.endpoint.address, 'unix:///state/bake/engine/docker.sock');
});

test('without DOCKER_HOST or the embedded engine: the system socket, or none when it is missing', () => {
  const system = resolveEngineEndpoint({ HOME: '/home/me' }, probe(false, true));
  assert.equal(system.source, 'system');
  assert.equal(system.endpoint.address, 'unix:///var/run/docker.sock');
  const none = resolveEngineEndpoint({ HOME: '/home/me' }, probe(false, false));
  assert.equal(none.source, 'none');
  assert.match(none.reason, /does not exist/);
});

test('engine addresses: unix and tcp with the default port; others are usage errors with a fix', () => {
  assert.deepEqual(parseEngineAddress('unix:///run/docker.sock'), { kind: 'unix', socketPath: '/run/docker.sock', address: 'unix:///run/docker.sock' });
  assert.deepEqual(parseEngineAddress('tcp://[::1]'), { kind: 'tcp', host: '::1', port: 2375, address: 'tcp://[::1]' });
  for (const bad of ['ssh://me@host', 'unix://relative.sock', '/var/run/docker.sock', 'tcp://[::1', 'tcp://host:port']) {
    assert.throws(
      () => parseEngineAddress(bad),
      (e: unknown) => e instanceof EngineAddressError && e.kind === 'usage' && /DOCKER_HOST/.test(e.fix ?? ''),
      bad,
    );
  }
});

test('engine paths: XDG_STATE_HOME when absolute, else ~/.local/state; names differ per state dir', () => {
  const xdg = enginePaths({ XDG_STATE_HOME: '/s' }, '/home/me');
  assert.equal(xdg.stateDir, '/s/bake/engine');
  assert.equal(xdg.pidFile, '/s/bake/engine/dockerd.pid');
  assert.equal(enginePaths({ XDG_STATE_HOME: 'relative' }, '/home/me').stateDir, '/home/me/.local/state/bake/engine');
  assert.equal(enginePaths({ HOME: '/h' }, '/home/me').stateDir, '/h/.local/state/bake/engine');
  const other = enginePaths({ XDG_STATE_HOME: '/t' }, '/home/me');
  assert.notEqual(xdg.bridge, other.bridge);
  assert.ok(xdg.bridge.length <= 15, 'Linux interface names have at most 15 characters');
  assert.notEqual(xdg.containerdNamespace, other.containerdNamespace);
});

test('dockerd runs with private paths, its own bridge and no firewall changes', () => {
  const paths = enginePaths({ XDG_STATE_HOME: '/s' }, '/home/me');
  const args = dockerdArgs(paths, '/s/bake/engine/daemon.json');
  for (const flag of [
    '--data-root=/s/bake/engine/data',
    '--exec-root=/s/bake/engine/run',
    '--pidfile=/s/bake/engine/dockerd.pid',
    '--host=unix:///s/bake/engine/docker.sock',
    `--bridge=${paths.bridge}`,
    '--iptables=false',
    '--config-file=/s/bake/engine/daemon.json',
  ]) {
    assert.ok(args.includes(flag), flag);
  }
});

test('query strings: undefined values dropped, lists repeated, filters as JSON', () => {
  assert.equal(
    queryString({ a: 1, b: undefined, c: true, changes: ['CMD ["sh"]', 'LABEL a=b'] }),
    '?a=1&c=true&changes=CMD+%5B%22sh%22%5D&changes=LABEL+a%3Db',
  );
  assert.equal(queryString({}), '');
  assert.equal(encodeFilters({ label: labelFilters({ 'bake.session': 's1', 'bake.service': true }) }), '{"label":["bake.session=s1","bake.service"]}');
  assert.equal(encodeFilters({}), undefined);
});

test('a docker context other than default, from DOCKER_CONTEXT or config.json, comes after DOCKER_HOST', () => {
  const config = tempDir('bake-docker-config-');
  const meta = join(config, 'contexts', 'meta', createHash('sha256').update('remote').digest('hex'));
  mkdirSync(meta, { recursive: true });
  writeFileSync(join(meta, 'meta.json'), JSON.stringify({ Name: 'remote', Endpoints: { docker: { Host: 'unix:///run/remote.sock' } } }));
  writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: 'remote' }));
  const viaConfig = resolveEngineEndpoint({ DOCKER_CONFIG: config, HOME: '/home/me' });
  assert.equal(viaConfig.source, 'context');
  assert.equal(viaConfig.endpoint.address, 'unix:///run/remote.sock');
  assert.equal(viaConfig.reason, 'the docker context remote is selected');
  assert.equal(
    resolveEngineEndpoint(
      { DOCKER_CONFIG: config, DOCKER_CONTEXT: 'default', HOME: '/home/me' },
      { ...machineProbe, embeddedRunning: () => false, socketExists: () => false },
    ).source,
    'none',
  );
  assert.equal(resolveEngineEndpoint({ DOCKER_CONFIG: config, DOCKER_HOST: 'tcp://h:1', HOME: '/home/me' }).source, 'DOCKER_HOST');
  assert.throws(
    () => resolveEngineEndpoint({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'gone', HOME: '/home/me' }),
    /the docker context gone is selected but was not found/,
  );
});
