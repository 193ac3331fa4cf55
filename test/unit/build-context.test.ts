import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildContextPath, isRemoteURL } from '../../src/bakefile/build-context.js';

// What buildx 0.13.1 prints for `context = VALUE` (checked with its --print), current buildx alike.
const CONTEXTS: [written: string, printed: string][] = [
  ['.', '.'],
  ['', '.'],
  ['./', '.'],
  ['./web', 'web'],
  ['/srv/app//src/', '/srv/app/src'],
  ['../x/./y/..', '../x'],
  ['cwd://', '.'],
  ['cwd://foo', 'foo'],
  ['cwd://./a/../b/', 'b'],
  ['https://github.com/a/b.git#main:./sub', 'https://github.com/a/b.git#main:./sub'],
  ['http://example.com/ctx.tar.gz', 'http://example.com/ctx.tar.gz'],
  ['git@github.com:a/b.git', 'git@github.com:a/b.git'],
  ['github.com/a/b', 'github.com/a/b'],
  ['ssh://git@host/x//y', 'ssh://git@host/x//y'],
  // Not a scheme BuildKit's git URL parser knows: cleaned as a path, as buildx does.
  ['docker-image://alpine', 'docker-image:/alpine'],
  ['target:base', 'target:base'],
];

test('buildContextPath rewrites a context as buildx toBuildOpt does before printing', () => {
  for (const [written, printed] of CONTEXTS) assert.equal(buildContextPath(written), printed, written);
});

test('isRemoteURL follows build.IsRemoteURL and BuildKit gitutil.ParseGitRef', () => {
  const remote = [
    'https://x',
    'http://x',
    'HTTPS://host/repo.git',
    'git://host/repo',
    'ssh://host/repo',
    'github.com/a/b',
    'user@host:path',
    'git@github.com:a/b.git#main',
  ];
  const local = ['HTTPS://host/repo', 'docker-image://alpine', 'oci-layout://x', './git@x:y', 'dir', '@host:path', 'a b@host:p'];
  for (const v of remote) assert.equal(isRemoteURL(v), true, v);
  for (const v of local) assert.equal(isRemoteURL(v), false, v);
});
