/**
 * Target → build spec (orchestrate/build-spec.ts) → SolveRequest for
 * dockerfile.v0: attrs, inputs, exporter, and what the session must serve.
 * Written from targets, so each case reads as the bake file a user writes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Target } from '../../src/bakefile/model.js';
import { BakeFileError } from '../../src/core/diagnostics.js';
import { parseDockerignore, pushedAfterLoad, solvePlan, type SolveInput } from '../../src/buildkit/solve-request.js';
import { buildSpec } from '../../src/orchestrate/build-spec.js';

/** The Solve of the target's first export, from /work/p with an SSH agent (unless `sshAuthSock` says otherwise). */
const input = (target: Partial<Target>, more: Partial<SolveInput> & { readonly sshAuthSock?: string | undefined } = {}): SolveInput => {
  const { sshAuthSock, ...solve } = { sshAuthSock: '/run/agent.sock', ...more };
  const spec = buildSpec({ name: 'app', context: '.', dockerfile: 'Dockerfile', ...target }, '/work/p', sshAuthSock);
  return {
    spec,
    export: spec.exports[0] ?? assert.fail('a spec has an export'),
    ref: 'ref1',
    context: { name: 'dir-a', sharedKeyHint: 'dir-a-context' },
    dockerfileDir: { name: 'dir-a', sharedKeyHint: 'dir-a-dockerfile' },
    dockerfileName: 'Dockerfile',
    dockerignore: undefined,
    imageStore: true,
    ...solve,
  };
};

test('a plain target: inputs context and dockerfile, the inputs cap required, moby export named by the tags', () => {
  const { request, fileSend } = solvePlan(input({ tags: ['app:1', 'app:latest'] }));
  assert.equal(request.Frontend, 'dockerfile.v0');
  assert.equal(request.Ref, 'ref1');
  assert.deepEqual(request.FrontendAttrs, { filename: 'Dockerfile', 'frontend.caps': 'moby.buildkit.frontend.inputs' });
  assert.deepEqual(Object.keys(request.FrontendInputs ?? {}).sort(), ['context', 'dockerfile']);
  assert.equal(request.Exporter, 'moby');
  assert.deepEqual(request.ExporterAttrs, { name: 'app:1,app:latest' });
  assert.equal(fileSend, undefined);
  assert.equal(request.Session, undefined, 'the build names its fresh session');
});

test('args, labels (nulls dropped), target, platform, no-cache, pull, network host, extra hosts', () => {
  const { request } = solvePlan(
    input({
      args: { A: '1', B: null },
      labels: { 'org.x': 'y' },
      target: 'prod',
      platforms: ['linux/amd64'],
      'no-cache': true,
      pull: true,
      network: 'host',
      entitlements: ['network.host'],
      'extra-hosts': { db: '10.0.0.2', gone: null },
    }),
  );
  assert.deepEqual(request.FrontendAttrs, {
    filename: 'Dockerfile',
    'frontend.caps': 'moby.buildkit.frontend.inputs',
    'build-arg:A': '1',
    'label:org.x': 'y',
    target: 'prod',
    platform: 'linux/amd64',
    'no-cache': '',
    'image-resolve-mode': 'pull',
    'force-network-mode': 'host',
    'add-hosts': 'db=10.0.0.2',
  });
  assert.deepEqual(request.Entitlements, ['network.host']);
});

test('no-cache-filter names stages; cache-from becomes imports', () => {
  const { request } = solvePlan(input({ 'no-cache-filter': ['a', 'b'], 'cache-from': [{ type: 'local', src: '/c' }] }));
  assert.equal(request.FrontendAttrs?.['no-cache'], 'a,b');
  assert.deepEqual(request.Cache?.Imports, [{ Type: 'local', Attrs: { src: '/c' } }]);
  assert.equal(request.FrontendAttrs?.['cache-imports'], '[{"Type":"local","Attrs":{"src":"/c"}}]');
});

test('local and tar outputs: their exporter, and a FileSend spec with dest resolved from cwd', () => {
  const local = solvePlan(input({ output: [{ type: 'local', dest: 'out' }] }));
  assert.equal(local.request.Exporter, 'local');
  assert.deepEqual(local.fileSend, { kind: 'local', dest: '/work/p/out' });
  const tar = solvePlan(input({ output: [{ type: 'tar', dest: '/tmp/x.tar' }] }));
  assert.equal(tar.request.Exporter, 'tar');
  assert.deepEqual(tar.fileSend, { kind: 'tar', dest: '/tmp/x.tar' });
  assert.equal(solvePlan(input({ output: [{ type: 'cacheonly' }] })).request.Exporter, '');
});

test('secrets and ssh become session attachments', () => {
  const plan = solvePlan(
    input({
      secret: [
        { id: 'tok', src: '/s/tok' },
        { id: 'rel', src: 'tok.txt' },
        { id: 'e', type: 'env' },
        { id: 'f', env: 'F' },
      ],
      ssh: [{ id: 'default' }, { id: 'gh', paths: '["/k1","keys/k2"]' }],
    }),
  );
  assert.deepEqual(
    [...plan.secrets],
    [
      ['tok', { src: '/s/tok' }],
      ['rel', { src: '/work/p/tok.txt' }],
      ['e', { env: 'e' }],
      ['f', { env: 'F' }],
    ],
  );
  assert.deepEqual(
    [...plan.ssh],
    [
      ['default', ['/run/agent.sock']],
      ['gh', ['/k1', '/work/p/keys/k2']],
    ],
  );
  assert.throws(() => solvePlan(input({ ssh: [{ id: 'default' }] }, { sshAuthSock: undefined })), /SSH_AUTH_SOCK is not set/);
});

test('the .dockerignore goes to the context op as exclude patterns; the dockerfile op follows only the file', () => {
  const { request } = solvePlan(input({}, { dockerignore: '# c\nnode_modules\n/dist/\n!dist/keep\n\n  *.log  \n' }));
  const ctx = Buffer.from(request.FrontendInputs?.['context']?.def[0] as Uint8Array).toString('latin1');
  assert.match(ctx, /\["node_modules","dist","!dist\/keep","\*\.log"\]/);
  const df = Buffer.from(request.FrontendInputs?.['dockerfile']?.def[0] as Uint8Array).toString('latin1');
  assert.match(df, /local\.followpaths.*\["Dockerfile"\]/s);
});

test('image outputs: loaded into a Docker engine and pushed by it after the load; a standalone BuildKit exports and pushes them itself', () => {
  const tags = ['reg.example:5000/app:1', 'reg.example:5000/app:latest'];
  const plan = (output: Record<string, string>, imageStore = true): [string | undefined, unknown, readonly string[]] => {
    const solve = input({ tags, output: [output] }, { imageStore });
    const { request } = solvePlan(solve);
    return [request.Exporter, request.ExporterAttrs, pushedAfterLoad(solve.export, imageStore)];
  };
  assert.deepEqual(plan({ type: 'image', push: 'true' }), ['moby', { name: tags.join(',') }, tags]);
  assert.deepEqual(plan({ type: 'registry' })[2], tags);
  assert.deepEqual(plan({ type: 'image' })[2], [], 'an image output without push only loads');
  assert.deepEqual(
    plan({ type: 'image', push: 'true' }, false),
    ['image', { name: tags.join(','), push: 'true' }, []],
    'a standalone BuildKit exports and pushes itself',
  );
});

test('oci and docker tarballs arrive through FileSend like a tar', () => {
  for (const type of ['oci', 'docker']) {
    const plan = solvePlan(input({ tags: ['app:1'], output: [{ type, dest: 'img.tar' }] }));
    assert.deepEqual([plan.request.Exporter, plan.request.ExporterAttrs, plan.fileSend], [type, { name: 'app:1' }, { kind: 'tar', dest: '/work/p/img.tar' }]);
  }
});

test('what this engine cannot do is a bake-file error with a fix', () => {
  const cases: Partial<Target>[] = [
    { output: [{ type: 'image', push: 'true' }] },
    { output: [{ type: 'local' }] },
    { output: [{ type: 'registry' }] },
    { output: [{ type: 'oci' }] },
    { platforms: ['linux/amd64', 'linux/arm64'] },
    { contexts: { x: 'docker-image://alpine' } },
    { attest: [{ type: 'provenance', mode: 'max' }] },
    { network: 'bridge' },
    { 'extra-hosts': { h: 'host-gateway' } },
    { secret: [{ src: '/x' }] },
  ];
  for (const c of cases) {
    assert.throws(
      () => solvePlan(input(c)),
      (e: unknown) => e instanceof BakeFileError && e.diagnostics[0]?.fix !== undefined,
      JSON.stringify(c),
    );
  }
  assert.doesNotThrow(() => solvePlan(input({ attest: [{ type: 'provenance', disabled: 'true' }] })));
});

const linkedTarget: Partial<Target> = { contexts: { base: 'target:dep', tools: 'target:tools' }, pull: true };
const refs = new Map([
  ['base', 'bake-internal/dep:0123456789ab'],
  ['tools', 'bake-internal/tools:ba9876543210'],
]);

test('target: contexts on a frontend with named contexts: context:NAME = docker-image:// of the internal tag, both caps required, no forced pull', () => {
  const { request } = solvePlan(input(linkedTarget, { links: { refs, namedContexts: true } }));
  assert.deepEqual(request.FrontendAttrs, {
    filename: 'Dockerfile',
    'frontend.caps': 'moby.buildkit.frontend.inputs,moby.buildkit.frontend.contexts',
    'context:base': 'docker-image://bake-internal/dep:0123456789ab',
    'context:tools': 'docker-image://bake-internal/tools:ba9876543210',
  });
  assert.deepEqual(Object.keys(request.FrontendInputs ?? {}).sort(), ['context', 'dockerfile'], 'the context and Dockerfile still come as inputs');
});

test('a named context is keyed by the name the frontend looks up: docker.io/library/x:latest is x', () => {
  const { request } = solvePlan(
    input(
      { contexts: { 'docker.io/library/base:latest': 'target:dep' } },
      { links: { refs: new Map([['docker.io/library/base:latest', 'bake-internal/dep:0123456789ab-r']]), namedContexts: true } },
    ),
  );
  assert.equal(request.FrontendAttrs?.['context:base'], 'docker-image://bake-internal/dep:0123456789ab-r');
});

test('target: contexts without named contexts: no context attrs (the served Dockerfile names the tags), no forced pull of them', () => {
  const { request } = solvePlan(input(linkedTarget, { links: { refs, namedContexts: false } }));
  assert.deepEqual(request.FrontendAttrs, { filename: 'Dockerfile', 'frontend.caps': 'moby.buildkit.frontend.inputs' });
});

test('a local-directory context: without named contexts an error naming the cap; a target: context without its loaded dependency is a bug', () => {
  assert.throws(
    () => solvePlan(input({ contexts: { extra: './extra' } }, { links: { refs: new Map(), namedContexts: false } })),
    (e: unknown) =>
      e instanceof BakeFileError &&
      /has \.\/extra as context extra, but the builder's Dockerfile frontend lacks named contexts \(moby\.buildkit\.frontend\.contexts\)/.test(e.message) &&
      e.diagnostics[0]?.fix !== undefined,
  );
  assert.throws(() => solvePlan(input({ contexts: { base: 'target:dep' } })), /internal: context base of target app has no loaded dependency/);
});

test('named contexts where the frontend has them: a local directory as an input over the session (its .dockerignore applied), images and URLs as written', () => {
  const namedDirs = new Map([['extra', { dir: { name: 'dir-x', sharedKeyHint: 'dir-x-context' }, dockerignore: '*.log\n' }]]);
  const { request } = solvePlan(
    input(
      { contexts: { extra: './extra', alpine: 'docker-image://bake-test/busybox:latest', src: 'https://example.invalid/src.tar' } },
      { links: { refs: new Map(), namedContexts: true }, namedDirs },
    ),
  );
  assert.deepEqual(request.FrontendAttrs, {
    filename: 'Dockerfile',
    'frontend.caps': 'moby.buildkit.frontend.inputs,moby.buildkit.frontend.contexts',
    'context:extra': 'input:context-extra',
    'context:alpine': 'docker-image://bake-test/busybox:latest',
    'context:src': 'https://example.invalid/src.tar',
  });
  assert.deepEqual(Object.keys(request.FrontendInputs ?? {}).sort(), ['context', 'context-extra', 'dockerfile']);
  const op = Buffer.from(request.FrontendInputs?.['context-extra']?.def?.[0] ?? new Uint8Array()).toString('latin1');
  assert.match(op, /local:\/\/dir-x/);
  assert.match(op, /\["\*\.log"\]/, "the directory's .dockerignore is applied");
  assert.throws(
    () => solvePlan(input({ contexts: { alpine: 'docker-image://bake-test/busybox:latest' } }, { links: { refs: new Map(), namedContexts: false } })),
    (e: unknown) => e instanceof BakeFileError && /lacks named contexts/.test(e.message),
  );
});

test('.dockerignore parsing follows moby 20.10: comments in column 1, trimming, Clean, leading / stripped, BOM', () => {
  assert.deepEqual(parseDockerignore('\uFEFFa/../b\n #not a comment\n!/c/./d/\n/\n./x\n'), ['b', '#not a comment', '!c/d', '/', 'x']);
});

test("the context's followpaths: the paths its builds read go in its source op; absent, the whole context", () => {
  const contextOp = (plan: ReturnType<typeof solvePlan>): string => Buffer.from(plan.request.FrontendInputs?.['context']?.def[0] ?? []).toString('latin1');
  const some = contextOp(solvePlan(input({}, { contextPaths: ['go.mod', 'src/*.go'] })));
  assert.ok(some.includes('local.followpaths') && some.includes('["go.mod","src/*.go"]'), some);
  assert.ok(!contextOp(solvePlan(input({}))).includes('local.followpaths'));
  const metadata = Object.values(solvePlan(input({}, { contextPaths: ['a'] })).request.FrontendInputs?.['context']?.metadata ?? {});
  assert.equal(metadata[0]?.caps?.['source.local.followpaths'], true);
});
