import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BakeFileError, type Diagnostic } from '../../src/core/diagnostics.js';
import { isComposeFile, readCompose, type ComposeConfig, type ComposeEnvironment } from '../../src/bakefile/formats/compose.js';
import type { HostFiles } from '../../src/bakefile/host.js';
import type { Service, Target } from '../../src/bakefile/model.js';

const NO_ENV: ComposeEnvironment = { lookup: () => undefined };

function envOf(vars: Record<string, string>, dotenv: Record<string, string> = {}): ComposeEnvironment {
  return { lookup: (name) => vars[name], dotenv: new Map(Object.entries(dotenv)) };
}

function read(text: string, env: ComposeEnvironment = NO_ENV): ComposeConfig {
  return readCompose([{ filename: 'docker-compose.yml', text }], env);
}

function failure(fn: () => unknown): Diagnostic {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof BakeFileError, `expected a BakeFileError, got ${String(e)}`);
    assert.equal(e.diagnostics.length, 1);
    return e.diagnostics[0] as Diagnostic;
  }
  assert.fail('expected an error');
}

/** Host files held in memory: path → text. */
function memoryFiles(files: Record<string, string>): HostFiles {
  return {
    workingDirectory: '/work',
    read: (p) => (p in files ? { text: files[p] as string } : { error: 'no such file or directory' }),
    stat: (p) => (p in files ? { size: (files[p] as string).length, kind: 'file' } : { error: 'no such file or directory' }),
  };
}

const ssh = (id: string, path?: string) => (path === undefined ? { id } : { id, paths: JSON.stringify([path]) });

// ---------------------------------------------------------------------------
// buildx bake/compose_test.go, ported: each case lists every target exactly.

interface TargetCase {
  readonly name: string;
  readonly yaml: string;
  readonly env?: ComposeEnvironment;
  readonly targets: Target[];
  readonly group?: string[];
}

const targetCases: TargetCase[] = [
  {
    name: 'TestParseCompose',
    yaml: `
services:
  db:
    build: ./db
    command: ./entrypoint.sh
    image: docker.io/tonistiigi/db
  webapp:
    build:
      context: ./dir
      additional_contexts:
        foo: ./bar
      dockerfile: Dockerfile-alternate
      network:
        none
      args:
        buildno: 123
      cache_from:
        - type=local,src=path/to/cache
      cache_to:
        - type=local,dest=path/to/cache
      ssh:
        - key=/path/to/key
        - default
      secrets:
        - token
        - aws
  webapp2:
    profiles:
      - test
    build:
      context: ./dir
      dockerfile_inline: |
        FROM alpine
secrets:
  token:
    environment: ENV_TOKEN
  aws:
    file: /root/.aws/credentials
`,
    group: ['db', 'webapp', 'webapp2'],
    targets: [
      { name: 'db', context: 'db', tags: ['docker.io/tonistiigi/db'] },
      {
        name: 'webapp',
        context: 'dir',
        contexts: { foo: 'bar' },
        dockerfile: 'Dockerfile-alternate',
        args: { buildno: '123' },
        'cache-from': [{ type: 'local', src: 'path/to/cache' }],
        'cache-to': [{ type: 'local', dest: 'path/to/cache' }],
        network: 'none',
        ssh: [ssh('default'), ssh('key', '/path/to/key')],
        secret: [
          { id: 'token', env: 'ENV_TOKEN' },
          { id: 'aws', src: '/root/.aws/credentials' },
        ],
      },
      { name: 'webapp2', context: 'dir', 'dockerfile-inline': 'FROM alpine\n' },
    ],
  },
  {
    name: 'TestNoBuildOutOfTreeService',
    yaml: `
services:
    external:
        image: "verycooldb:1337"
    webapp:
        build: ./db
`,
    group: ['webapp'],
    targets: [{ name: 'webapp', context: 'db' }],
  },
  {
    name: 'TestParseComposeTarget',
    yaml: `
services:
  db:
    build:
      context: ./db
      target: db
  webapp:
    build:
      context: .
      target: webapp
`,
    targets: [
      { name: 'db', context: 'db', target: 'db' },
      { name: 'webapp', context: '.', target: 'webapp' },
    ],
  },
  {
    name: 'TestComposeBuildWithoutContext (the long form defaults the context to ".")',
    yaml: `
services:
  db:
    build:
      target: db
  webapp:
    build:
      context: .
      target: webapp
`,
    targets: [
      { name: 'db', context: '.', target: 'db' },
      { name: 'webapp', context: '.', target: 'webapp' },
    ],
  },
  {
    name: 'TestBuildArgEnvCompose',
    yaml: `
version: "3.8"
services:
  example:
    image: example
    build:
      context: .
      dockerfile: Dockerfile
      args:
        FOO:
        BAR: $ZZZ_BAR
        BRB: FOO
`,
    env: envOf({ FOO: 'bar', BAR: 'foo', ZZZ_BAR: 'zzz_foo' }),
    targets: [{ name: 'example', context: '.', dockerfile: 'Dockerfile', args: { FOO: 'bar', BAR: 'zzz_foo', BRB: 'FOO' }, tags: ['example'] }],
  },
  {
    name: 'TestTags',
    yaml: `
services:
  example:
    image: example
    build:
      context: .
      dockerfile: Dockerfile
      tags:
        - foo
        - bar
`,
    targets: [{ name: 'example', context: '.', dockerfile: 'Dockerfile', tags: ['foo', 'bar'] }],
  },
  {
    name: 'TestComposeExt',
    yaml: `
services:
  addon:
    image: ct-addon:bar
    build:
      context: .
      dockerfile: ./Dockerfile
      cache_from:
        - user/app:cache
      cache_to:
        - user/app:cache
      tags:
        - ct-addon:baz
      ssh:
        key: /path/to/key
      args:
        CT_ECR: foo
        CT_TAG: bar
      x-bake:
        contexts:
          alpine: docker-image://alpine:3.13
        tags:
          - ct-addon:foo
          - ct-addon:alp
        ssh:
          - default
          - other=path/to/otherkey
        platforms:
          - linux/amd64
          - linux/arm64
        cache-from:
          - type=local,src=path/to/cache
        cache-to:
          - type=local,dest=path/to/cache
        pull: true

  aws:
    image: ct-fake-aws:bar
    build:
      dockerfile: ./aws.Dockerfile
      args:
        CT_ECR: foo
        CT_TAG: bar
      shm_size: 128m
      ulimits:
        nofile:
          soft: 1024
          hard: 1024
      x-bake:
        secret:
          - id=mysecret,src=/local/secret
          - id=mysecret2,src=/local/secret2
        ssh: default
        platforms: linux/arm64
        output: type=docker
        no-cache: true
`,
    group: ['addon', 'aws'],
    targets: [
      {
        name: 'addon',
        context: '.',
        contexts: { alpine: 'docker-image://alpine:3.13' },
        dockerfile: './Dockerfile',
        args: { CT_ECR: 'foo', CT_TAG: 'bar' },
        tags: ['ct-addon:baz', 'ct-addon:foo', 'ct-addon:alp'],
        'cache-from': [
          { type: 'registry', ref: 'user/app:cache' },
          { type: 'local', src: 'path/to/cache' },
        ],
        'cache-to': [
          { type: 'registry', ref: 'user/app:cache' },
          { type: 'local', dest: 'path/to/cache' },
        ],
        ssh: [ssh('default'), ssh('key', '/path/to/key'), ssh('other', 'path/to/otherkey')],
        platforms: ['linux/amd64', 'linux/arm64'],
        pull: true,
      },
      {
        name: 'aws',
        context: '.',
        dockerfile: './aws.Dockerfile',
        args: { CT_ECR: 'foo', CT_TAG: 'bar' },
        tags: ['ct-fake-aws:bar'],
        secret: [
          { id: 'mysecret', src: '/local/secret' },
          { id: 'mysecret2', src: '/local/secret2' },
        ],
        ssh: [ssh('default')],
        platforms: ['linux/arm64'],
        output: [{ type: 'docker' }],
        'no-cache': true,
        'shm-size': '128MiB',
        ulimits: ['nofile=1024:1024'],
      },
    ],
  },
  {
    name: 'TestComposeExtDedup',
    yaml: `
services:
  webapp:
    image: app:bar
    build:
      cache_from:
        - user/app:cache
      cache_to:
        - user/app:cache
      tags:
        - ct-addon:foo
      ssh:
        - default
      x-bake:
        tags:
          - ct-addon:foo
          - ct-addon:baz
        cache-from:
          - user/app:cache
          - type=local,src=path/to/cache
        cache-to:
          - type=local,dest=path/to/cache
        ssh:
          - default
          - key=path/to/key
`,
    targets: [
      {
        name: 'webapp',
        context: '.',
        tags: ['ct-addon:foo', 'ct-addon:baz'],
        'cache-from': [
          { type: 'registry', ref: 'user/app:cache' },
          { type: 'local', src: 'path/to/cache' },
        ],
        'cache-to': [
          { type: 'registry', ref: 'user/app:cache' },
          { type: 'local', dest: 'path/to/cache' },
        ],
        ssh: [ssh('default'), ssh('key', 'path/to/key')],
      },
    ],
  },
  {
    name: 'TestEnv (service environment resolves args; env_file is not read)',
    yaml: `
services:
  scratch:
    build:
     context: .
     args:
        CT_ECR: foo
        FOO:
        NODE_ENV:
    environment:
      - NODE_ENV=test
      - AWS_ACCESS_KEY_ID=dummy
`,
    env: envOf({ FOO: 'bsdf -csdf' }),
    targets: [{ name: 'scratch', context: '.', args: { CT_ECR: 'foo', FOO: 'bsdf -csdf', NODE_ENV: 'test' } }],
  },
  {
    name: 'TestDotEnv',
    yaml: `
services:
  scratch:
    build:
     context: .
     args:
        FOO:
`,
    env: envOf({}, { FOO: 'bar' }),
    targets: [{ name: 'scratch', context: '.', args: { FOO: 'bar' } }],
  },
  {
    name: 'the environment wins over .env',
    yaml: `
services:
  scratch:
    build:
     args:
        FOO: \${FOO}
        ONLY_DOTENV: \${ONLY_DOTENV}
`,
    env: envOf({ FOO: 'from-env' }, { FOO: 'from-dotenv', ONLY_DOTENV: 'yes' }),
    targets: [{ name: 'scratch', context: '.', args: { FOO: 'from-env', ONLY_DOTENV: 'yes' } }],
  },
  {
    name: 'TestComposeNullArgs',
    yaml: `
services:
  scratch:
    build:
     context: .
     args:
        FOO: null
        bar: "baz"
`,
    targets: [{ name: 'scratch', context: '.', args: { bar: 'baz' } }],
  },
  {
    name: 'TestProjectName default',
    yaml: `
services:
  scratch:
    build:
     context: ./webapp
     args:
       PROJECT_NAME: \${COMPOSE_PROJECT_NAME}
`,
    targets: [{ name: 'scratch', context: 'webapp', args: { PROJECT_NAME: 'bake' } }],
  },
  {
    name: 'TestProjectName env',
    yaml: `
services:
  scratch:
    build:
     context: ./webapp
     args:
       PROJECT_NAME: \${COMPOSE_PROJECT_NAME}
`,
    env: envOf({ COMPOSE_PROJECT_NAME: 'foo' }),
    targets: [{ name: 'scratch', context: 'webapp', args: { PROJECT_NAME: 'foo' } }],
  },
  {
    name: 'a top-level name: names the project',
    yaml: `
name: My_Project
services:
  scratch:
    build:
     args:
       PROJECT_NAME: \${COMPOSE_PROJECT_NAME}
`,
    env: envOf({ COMPOSE_PROJECT_NAME: 'foo' }),
    targets: [{ name: 'scratch', context: '.', args: { PROJECT_NAME: 'my_project' } }],
  },
  {
    name: 'TestServiceName: dots become underscores',
    yaml: `
services:
  a.b:
    build:
      context: .
  AbC-0123:
    build: .
`,
    group: ['AbC-0123', 'a_b'],
    targets: [
      { name: 'a_b', context: '.' },
      { name: 'AbC-0123', context: '.' },
    ],
  },
  {
    name: 'TestDevelop, TestCgroup, TestPorts, TestDependsOn: service keys buildx ignores',
    yaml: `
services:
  scratch:
    build:
     context: ./webapp
    develop:
      watch:
        - path: ./webapp/html
          action: sync
          target: /var/www
    cgroup: private
    ports:
      - 3306:3306
      - mode: ingress
        target: 3306
        published: "3306"
        protocol: tcp
    depends_on:
      - bar
  bar:
    build:
     context: .
`,
    targets: [
      { name: 'scratch', context: 'webapp' },
      { name: 'bar', context: '.' },
    ],
  },
  {
    name: 'TestAdvancedNetwork',
    yaml: `
services:
  db:
    networks:
      - example.com
    build:
      context: ./db
      target: db

networks:
  example.com:
    name: example.com
    driver: bridge
    ipam:
      config:
        - subnet: 10.5.0.0/24
`,
    targets: [{ name: 'db', context: 'db', target: 'db' }],
  },
  {
    name: 'labels, extra_hosts, ulimits, shm_size and the network',
    yaml: `
services:
  app:
    build:
      labels:
        - com.example.a=1
        - com.example.empty
      extra_hosts:
        - somehost=162.242.195.82
        - otherhost:50.31.209.229
        - otherhost=[::1]
      ulimits:
        nproc: 65535
        nofile:
          soft: 20000
          hard: 40000
      shm_size: 1536m
      network: host
  map-forms:
    build:
      labels:
        com.example.n: 2
        com.example.null:
      extra_hosts:
        one: 1.2.3.4
        two: ["5.6.7.8", "::2"]
      shm_size: 2000000
`,
    group: ['app', 'map-forms'],
    targets: [
      {
        name: 'app',
        context: '.',
        labels: { 'com.example.a': '1', 'com.example.empty': '' },
        'extra-hosts': { somehost: '162.242.195.82', otherhost: '50.31.209.229,::1' },
        ulimits: ['nofile=20000:40000', 'nproc=65535:65535'],
        'shm-size': '1.5GiB',
        network: 'host',
      },
      {
        name: 'map-forms',
        context: '.',
        labels: { 'com.example.n': '2', 'com.example.null': '' },
        'extra-hosts': { one: '1.2.3.4', two: '5.6.7.8,::2' },
        'shm-size': '1.907MiB',
      },
    ],
  },
  {
    name: 'contexts naming services and targets, no_cache, pull, attestations',
    yaml: `
services:
  base.image:
    build: ./base
  app:
    build:
      additional_contexts:
        - base=service:base.image
        - other=target:x.y
        - remote=https://github.com/docker/buildx.git
        - local=./vendor/../lib/
      no_cache: true
      pull: true
      sbom: true
      provenance: mode=max
      x-bake:
        contexts:
          base: docker-image://ignored
          extra: docker-image://alpine
`,
    group: ['app', 'base_image'],
    targets: [
      { name: 'base_image', context: 'base' },
      {
        name: 'app',
        context: '.',
        contexts: {
          base: 'target:base_image',
          other: 'target:x_y',
          remote: 'https://github.com/docker/buildx.git',
          local: 'lib',
          extra: 'docker-image://alpine',
        },
        'no-cache': true,
        pull: true,
        attest: [{ type: 'sbom' }, { type: 'provenance', mode: 'max' }],
      },
    ],
  },
  {
    name: 'x-bake strings split at blanks; pull false is kept',
    yaml: `
services:
  app:
    build:
      platforms: [linux/amd64]
      x-bake:
        tags: "a:1  b:2"
        platforms: linux/arm64 linux/amd64
        no-cache-filter: base
        pull: false
`,
    targets: [{ name: 'app', context: '.', tags: ['a:1', 'b:2'], platforms: ['linux/amd64', 'linux/arm64'], 'no-cache-filter': ['base'], pull: false }],
  },
  {
    name: 'secret files are cleaned and ~ is the HOME directory',
    yaml: `
services:
  app:
    build:
      context: ~/src/app
      secrets:
        - relative
        - source: home
          target: ignored
secrets:
  relative:
    file: ./secrets/../token.txt
  home:
    file: ~/.aws/credentials
`,
    env: envOf({ HOME: '/home/me' }),
    targets: [
      {
        name: 'app',
        context: '/home/me/src/app',
        secret: [
          { id: 'relative', src: 'token.txt' },
          { id: 'home', src: '/home/me/.aws/credentials' },
        ],
      },
    ],
  },
  {
    name: 'scalars are typed as yaml.v3 types them, then printed as Go prints them',
    yaml: `
services:
  app:
    build:
      args:
        VERSION: 1.10
        OCTAL: 017
        UNDERSCORE: 1_000
        HEX: 0x1F
        BIG: 1e6
        SMALL: 0.00001
        YES: yes
        BOOL: true
        QUOTED: "017"
        TILDE: ~
`,
    targets: [
      {
        name: 'app',
        context: '.',
        args: { VERSION: '1.1', OCTAL: '15', UNDERSCORE: '1000', HEX: '31', BIG: '1e+06', SMALL: '1e-05', YES: 'yes', BOOL: 'true', QUOTED: '017' },
      },
    ],
  },
  {
    name: 'anchors, aliases and merge keys',
    yaml: `
x-build: &build
  context: ./app
  args:
    SHARED: "1"
services:
  one:
    build:
      <<: *build
      target: one
  two:
    build:
      <<: *build
      context: ./two
`,
    targets: [
      { name: 'one', context: 'app', args: { SHARED: '1' }, target: 'one' },
      { name: 'two', context: 'two', args: { SHARED: '1' } },
    ],
  },
  {
    name: 'same-file extends',
    yaml: `
services:
  base:
    image: base:latest
    build:
      context: ./base
      args:
        A: "1"
  child:
    extends: base
    build:
      args:
        B: "2"
  grandchild:
    extends:
      service: child
    image: gc:latest
`,
    group: ['base', 'child', 'grandchild'],
    targets: [
      { name: 'base', context: 'base', args: { A: '1' }, tags: ['base:latest'] },
      { name: 'child', context: 'base', args: { A: '1', B: '2' }, tags: ['base:latest'] },
      { name: 'grandchild', context: 'base', args: { A: '1', B: '2' }, tags: ['gc:latest'] },
    ],
  },
  {
    name: 'several documents in one file merge in order',
    yaml: `
services:
  app:
    build: ./one
---
services:
  app:
    build:
      target: dev
`,
    targets: [{ name: 'app', context: 'one', target: 'dev' }],
  },
];

for (const c of targetCases) {
  test(`compose targets: ${c.name}`, () => {
    const config = read(c.yaml, c.env);
    assert.deepEqual(config.targets, c.targets);
    const names = c.group ?? c.targets.map((t) => t.name).sort();
    assert.deepEqual(config.groups, [{ name: 'default', targets: names }]);
  });
}

test('compose: a project of image-only services has an empty default group', () => {
  const config = read('services:\n  db:\n    image: postgres\n');
  assert.deepEqual(config.groups, [{ name: 'default', targets: [] }]);
  assert.deepEqual(config.targets, []);
});

test('compose: a project with only secrets has no group', () => {
  assert.deepEqual(read('secrets:\n  foo:\n    file: .secret\n'), { groups: [], targets: [], services: [] });
});

// ---------------------------------------------------------------------------
// Several files: compose's override rules.

test('compose merge: later files override and extend earlier ones', () => {
  const base = `
services:
  app:
    image: app:1
    build:
      context: ./app
      args:
        A: base
        B: base
      tags: [t1, t2]
      platforms: [linux/amd64]
      x-bake:
        platforms: [linux/arm64]
    command: ["npm", "start"]
    environment:
      - MODE=base
      - KEEP=1
    ports: ["8080:80"]
    volumes: ["./src:/app/src", "data:/data"]
`;
  const override = `
services:
  app:
    image: app:2
    build:
      args:
        - B=override
        - C
      tags: [t2, t3]
      platforms: [linux/amd64]
      x-bake:
        platforms: [linux/arm/v7]
    command: npm run dev
    environment:
      MODE: dev
    ports:
      - target: 80
        published: 8080
      - "9229:9229"
    volumes:
      - ./other:/app/src
`;
  const config = readCompose(
    [
      { filename: 'compose.yaml', text: base },
      { filename: 'compose.override.yaml', text: override },
    ],
    envOf({ C: 'from-env' }),
  );
  assert.deepEqual(config.targets, [
    {
      name: 'app',
      context: 'app',
      args: { A: 'base', B: 'override', C: 'from-env' },
      tags: ['t1', 't2', 't3'],
      // build.platforms from both files (appended), then deduped when x-bake adds platforms
      platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
    },
  ]);
  assert.deepEqual(config.services, [
    {
      name: 'app',
      target: 'app',
      command: ['npm', 'run', 'dev'],
      environment: { MODE: 'dev', KEEP: '1' },
      ports: ['8080:80', '9229:9229'],
      volumes: ['./other:/app/src', 'data:/data'],
    },
  ]);
});

test('compose merge: build platforms are appended without dedupe unless x-bake adds some', () => {
  const files = ['services:\n  a:\n    build:\n      platforms: [linux/amd64]\n', 'services:\n  a:\n    build:\n      platforms: [linux/amd64]\n'];
  const config = readCompose(
    files.map((text, i) => ({ filename: `f${i}.yml`, text })),
    NO_ENV,
  );
  assert.deepEqual(config.targets[0]?.platforms, ['linux/amd64', 'linux/amd64']);
});

test('compose merge: !reset drops and !override replaces what earlier files set', () => {
  const config = readCompose(
    [
      { filename: 'a.yml', text: 'services:\n  app:\n    image: x\n    build:\n      args: {A: "1", B: "2"}\n      tags: [one]\n' },
      { filename: 'b.yml', text: 'services:\n  app:\n    image: !reset null\n    build:\n      args: !override {C: "3"}\n      tags: !reset []\n' },
    ],
    NO_ENV,
  );
  assert.deepEqual(config.targets, [{ name: 'app', context: '.', args: { C: '3' } }]);
  assert.deepEqual(config.services, [{ name: 'app', target: 'app' }]);
});

test('compose merge: a null override keeps the earlier value, except for command', () => {
  const config = readCompose(
    [
      { filename: 'a.yml', text: 'services:\n  app:\n    image: x\n    command: run\n' },
      { filename: 'b.yml', text: 'services:\n  app:\n    image:\n    command:\n' },
    ],
    NO_ENV,
  );
  assert.deepEqual(config.services, [{ name: 'app', image: 'x' }]);
});

test('compose merge: a mapping cannot override a list', () => {
  const d = failure(() =>
    readCompose(
      [
        { filename: 'a.yml', text: 'services:\n  app:\n    image: x\n    build:\n      cache_from: [a]\n' },
        { filename: 'b.yml', text: 'services:\n  app:\n    build:\n      cache_from: {a: b}\n' },
      ],
      NO_ENV,
    ),
  );
  assert.equal(d.summary, 'cannot override services.app.build.cache_from');
  assert.deepEqual([d.range?.filename, d.range?.start.line, d.range?.start.column], ['b.yml', 4, 19]);
});

// ---------------------------------------------------------------------------
// Services for bake dev.

test('compose services: every field we read', () => {
  const config = read(
    `
services:
  web.app:
    build: .
    image: shop/web:dev
    command: sh -c 'echo "hi there" && sleep 1'
    entrypoint: ["/bin/tini", "--"]
    environment:
      - PLAIN=1
      - FROM_SHELL
      - MISSING
      - EMPTY=
    ports:
      - 3000
      - "127.0.0.1:8080:80"
      - target: 53
        published: "5353"
        protocol: udp
        host_ip: ::1
      - target: 9000
    volumes:
      - ./src:/app/src:ro
      - type: bind
        source: ./data
        target: /data
        read_only: true
        bind:
          selinux: z
      - type: volume
        source: cache
        target: /cache
        volume:
          nocopy: true
      - type: volume
        target: /anonymous
      - type: tmpfs
        target: /tmp
    depends_on:
      db.main:
        condition: service_healthy
    working_dir: /app
    user: 1000
    stdin_open: true
    tty: true
  db.main:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: dev
      PORT: 5432
      FROM_SHELL:
    healthcheck:
      test: pg_isready -U postgres
      interval: 1s
      timeout: 5s
      start_period: 10s
      retries: 5
  worker:
    image: worker
    entrypoint: /run.sh --flag
    depends_on: [db.main]
    init: true
    stop_signal: SIGINT
    stop_grace_period: 1m30s
    healthcheck:
      test: ["CMD", "true"]
      disable: true
    x-bake-dev:
      interactive: true
      shell: /bin/bash -l
      runs_on: remote
`,
    envOf({ FROM_SHELL: 'shell-value' }),
  );
  const expected: Service[] = [
    {
      name: 'web_app',
      target: 'web_app',
      command: ['sh', '-c', 'echo "hi there" && sleep 1'],
      entrypoint: ['/bin/tini', '--'],
      environment: { PLAIN: '1', FROM_SHELL: 'shell-value', MISSING: null, EMPTY: '' },
      ports: ['3000', '127.0.0.1:8080:80', '[::1]:5353:53/udp', '9000'],
      volumes: ['./src:/app/src:ro', './data:/data:ro,z', 'cache:/cache:nocopy', '/anonymous'],
      depends_on: ['db_main'],
      workdir: '/app',
      user: '1000',
      interactive: true,
    },
    {
      name: 'db_main',
      image: 'postgres:16',
      environment: { POSTGRES_PASSWORD: 'dev', PORT: '5432', FROM_SHELL: 'shell-value' },
      healthcheck: { test: ['CMD-SHELL', 'pg_isready -U postgres'], interval: '1s', timeout: '5s', start_period: '10s', retries: 5 },
    },
    {
      name: 'worker',
      image: 'worker',
      entrypoint: ['/run.sh', '--flag'],
      depends_on: ['db_main'],
      init: true,
      stop_signal: 'SIGINT',
      stop_grace_period: '1m30s',
      healthcheck: { test: ['NONE'] },
      interactive: true,
      shell: ['/bin/bash', '-l'],
      runs_on: 'remote',
    },
  ];
  assert.deepEqual(config.services, expected);
  assert.deepEqual(
    config.targets.map((t) => t.name),
    ['web_app'],
  );
});

const commands: [yaml: string, expected: string[]][] = [
  ['echo hello world', ['echo', 'hello', 'world']],
  ['echo \'single quoted\' "double \\"q\\""', ['echo', 'single quoted', 'double "q"']],
  ['a\\ b c', ['a b', 'c']],
  ['""', ['']],
  ['echo a;echo b', ['echo', 'a']],
  ['[]', []],
];

for (const [command, expected] of commands) {
  test(`compose services: command ${command}`, () => {
    const yaml = `services:\n  app:\n    image: x\n    command: ${command.startsWith('[') ? command : JSON.stringify(command)}\n`;
    assert.deepEqual(read(yaml).services[0]?.command, expected);
  });
}

// ---------------------------------------------------------------------------
// Which files are compose files (buildx's validateComposeFile).

const detection: [name: string, filename: string, text: string, isCompose: boolean][] = [
  ['empty service in a .yml file', 'docker-compose.yml', 'services:\n  foo:\n', true],
  ['build', 'docker-compose.yml', 'services:\n  foo:\n    build: .\n', true],
  ['image', 'docker-compose.yml', 'services:\n  simple:\n    image: nginx\n', true],
  ['unknown extension holding compose', 'docker-compose.foo', 'services:\n  simple:\n    image: nginx\n', true],
  ['unknown extension, inconsistent compose (not checked here)', 'compose', 'services:\n  foo:\n    entrypoint: echo 1\n', true],
  // The schema refuses an empty service, so a file without a YAML extension holding one is not compose (buildx 0.13.1).
  ['unknown extension, empty service', 'compose', 'services:\n  foo:\n', false],
  ['hcl', 'docker-bake.hcl', 'target "default" {\n  dockerfile = "test"\n}\n', false],
  ['hcl without an extension', 'bakefile', 'target "default" {\n  dockerfile = "test"\n}\n', false],
  ['json', 'docker-bake.json', '{"services": {"a": {"image": "x"}}}', false],
  ['toml', 'bake.toml', '[target.default]\ncontext = "."\n', false],
  ['upper-case YAML extension', 'COMPOSE.YAML', 'not: [valid', true],
  ['empty file without an extension', '-', '', false],
];

for (const [name, filename, text, expected] of detection) {
  test(`isComposeFile: ${name}`, () => {
    assert.equal(isComposeFile(filename, text), expected);
  });
}

test('isComposeFile: interpolates with the environment it is given', () => {
  const text = 'services:\n  a:\n    image: ${TAG:?}\n';
  assert.equal(isComposeFile('stdin', text), false);
  assert.equal(isComposeFile('stdin', text, envOf({ TAG: 'x' })), true);
});

// ---------------------------------------------------------------------------
// Errors: wording as buildx/compose words it, positions at the node at fault.

interface ErrorCase {
  readonly name: string;
  readonly yaml: string;
  readonly summary: string;
  /** 1-based line and column where the range starts. */
  readonly at: [number, number];
  readonly env?: ComposeEnvironment;
}

const errorCases: ErrorCase[] = [
  {
    name: 'TestInconsistentComposeFile',
    yaml: 'services:\n  webapp:\n    entrypoint: echo 1\n',
    summary: 'failed to parse compose file: service "webapp" has neither an image nor a build context specified: invalid compose project',
    at: [3, 5],
  },
  {
    name: 'TestValidateComposeFile: empty service',
    yaml: 'services:\n  foo:\n',
    summary: 'validating : services.foo must be a mapping',
    at: [2, 3],
  },
  {
    name: 'a service without image or build',
    yaml: 'services:\n  foo:\n    entrypoint: echo 1\n',
    summary: 'failed to parse compose file: service "foo" has neither an image nor a build context specified: invalid compose project',
    at: [3, 5],
  },
  {
    name: 'services is not a mapping',
    yaml: 'services:\n  - foo\n',
    summary: 'services must be a mapping',
    at: [2, 3],
  },
  {
    name: 'services is empty',
    yaml: 'services:\n',
    summary: 'services must be a mapping',
    at: [1, 1],
  },
  {
    name: 'an empty secret',
    yaml: 'services:\n  a:\n    build: .\nsecrets:\n  s:\n',
    summary: 'validating : secrets.s must be a mapping',
    at: [5, 3],
  },
  {
    name: 'TestValidateComposeSecret: unset secret',
    yaml: 'secrets:\n  foo: {}\n',
    summary: 'failed to parse compose file: secret "foo" must declare either `file` or `environment`: invalid compose project',
    at: [2, 8],
  },
  {
    name: 'TestValidateComposeSecret: undefined secret',
    yaml: 'services:\n  foo:\n    build:\n      secrets:\n        - token\n',
    summary: 'failed to parse compose file: service "foo" refers to undefined build secret token: invalid compose project',
    at: [5, 11],
  },
  {
    name: 'external secret used by a build',
    yaml: 'services:\n  foo:\n    build:\n      secrets: [token]\nsecrets:\n  token:\n    external: true\n',
    summary: 'failed to parse compose file: unsupported external secret token',
    at: [4, 17],
  },
  {
    name: 'dockerfile and dockerfile_inline together',
    yaml: 'services:\n  foo:\n    build:\n      dockerfile: Dockerfile\n      dockerfile_inline: FROM scratch\n',
    summary: 'failed to parse compose file: service "foo" declares mutualy exclusive dockerfile and dockerfile_inline: invalid compose project',
    at: [4, 7],
  },
  {
    name: 'required variable in an arg',
    yaml: 'services:\n  app:\n    build:\n      args:\n        TOKEN: ${TOKEN:?set a token}\n',
    summary: 'error while interpolating services.app.build.args.TOKEN: required variable TOKEN is missing a value: set a token',
    at: [5, 16],
  },
  {
    name: 'invalid interpolation in a list item',
    yaml: 'services:\n  app:\n    image: x\n    ports:\n      - "${PORT"\n',
    summary: 'invalid interpolation format for services.app.ports.[]',
    at: [5, 9],
  },
  {
    name: 'unknown build key',
    yaml: 'services:\n  app:\n    build:\n      context: .\n      dockerfiles: x\n',
    summary: 'validating : services.app.build Additional property dockerfiles is not allowed',
    at: [5, 7],
  },
  {
    name: 'invalid service name',
    yaml: 'services:\n  "my app":\n    image: x\n',
    summary: 'validating : services Additional property my app is not allowed',
    at: [2, 3],
  },
  {
    name: 'build of the wrong type',
    yaml: 'services:\n  app:\n    build: [a]\n',
    summary: 'services.app.build must be a string or mapping',
    at: [3, 12],
  },
  {
    name: 'YAML syntax',
    yaml: 'services:\n  app:\n    image: x\n   bad: [\n',
    summary: 'yaml: All mapping items must start at the same column',
    at: [4, 1],
  },
  {
    name: 'duplicate keys',
    yaml: 'services:\n  app:\n    image: x\n    image: y\n',
    summary: 'yaml: Map keys must be unique',
    at: [4, 5],
  },
  {
    name: 'top level is not a mapping',
    yaml: '- services\n',
    summary: 'Top-level object must be a mapping',
    at: [1, 1],
  },
  {
    name: 'empty compose file',
    yaml: 'version: "3"\nnetworks: {}\n',
    summary: 'empty compose file',
    at: [1, 1],
  },
  {
    name: 'include of a file that does not exist',
    yaml: 'include:\n  - other.yml\nservices:\n  a:\n    image: x\n',
    env: { lookup: () => undefined, files: memoryFiles({}) },
    summary: 'open other.yml: no such file or directory',
    at: [2, 5],
  },
  {
    name: 'include that is not a list',
    yaml: 'include: other.yml\nservices:\n  a:\n    image: x\n',
    env: { lookup: () => undefined, files: memoryFiles({}) },
    summary: '`include` must be a list, got other.yml',
    at: [1, 10],
  },
  {
    name: 'invalid project name from the environment',
    yaml: 'services:\n  a:\n    image: x\n',
    env: envOf({ COMPOSE_PROJECT_NAME: 'My Project' }),
    summary:
      'invalid project name "My Project": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number',
    at: [1, 1],
  },
  {
    name: 'invalid ssh key',
    yaml: 'services:\n  a:\n    build:\n      ssh: [mykey]\n',
    summary: 'invalid ssh key "mykey"',
    at: [4, 13],
  },
  {
    name: 'invalid ulimit',
    yaml: 'services:\n  a:\n    build:\n      ulimits:\n        nofiles: 10\n',
    summary: 'failed to parse compose file: invalid ulimit type: nofiles',
    at: [5, 9],
  },
  {
    name: 'soft ulimit above hard',
    yaml: 'services:\n  a:\n    build:\n      ulimits:\n        nofile: {soft: 20, hard: 10}\n',
    summary: 'failed to parse compose file: ulimit soft limit must be less than or equal to hard limit: 20 > 10',
    at: [5, 17],
  },
  {
    name: 'bad shm_size',
    yaml: 'services:\n  a:\n    build:\n      shm_size: 12q\n',
    summary: "invalid suffix: 'q'",
    at: [4, 17],
  },
  {
    name: 'bad cache entry',
    yaml: 'services:\n  a:\n    build:\n      cache_from: [user/app:cache, "type=local,oops"]\n',
    summary: 'failed to parse compose file: invalid value oops',
    at: [4, 36],
  },
  {
    name: 'extends cycle',
    yaml: 'services:\n  a:\n    extends: b\n  b:\n    extends: a\n',
    summary: 'circular reference: a -> b -> a',
    at: [5, 14],
  },
  {
    name: 'extends a missing service',
    yaml: 'services:\n  a:\n    extends: nope\n',
    summary: 'cannot extend service "a": service "nope" not found',
    at: [3, 14],
  },
  {
    name: 'unclosed quote in a command',
    yaml: "services:\n  a:\n    image: x\n    command: echo 'oops\n",
    summary: 'invalid command line string',
    at: [4, 14],
  },
  {
    name: 'not a boolean',
    yaml: 'services:\n  a:\n    build:\n      no_cache: maybe\n',
    summary: 'invalid boolean: maybe',
    at: [4, 17],
  },
];

for (const c of errorCases) {
  test(`compose error: ${c.name}`, () => {
    const d = failure(() => read(c.yaml, c.env));
    assert.ok(d.summary.startsWith(c.summary), `summary ${JSON.stringify(d.summary)} should start with ${JSON.stringify(c.summary)}`);
    assert.equal(d.range?.filename, 'docker-compose.yml');
    assert.deepEqual([d.range?.start.line, d.range?.start.column], c.at);
    assert.ok(d.fix, 'every error says how to fix it');
  });
}

test('compose error: the file name in the range is the file at fault', () => {
  const d = failure(() =>
    readCompose(
      [
        { filename: 'compose.yaml', text: 'services:\n  a:\n    image: x\n' },
        { filename: 'override.yaml', text: 'services:\n  a:\n    build:\n      args:\n        X: ${X:?}\n' },
      ],
      NO_ENV,
    ),
  );
  assert.equal(d.range?.filename, 'override.yaml');
  assert.deepEqual([d.range?.start.line, d.range?.start.column], [5, 12]);
});

// ---------------------------------------------------------------------------
// include: (compose-go loader/include.go, as buildx 0.13.1 prints it)

test('include: the included project resolves paths against its directory and reads its own .env; the environment wins', () => {
  const files = memoryFiles({
    'inner/other.yaml':
      'services:\n  db:\n    build:\n      context: ./db\n      args:\n        X: ${FOO:-dflt}\n        Y: ${BAR}\n      additional_contexts:\n        lib: ../lib\n        img: docker-image://alpine\n  nobuildctx:\n    build:\n      dockerfile: Dockerfile.x\nsecrets:\n  s:\n    file: ./s.txt\n',
    'inner/.env': 'FOO=fromdotenv\nBAR=fromdotenv\n',
  });
  const c = readCompose([{ filename: 'compose.yaml', text: 'include:\n  - inner/other.yaml\nservices:\n  web:\n    build: ./web\n' }], {
    lookup: (n) => (n === 'BAR' ? 'fromenv' : undefined),
    files,
  });
  const byName = new Map(c.targets.map((t) => [t.name, t]));
  assert.deepEqual(byName.get('db'), {
    name: 'db',
    context: 'inner/db',
    contexts: { img: 'docker-image://alpine', lib: 'lib' },
    args: { X: 'fromdotenv', Y: 'fromenv' },
  });
  assert.equal(byName.get('nobuildctx')?.context, 'inner');
  assert.equal(byName.get('web')?.context, 'web');
  assert.deepEqual(c.groups[0]?.targets, ['db', 'nobuildctx', 'web']);
});

test('include: path lists, project_directory, env_file, nesting, conflicts and cycles', () => {
  const files = memoryFiles({
    'a/one.yaml': 'services:\n  one:\n    build:\n      context: .\n      args:\n        V: ${V}\n',
    'a/over.yaml': 'services:\n  one:\n    build:\n      args:\n        W: "2"\n',
    'a/alt.env': 'V=alt\n',
    'a/cache.yaml': 'services:\n  cache:\n    image: redis\n',
    'n/outer.yaml': 'include:\n  - deeper/inner.yaml\nservices:\n  outer:\n    build: .\n',
    'n/deeper/inner.yaml': 'services:\n  inner:\n    build: ./x\n',
    'loop/a.yaml': 'include:\n  - loop/b.yaml\n',
    // Relative to its own project, loop/: back to the file that included it.
    'loop/b.yaml': 'include:\n  - a.yaml\n',
  });
  const env = (extra = {}): ComposeEnvironment => ({ lookup: () => undefined, files, ...extra });
  const listed = readCompose(
    [{ filename: 'c.yaml', text: 'include:\n  - path: [a/one.yaml, a/over.yaml]\n    env_file: a/alt.env\n    project_directory: proj\n' }],
    env(),
  );
  assert.deepEqual(listed.targets, [{ name: 'one', context: 'proj', args: { V: 'alt', W: '2' } }]);
  // A nested include resolves against its own project, once (buildx 0.13.1 joins the outer directory twice: inner/inner/…).
  const nested = readCompose([{ filename: 'c.yaml', text: 'include:\n  - n/outer.yaml\n' }], env());
  assert.deepEqual(
    nested.targets.map((t) => [t.name, t.context]),
    [
      ['outer', 'n'],
      ['inner', 'n/deeper/x'],
    ],
  );
  const conflict = failure(() => readCompose([{ filename: 'c.yaml', text: 'include:\n  - a/one.yaml\nservices:\n  one:\n    build: ./mine\n' }], env()));
  assert.equal(conflict.summary, 'services.one conflicts with imported resource');
  assert.deepEqual([conflict.range?.start.line, conflict.range?.start.column], [4, 3]);
  // The same definition on both sides is no conflict.
  assert.equal(
    readCompose([{ filename: 'c.yaml', text: 'include:\n  - a/cache.yaml\nservices:\n  cache:\n    image: redis\n  app:\n    build: .\n' }], env()).services
      .length,
    2,
  );
  const cycle = failure(() => readCompose([{ filename: 'loop/a.yaml', text: 'include:\n  - loop/b.yaml\n' }], env()));
  assert.equal(cycle.summary, 'include cycle detected:\nloop/a.yaml\n include loop/b.yaml\n include loop/a.yaml');
});
