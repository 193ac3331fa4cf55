/**
 * A service's container spec (POST /containers/create) as `bake dev` sends
 * it: compose's short port and volume syntax, health check durations,
 * labels, and the config digest that tells an unchanged service from a changed one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HealthCheck, Service } from '../../src/bakefile/model.js';
import { DEV_LABELS_VERSION, LABEL } from '../../src/dev/labels.js';
import { ComposeSyntaxError, durationNanos } from '../../src/bakefile/compose-syntax.js';
import { containerSpec, namedVolumes, type ClientContext, type ServicePlan } from '../../src/dev/runtime/container-spec.js';
import { DevRuntimeError } from '../../src/dev/runtime/errors.js';
import type { SessionIdentity } from '../../src/dev/runtime/session-objects.js';

const session: SessionIdentity = {
  id: 'shop-1a2b3c',
  projectKey: '1a2b3c4d5e6f',
  files: ['/src/shop/docker-bake.hcl', '/src/shop/docker-bake.override.hcl'],
  engine: 'unix:///var/run/docker.sock',
  owner: '/run/user/1000/bake/server.sock',
};
const client: ClientContext = { env: (name) => ({ TOKEN: 'from-client' })[name], home: '/home/ann' };

function spec(service: Omit<Service, 'name'>, name = 'api'): ReturnType<typeof containerSpec> {
  const plan: ServicePlan = { service: { name, ...service }, image: 'shop/api:dev', projectDir: '/src/shop' };
  return containerSpec(plan, session, client);
}

test('the basics: image, command, entrypoint, env, workdir, user, TTY, network and alias', () => {
  const s = spec({
    command: ['npm', 'run', 'dev'],
    entrypoint: ['/init'],
    environment: { A: '1', TOKEN: null, UNSET: null },
    workdir: '/app',
    user: '1000:1000',
  });
  assert.equal(s.Image, 'shop/api:dev');
  assert.deepEqual(s.Cmd, ['npm', 'run', 'dev']);
  assert.deepEqual(s.Entrypoint, ['/init']);
  assert.deepEqual(s.Env, ['A=1', 'TOKEN=from-client'], 'a null value comes from the client; unset there, it is left out');
  assert.equal(s.WorkingDir, '/app');
  assert.equal(s.User, '1000:1000');
  assert.equal(s.Tty, true);
  assert.equal(s.OpenStdin, true);
  assert.equal(s.HostConfig?.NetworkMode, 'bake-shop-1a2b3c');
  assert.deepEqual(s.NetworkingConfig, { EndpointsConfig: { 'bake-shop-1a2b3c': { Aliases: ['api'] } } });
  assert.equal(s.Healthcheck, undefined);
  assert.equal(s.ExposedPorts, undefined);
});

test('the interactive service runs its shell, /bin/sh by default, unless it has a command', () => {
  const cases: { service: Omit<Service, 'name'>; cmd: readonly string[] | undefined }[] = [
    { service: { interactive: true }, cmd: ['/bin/sh'] },
    { service: { interactive: true, shell: ['/bin/bash', '-l'] }, cmd: ['/bin/bash', '-l'] },
    { service: { interactive: true, shell: ['/bin/bash'], command: ['sleep', 'infinity'] }, cmd: ['sleep', 'infinity'] },
    { service: { shell: ['/bin/bash'] }, cmd: undefined },
  ];
  for (const c of cases) assert.deepEqual(spec(c.service, 'dev').Cmd, c.cmd, JSON.stringify(c.service));
});

test('init and stopping: as the service says; the interactive service runs under init and is hung up; the rest as compose', () => {
  const stop = (service: Omit<Service, 'name'>): unknown => {
    const s = spec(service);
    return { init: s.HostConfig?.Init, signal: s.StopSignal, timeout: s.StopTimeout };
  };
  const none = { init: undefined, signal: undefined, timeout: undefined };
  assert.deepEqual(stop({}), none, "compose's defaults: no init, SIGTERM, the engine's 10 s");
  assert.deepEqual(stop({ interactive: true }), { ...none, init: true, signal: 'SIGHUP' });
  assert.deepEqual(stop({ interactive: true, shell: ['/bin/bash'] }), { ...none, init: true, signal: 'SIGHUP' });
  assert.deepEqual(stop({ interactive: true, init: false }), none, 'init = false: the shell is PID 1, and no hangup reaches it');
  assert.deepEqual(stop({ interactive: true, stop_signal: 'SIGTERM' }), { ...none, init: true, signal: 'SIGTERM' });
  assert.deepEqual(stop({ init: true, stop_signal: 'SIGINT', stop_grace_period: '1500ms' }), { init: true, signal: 'SIGINT', timeout: 2 });
  assert.deepEqual(stop({ stop_grace_period: '0s' }), { ...none, timeout: 0 });
  assert.throws(
    () => spec({ stop_grace_period: 'soon' }),
    (e: unknown) => e instanceof DevRuntimeError && /stop_grace_period "soon"/.test(e.message),
  );
});

test('ports in the short syntax', () => {
  const cases: { ports: string[]; exposed: string[]; bindings: Record<string, { HostIp: string; HostPort: string }[]> }[] = [
    { ports: ['80'], exposed: ['80/tcp'], bindings: { '80/tcp': [{ HostIp: '', HostPort: '' }] } },
    { ports: ['8080:80'], exposed: ['80/tcp'], bindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } },
    { ports: ['127.0.0.1:8080:80'], exposed: ['80/tcp'], bindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] } },
    { ports: ['127.0.0.1::80'], exposed: ['80/tcp'], bindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    { ports: ['[::1]:8080:80'], exposed: ['80/tcp'], bindings: { '80/tcp': [{ HostIp: '::1', HostPort: '8080' }] } },
    { ports: ['53:53/udp'], exposed: ['53/udp'], bindings: { '53/udp': [{ HostIp: '', HostPort: '53' }] } },
    {
      ports: ['9000-9001:80-81'],
      exposed: ['80/tcp', '81/tcp'],
      bindings: { '80/tcp': [{ HostIp: '', HostPort: '9000' }], '81/tcp': [{ HostIp: '', HostPort: '9001' }] },
    },
    {
      ports: ['3000-3001'],
      exposed: ['3000/tcp', '3001/tcp'],
      bindings: { '3000/tcp': [{ HostIp: '', HostPort: '' }], '3001/tcp': [{ HostIp: '', HostPort: '' }] },
    },
    { ports: ['8000-8010:80'], exposed: ['80/tcp'], bindings: { '80/tcp': [{ HostIp: '', HostPort: '8000-8010' }] } },
    {
      ports: ['8080:80', '127.0.0.1:8081:80'],
      exposed: ['80/tcp'],
      bindings: {
        '80/tcp': [
          { HostIp: '', HostPort: '8080' },
          { HostIp: '127.0.0.1', HostPort: '8081' },
        ],
      },
    },
  ];
  for (const c of cases) {
    const s = spec({ ports: c.ports });
    assert.deepEqual(Object.keys(s.ExposedPorts ?? {}), c.exposed, c.ports.join(' '));
    assert.deepEqual(s.HostConfig?.PortBindings, c.bindings, c.ports.join(' '));
  }
});

test('malformed ports are errors naming the service', () => {
  for (const port of ['http', '8080:80:90', '9000-9002:80-81', '8080:80-81', '90-80', '70000']) {
    assert.throws(
      () => spec({ ports: [port] }),
      (e: unknown) => e instanceof ComposeSyntaxError && e.message === `invalid port "${port}" in service "api"` && !!e.fix,
      port,
    );
  }
});

test('volumes: bind paths against the project dir and home, named volumes of the project, modes', () => {
  const cases: { volume: string; binds: string[]; anonymous?: string[] }[] = [
    { volume: '.:/workspace', binds: ['/src/shop:/workspace'] },
    { volume: './api/src:/app/src', binds: ['/src/shop/api/src:/app/src'] },
    { volume: '../shared:/shared:ro', binds: ['/src/shared:/shared:ro'] },
    { volume: '/etc/hosts:/etc/hosts:ro', binds: ['/etc/hosts:/etc/hosts:ro'] },
    { volume: '~:/home/me', binds: ['/home/ann:/home/me'] },
    { volume: '~/.cache/pip:/root/.cache/pip:rw,z', binds: ['/home/ann/.cache/pip:/root/.cache/pip:rw,z'] },
    { volume: 'pgdata:/var/lib/postgresql/data', binds: ['bake-1a2b3c4d5e6f-pgdata:/var/lib/postgresql/data'] },
    { volume: 'cache:/cache:ro', binds: ['bake-1a2b3c4d5e6f-cache:/cache:ro'] },
    { volume: '/scratch', binds: [], anonymous: ['/scratch'] },
  ];
  for (const c of cases) {
    const s = spec({ volumes: [c.volume] });
    assert.deepEqual(s.HostConfig?.Binds, c.binds, c.volume);
    assert.deepEqual(Object.keys(s.Volumes ?? {}), c.anonymous ?? [], c.volume);
  }
  assert.deepEqual(namedVolumes({ name: 'db', volumes: ['pgdata:/data', './x:/x', 'logs:/logs:ro', '/tmp'] }, session), [
    'bake-1a2b3c4d5e6f-pgdata',
    'bake-1a2b3c4d5e6f-logs',
  ]);
});

test('malformed volumes are errors naming the service', () => {
  for (const volume of ['data', 'a:b', 'a:/b:ro:x', ':/b', 'bad name:/x']) {
    assert.throws(
      () => spec({ volumes: [volume] }),
      (e: unknown) => e instanceof ComposeSyntaxError && e.message === `invalid volume "${volume}" in service "api"`,
      volume,
    );
  }
});

test('durations as Go writes them, in nanoseconds', () => {
  const cases: [string, number | undefined][] = [
    ['1s', 1e9],
    ['500ms', 5e8],
    ['1m30s', 90e9],
    ['1h', 3600e9],
    ['1.5s', 1.5e9],
    ['.5s', 5e8],
    ['250us', 250e3],
    ['10ns', 10],
    ['0', 0],
    ['0s', 0],
    ['', undefined],
    ['1', undefined],
    ['1d', undefined],
    ['s', undefined],
    ['1s ', undefined],
    ['-1s', undefined],
  ];
  for (const [text, ns] of cases) assert.equal(durationNanos(text), ns, JSON.stringify(text));
});

test('health checks', () => {
  const cases: { check: HealthCheck; want: unknown }[] = [
    {
      check: { test: ['CMD', 'pg_isready'], interval: '1s', timeout: '500ms', retries: 5, start_period: '1m30s' },
      want: { Test: ['CMD', 'pg_isready'], Interval: 1e9, Timeout: 5e8, Retries: 5, StartPeriod: 90e9 },
    },
    { check: { test: ['CMD-SHELL', 'test -f /tmp/ready'] }, want: { Test: ['CMD-SHELL', 'test -f /tmp/ready'] } },
    { check: { test: ['NONE'] }, want: { Test: ['NONE'] } },
    { check: { test: ['pg_isready', '-U', 'app'] }, want: { Test: ['CMD', 'pg_isready', '-U', 'app'] } },
    { check: { interval: '2s' }, want: { Interval: 2e9 } },
  ];
  for (const c of cases) assert.deepEqual(spec({ healthcheck: c.check }).Healthcheck, c.want, JSON.stringify(c.check));
  assert.throws(
    () => spec({ healthcheck: { test: ['CMD', 'true'], interval: '1 second' } }),
    (e: unknown) => e instanceof DevRuntimeError && e.message === 'invalid interval "1 second" in the healthcheck of service "api"',
  );
});

test('labels say whose container it is', () => {
  const service: Service = { name: 'api', command: ['serve'] };
  const labels = spec({ command: ['serve'] }).Labels ?? {};
  assert.equal(labels[LABEL.session], 'shop-1a2b3c');
  assert.equal(labels[LABEL.project], '1a2b3c4d5e6f');
  assert.equal(labels[LABEL.files], '/src/shop/docker-bake.hcl\n/src/shop/docker-bake.override.hcl');
  assert.equal(labels[LABEL.service], 'api');
  assert.equal(labels[LABEL.protocol], DEV_LABELS_VERSION);
  assert.equal(labels[LABEL.engine], 'unix:///var/run/docker.sock');
  assert.equal(labels[LABEL.owner], '/run/user/1000/bake/server.sock');
  assert.deepEqual(JSON.parse(labels[LABEL.plan] ?? ''), { service, image: 'shop/api:dev', projectDir: '/src/shop' });
  assert.match(labels[LABEL.config] ?? '', /^[0-9a-f]{64}$/);
});

test('the config digest is stable for the same service and changes with anything that reaches the container', () => {
  const base: Omit<Service, 'name'> = {
    command: ['serve'],
    environment: { A: '1' },
    ports: ['8080:80'],
    volumes: ['.:/app'],
    healthcheck: { test: ['CMD', 'true'] },
  };
  const digest = (s: Omit<Service, 'name'>, image = 'shop/api:dev'): string | undefined =>
    containerSpec({ service: { name: 'api', ...s }, image, projectDir: '/src/shop' }, session, client).Labels?.[LABEL.config];
  assert.equal(digest(base), digest(structuredClone(base)));
  const changes: [string, Omit<Service, 'name'>][] = [
    ['command', { ...base, command: ['serve', '--debug'] }],
    ['environment', { ...base, environment: { A: '2' } }],
    ['ports', { ...base, ports: ['8081:80'] }],
    ['volumes', { ...base, volumes: ['.:/src'] }],
    ['healthcheck', { ...base, healthcheck: { test: ['CMD', 'false'] } }],
    ['user', { ...base, user: 'nobody' }],
  ];
  const seen = new Set([digest(base)]);
  for (const [what, changed] of changes) {
    const d = digest(changed);
    assert.ok(!seen.has(d), `changing ${what} changes the digest`);
    seen.add(d);
  }
  assert.notEqual(digest(base, 'shop/api:other'), digest(base), 'another image name');
  const otherEnv = containerSpec({ service: { name: 'api', environment: { TOKEN: null } }, image: 'x', projectDir: '/' }, session, {
    ...client,
    env: () => 'other',
  });
  assert.notEqual(
    otherEnv.Labels?.[LABEL.config],
    containerSpec({ service: { name: 'api', environment: { TOKEN: null } }, image: 'x', projectDir: '/' }, session, client).Labels?.[LABEL.config],
    'a client variable the service takes',
  );
});

test('a host service has no container spec', () => {
  assert.throws(() => containerSpec({ service: { name: 'web', runs_on: 'host' }, projectDir: '/src/shop' }, session, client));
});
