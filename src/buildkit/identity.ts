/**
 * BuildKit's identity.NewID, the shape of session ids and build refs: 17
 * random bytes with the top bit set, so the number always has 27 base-36
 * digits, of which the 2nd to the 26th are kept: 25 characters of [0-9a-z],
 * never a `:`, evenly spread (a byte taken modulo 36 would favour 0 to 3).
 */
import { randomBytes } from 'node:crypto';

/** A new BuildKit id; `random` gives `size` random bytes (tests pass fixed ones). */
export function newBuildkitId(random: (size: number) => Uint8Array = randomBytes): string {
  const bytes = Uint8Array.from(random(17));
  bytes[0] = (bytes[0] as number) | 0x80;
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n.toString(36).slice(1, 26);
}
