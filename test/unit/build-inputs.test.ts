import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkBuildInputs } from '../../src/bakefile/build-inputs.js';
import type { HostFileInfo, HostFiles } from '../../src/bakefile/host.js';
import type { Target } from '../../src/bakefile/model.js';

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----\n';

/** A host whose files are a map: path → text, or a directory or socket (no text). */
type HostEntry = { readonly text: string } | { readonly kind: 'directory' | 'socket' };

function host(files: Record<string, string | HostEntry>, env: Record<string, string> = {}) {
  const entry = (p: string): HostEntry | undefined => {
    const f = files[p];
    return typeof f === 'string' ? { text: f } : f;
  };
  const hostFiles: HostFiles = {
    workingDirectory: '/work',
    read: (p) => {
      const f = entry(p);
      return f && 'text' in f ? { text: f.text } : { error: 'no such file or directory' };
    },
    stat: (p): HostFileInfo | { error: string } => {
      const f = entry(p);
      if (!f) return { error: 'no such file or directory' };
      return 'text' in f ? { size: f.text.length, kind: 'file' } : { size: 0, kind: f.kind };
    },
  };
  return { files: hostFiles, env: (n: string) => env[n] };
}

function check(t: Partial<Target>, h: ReturnType<typeof host>): string | undefined {
  try {
    checkBuildInputs(new Map([['app', { name: 'app', ...t }]]), h);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

test('secrets: files must exist; an id alone is a variable when one is set, else a file (secretsprovider.NewStore)', () => {
  assert.equal(check({ secret: [{ id: 'npmrc', src: 'npmrc' }] }, host({ npmrc: 'x' })), undefined);
  assert.equal(check({ secret: [{ id: 'npmrc', src: './nope' }] }, host({})), 'failed to stat ./nope: stat ./nope: no such file or directory');
  assert.equal(check({ secret: [{ id: 'TOKEN' }] }, host({}, { TOKEN: '' })), undefined);
  assert.equal(check({ secret: [{ id: 'TOKEN' }] }, host({})), 'failed to stat TOKEN: stat TOKEN: no such file or directory');
  assert.equal(check({ secret: [{ id: 'TOKEN', env: 'UNSET' }] }, host({})), undefined);
  assert.equal(check({ secret: [{ id: 'big', src: 'big' }] }, host({ big: 'x'.repeat(500 * 1024 + 1) })), 'secret big too big. max size 500KB');
});

test('ssh: an agent needs SSH_AUTH_SOCK, and every path is a socket or a key file (sshprovider)', () => {
  assert.equal(check({ ssh: [{ id: 'default' }] }, host({})), 'invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set');
  assert.equal(check({ ssh: [{ id: 'default' }] }, host({ '/run/agent': { kind: 'socket' } }, { SSH_AUTH_SOCK: '/run/agent' })), undefined);
  assert.equal(check({ ssh: [{ id: 'default' }] }, host({}, { SSH_AUTH_SOCK: '/gone' })), 'stat /gone: no such file or directory');
  assert.equal(check({ ssh: [{ id: 'k', paths: '["id"]' }] }, host({ id: KEY })), undefined);
  assert.equal(check({ ssh: [{ id: 'k', paths: '["id"]' }] }, host({ id: 'not a key' })), 'failed to parse id: ssh: no key found');
  assert.equal(check({ ssh: [{ id: 'k', paths: '["keys"]' }] }, host({ keys: { kind: 'directory' } })), 'failed to read keys: read keys: is a directory');
});

test('a git context over SSH forwards the default agent, so it needs one too (buildflags.IsGitSSH)', () => {
  assert.equal(check({ context: 'git@github.com:a/b.git' }, host({})), 'invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set');
  assert.equal(check({ context: 'ssh://git@host/a/b.git' }, host({})), 'invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set');
  assert.equal(check({ context: 'https://github.com/a/b.git' }, host({})), undefined);
  // Entries of its own replace the implied default agent.
  assert.equal(check({ context: 'git@github.com:a/b.git', ssh: [{ id: 'k', paths: '["id"]' }] }, host({ id: KEY })), undefined);
});
