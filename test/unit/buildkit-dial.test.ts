/** Builder addresses → grpc-js targets and credentials (no connection is made). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BuilderAddressError } from '../../src/buildkit/builder-address.js';
import { dial } from '../../src/buildkit/dial.js';

test('unix:// and tcp:// dial BuildKit directly; BUILDKIT_HOST is the default when --builder is absent', async () => {
  const unix = await dial('unix:///run/buildkit/buildkitd.sock', {});
  assert.equal(unix.target, 'unix:///run/buildkit/buildkitd.sock');
  assert.equal(unix.credentials._isSecure(), false);
  const tcp = await dial(undefined, { BUILDKIT_HOST: 'tcp://farm.example:1234' });
  assert.equal(tcp.target, 'farm.example:1234');
  assert.equal(tcp.address, 'tcp://farm.example:1234');
  assert.equal(tcp.credentials._isSecure(), false);
});

test('tcp:// with TLS options: secure credentials, servername overrides the name checked', async () => {
  const tls = await dial('tcp://10.0.0.5:1234?servername=buildkitd.internal', {});
  assert.equal(tls.credentials._isSecure(), true);
  assert.deepEqual(tls.options, { 'grpc.ssl_target_name_override': 'buildkitd.internal', 'grpc.default_authority': 'buildkitd.internal' });
});

test('docker goes through a private proxy socket; unknown schemes are refused with the forms that work', async () => {
  const docker = await dial('docker', { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
  assert.match(docker.target, /^unix:\/\/\/.*bake-grpc-.*\/engine\.sock$/);
  assert.equal(docker.address, 'unix:///nonexistent/docker.sock');
  await docker.close();
  await assert.rejects(
    dial('ssh://host', {}),
    (e: unknown) => e instanceof BuilderAddressError && /use docker, unix:\/\/\/path\/to\/buildkitd\.sock or tcp:\/\/host:port/.test(e.message),
  );
});
