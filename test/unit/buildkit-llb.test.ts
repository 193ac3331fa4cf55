/** The local-source Definition: exact op bytes, digests of those bytes, metadata keyed by the source digest. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { localDefinition } from '../../src/buildkit/llb.js';

const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
/** A length-delimited protobuf field, for writing expected bytes by hand. */
const ld = (n: number, payload: Buffer): Buffer => Buffer.concat([Buffer.from([(n << 3) | 2, payload.length]), payload]);
const s = (x: string): Buffer => Buffer.from(x);

test('the source op is Op{source=3: SourceOp{identifier=1, attrs=2 sorted}} byte for byte, and the terminal op points at its digest', () => {
  const { definition, sourceDigest } = localDefinition({ name: 'ctx', sharedKeyHint: 'h', excludePatterns: ['node_modules'], followPaths: ['Dockerfile'] });
  const entry = (k: string, v: string): Buffer => ld(2, Buffer.concat([ld(1, s(k)), ld(2, s(v))]));
  const expected = ld(
    3,
    Buffer.concat([
      ld(1, s('local://ctx')),
      entry('local.excludepatterns', '["node_modules"]'),
      entry('local.followpaths', '["Dockerfile"]'),
      entry('local.sharedkeyhint', 'h'),
    ]),
  );
  assert.deepEqual(Buffer.from(definition.def[0] as Uint8Array), expected);
  assert.equal(sourceDigest, sha(expected));
  assert.deepEqual(Buffer.from(definition.def[1] as Uint8Array), ld(1, ld(1, s(sourceDigest))));
  assert.deepEqual(Object.keys(definition.metadata), [sourceDigest], 'metadata must name the source op, or the frontend finds no ops');
  assert.deepEqual(definition.metadata[sourceDigest]?.caps, {
    'source.local': true,
    'source.local.sharedkeyhint': true,
    'source.local.excludepatterns': true,
    'source.local.followpaths': true,
  });
});

test('the same directory gives the same bytes (so targets share one transfer); the display name is metadata only', () => {
  const a = localDefinition({ name: 'ctx', sharedKeyHint: 'h', displayName: 'one' });
  const b = localDefinition({ name: 'ctx', sharedKeyHint: 'h', displayName: 'two' });
  assert.equal(a.sourceDigest, b.sourceDigest);
  assert.notEqual(localDefinition({ name: 'ctx2', sharedKeyHint: 'h' }).sourceDigest, a.sourceDigest);
  assert.deepEqual(a.definition.metadata[a.sourceDigest]?.description, { 'llb.customname': 'one' });
});

test('no local.session attr: the job’s own fresh session keys the op (protocol §8)', () => {
  const { definition } = localDefinition({ name: 'ctx', sharedKeyHint: 'h' });
  assert.ok(!Buffer.from(definition.def[0] as Uint8Array).includes('local.session'));
});
