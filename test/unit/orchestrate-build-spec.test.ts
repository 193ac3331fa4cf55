/**
 * The one translation from a bake target to the BuildKit adapter's build
 * spec (orchestrate/build-spec.ts): fixtures of targets as `bake --print`
 * shows them, and the spec each becomes. Pure: no disk, no environment.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Target } from '../../src/bakefile/model.js';
import type { BuildSpec } from '../../src/buildkit/build-spec.js';
import { BakeFileError } from '../../src/core/diagnostics.js';
import { buildSpec } from '../../src/orchestrate/build-spec.js';

const CWD = '/work/p';
const AGENT = '/run/agent.sock';

/** What every spec holds unless its target says otherwise. */
const PLAIN: Omit<BuildSpec, 'name'> = {
  context: CWD,
  dockerfile: { kind: 'file', path: `${CWD}/Dockerfile` },
  namedContexts: new Map(),
  args: {},
  labels: {},
  tags: [],
  target: undefined,
  platforms: [],
  noCache: false,
  noCacheFilter: [],
  pull: false,
  network: undefined,
  extraHosts: [],
  cacheFrom: [],
  cacheTo: [],
  exports: [{ kind: 'load', names: [] }],
  secrets: new Map(),
  ssh: new Map(),
  attests: [],
  entitlements: [],
};

const FIXTURES: { readonly name: string; readonly target: Target; readonly spec: BuildSpec }[] = [
  { name: 'a bare target loads into the engine, from the working directory', target: { name: 'app' }, spec: { name: 'app', ...PLAIN } },
  {
    name: 'paths resolve from where bake runs; the Dockerfile from the context',
    target: {
      name: 'app',
      context: 'svc',
      dockerfile: 'build/Dockerfile.dev',
      contexts: { base: 'target:base', extra: '../extra', img: 'docker-image://alpine:3', git: 'git@github.com:o/r.git' },
    },
    spec: {
      name: 'app',
      ...PLAIN,
      context: `${CWD}/svc`,
      dockerfile: { kind: 'file', path: `${CWD}/svc/build/Dockerfile.dev` },
      namedContexts: new Map([
        ['base', { kind: 'linked' }],
        ['extra', { kind: 'dir', path: '/work/extra', written: '../extra' }],
        ['img', { kind: 'remote', ref: 'docker-image://alpine:3' }],
        ['git', { kind: 'remote', ref: 'git@github.com:o/r.git' }],
      ]),
    },
  },
  {
    name: 'a remote context is kept as written; dockerfile-inline is text',
    target: { name: 'app', context: 'https://example.invalid/repo.git', 'dockerfile-inline': 'FROM scratch\n' },
    spec: { name: 'app', ...PLAIN, context: 'https://example.invalid/repo.git', dockerfile: { kind: 'inline', text: 'FROM scratch\n' } },
  },
  {
    name: 'args and labels lose their nulls; options carry over; disabled attestations drop',
    target: {
      name: 'app',
      args: { A: '1', B: null },
      labels: { 'org.x': 'y', gone: null },
      tags: ['app:1'],
      target: 'prod',
      platforms: ['linux/arm64'],
      'no-cache': true,
      'no-cache-filter': ['deps'],
      pull: true,
      network: 'host',
      'extra-hosts': { db: '10.0.0.2', gone: null },
      'cache-from': [{ type: 'registry', ref: 'r/app:cache' }],
      'cache-to': [{ type: 'inline' }],
      attest: [
        { type: 'provenance', mode: 'max' },
        { type: 'sbom', disabled: 'true' },
      ],
      entitlements: ['network.host'],
    },
    spec: {
      name: 'app',
      ...PLAIN,
      args: { A: '1' },
      labels: { 'org.x': 'y' },
      tags: ['app:1'],
      target: 'prod',
      platforms: ['linux/arm64'],
      noCache: true,
      noCacheFilter: ['deps'],
      pull: true,
      network: 'host',
      extraHosts: [['db', '10.0.0.2']],
      cacheFrom: [{ Type: 'registry', Attrs: { ref: 'r/app:cache' } }],
      cacheTo: [{ Type: 'inline', Attrs: {} }],
      exports: [{ kind: 'load', names: ['app:1'] }],
      attests: [{ type: 'provenance', mode: 'max' }],
      entitlements: ['network.host'],
    },
  },
  {
    name: 'each output an export: names from name= else the tags, dests from the working directory, push from registry or push=true',
    target: {
      name: 'app',
      tags: ['reg/app:1'],
      output: [
        { type: 'cacheonly' },
        { type: 'docker' },
        { type: 'docker', dest: 'img.tar', name: 'x:1,y:2' },
        { type: 'oci', dest: '/o.tar' },
        { type: 'local', dest: 'out' },
        { type: 'tar', dest: 't.tar' },
        { type: 'image' },
        { type: 'image', push: 'true' },
        { type: 'registry' },
      ],
    },
    spec: {
      name: 'app',
      ...PLAIN,
      tags: ['reg/app:1'],
      exports: [
        { kind: 'cacheonly' },
        { kind: 'load', names: ['reg/app:1'] },
        { kind: 'docker', names: ['x:1', 'y:2'], dest: `${CWD}/img.tar` },
        { kind: 'oci', names: ['reg/app:1'], dest: '/o.tar' },
        { kind: 'local', dest: `${CWD}/out` },
        { kind: 'tar', dest: `${CWD}/t.tar` },
        { kind: 'image', names: ['reg/app:1'], push: false },
        { kind: 'image', names: ['reg/app:1'], push: true },
        { kind: 'image', names: ['reg/app:1'], push: true },
      ],
    },
  },
  {
    name: 'secrets by id (env ones name their variable), ssh agents from the working directory or SSH_AUTH_SOCK',
    target: {
      name: 'app',
      secret: [
        { id: 'tok', src: 'tok.txt' },
        { id: 'e', type: 'env' },
        { id: 'f', type: 'env', src: 'F_VAR' },
        { id: 'g', env: 'G' },
      ],
      ssh: [{ id: 'default' }, { id: 'gh', paths: '["/k1","keys/k2"]' }],
    },
    spec: {
      name: 'app',
      ...PLAIN,
      secrets: new Map([
        ['tok', { src: `${CWD}/tok.txt` }],
        ['e', { env: 'e' }],
        ['f', { env: 'F_VAR' }],
        ['g', { env: 'G' }],
      ]),
      ssh: new Map([
        ['default', [AGENT]],
        ['gh', ['/k1', `${CWD}/keys/k2`]],
      ]),
    },
  },
];

for (const f of FIXTURES) {
  test(`build spec: ${f.name}`, () => {
    assert.deepEqual(buildSpec(f.target, CWD, AGENT), f.spec);
  });
}

test('build spec: what the target leaves incomplete is a bake-file error with a fix; what BuildKit cannot do is left for the adapter', () => {
  const incomplete: [Partial<Target>, RegExp][] = [
    [{ output: [{ type: 'local' }] }, /the local output of target app has no dest/],
    [{ output: [{ type: 'oci' }] }, /the oci output of target app has no dest/],
    [{ output: [{ type: 'registry' }] }, /target app asks to push but names no image/],
    [{ output: [{ type: 'ftp' }] }, /output of type ftp, which bake cannot export yet/],
    [{ secret: [{ src: '/x' }] }, /a secret of target app has no id/],
  ];
  for (const [target, message] of incomplete) {
    assert.throws(
      () => buildSpec({ name: 'app', ...target }, CWD, AGENT),
      (e: unknown) => e instanceof BakeFileError && message.test(e.message) && e.diagnostics[0]?.fix !== undefined,
      JSON.stringify(target),
    );
  }
  assert.throws(() => buildSpec({ name: 'app', ssh: [{ id: 'default' }] }, CWD, undefined), /SSH_AUTH_SOCK is not set/);
  // The adapter refuses these (solve-request.ts), knowing the builder.
  for (const target of [
    { network: 'bridge' },
    { 'extra-hosts': { h: 'host-gateway' } },
    { platforms: ['linux/amd64', 'linux/arm64'] },
    { attest: [{ type: 'sbom' }] },
  ]) {
    assert.doesNotThrow(() => buildSpec({ name: 'app', ...target }, CWD, AGENT), JSON.stringify(target));
  }
});
