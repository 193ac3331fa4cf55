/** The ids that keep targets' secret steps apart (issue 14): equal values share an id, different ones do not, and the key is kept. */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isolateSecrets, secretIdKey } from '../../src/orchestrate/secret-ids.js';
import { tempDir } from '../support/temp-dir.js';

const KEY = Buffer.alloc(32, 7);
const vars: Record<string, string> = { A: 'one', B: 'two', C: 'one' };
const env = (name: string): string | undefined => vars[name];

test('the same value gives the same id, a different value another; the session serves the new id from the same source', async () => {
  const of = async (variable: string) => isolateSecrets(new Map([['tok', { env: variable }]]), env, KEY);
  const [a, b, c] = await Promise.all([of('A'), of('B'), of('C')]);
  const id = (s: Awaited<ReturnType<typeof of>>): string => s.ids.get('tok') as string;
  assert.match(id(a), /^tok-[0-9a-f]{16}$/);
  assert.equal(id(a), id(c));
  assert.notEqual(id(a), id(b));
  assert.deepEqual(a.secrets.get(id(a)), { env: 'A' });
  assert.deepEqual(a.secrets.get('tok'), { env: 'A' }, 'the user id is still served');
  const other = await isolateSecrets(new Map([['tok', { env: 'A' }]]), env, Buffer.alloc(32, 8));
  assert.notEqual(other.ids.get('tok'), id(a), 'another key, another id: the id says nothing without the key');
});

test('a secret that cannot be read now keeps its id, for the session to report', async () => {
  const s = await isolateSecrets(new Map([['tok', { env: 'UNSET' }]]), env, KEY);
  assert.equal(s.ids.size, 0);
});

test('the key is made once, 0600, and read back by the next run', () => {
  const dir = tempDir('bake-secret-key-');
  const first = secretIdKey(join(dir, 'state'))();
  assert.equal(first.length, 32);
  assert.equal(statSync(join(dir, 'state', 'secret-id.key')).mode & 0o777, 0o600);
  assert.deepEqual(secretIdKey(join(dir, 'state'))(), first);
});
