import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newBuildkitId } from '../../src/buildkit/identity.js';

const fixed =
  (bytes: number[]) =>
  (size: number): Uint8Array => {
    assert.equal(size, 17, 'identity.NewID reads 17 bytes');
    return Uint8Array.from(bytes);
  };

test('newBuildkitId is identity.NewID: the top bit set, digits 2 to 26 of the base-36 number', () => {
  const cases: [bytes: number[], id: string][] = [
    // 2^135 = 1hvy0lj3x0b883f8e30fyp21728 in base 36.
    [Array(17).fill(0), 'hvy0lj3x0b883f8e30fyp2172'],
    // 2^136 - 1 = 2zrw1727u0mgg6ugs60vxe42e4f.
    [Array(17).fill(0xff), 'zrw1727u0mgg6ugs60vxe42e4'],
    [Array.from({ length: 17 }, (_, i) => i + 1), 'ib7wwa7iw3swndjw6xned85q8'],
  ];
  for (const [bytes, id] of cases) assert.equal(newBuildkitId(fixed(bytes)), id);
});

test("newBuildkitId leaves the caller's bytes alone", () => {
  const bytes = new Uint8Array(17);
  newBuildkitId(() => bytes);
  assert.equal(bytes[0], 0);
});

test('newBuildkitId from the system source: 25 characters of [0-9a-z], all different', () => {
  const ids = Array.from({ length: 200 }, () => newBuildkitId());
  for (const id of ids) assert.match(id, /^[0-9a-z]{25}$/);
  assert.equal(new Set(ids).size, ids.length);
});
