/**
 * The secret ids that keep targets' secret steps apart (issue 14, faults and
 * load; dockerfile/secret-mounts.ts rewrites the mounts). Each id is the
 * user's id and a keyed hash of the value, `tok-<16 hex>`: the same value
 * gives the same id, so targets (and later runs) that share a value share
 * the step from the cache, while a different value is a different step.
 * The key is this user's, random and kept private in bake's state dir, so
 * an id in the engine's records says nothing about the value to anyone
 * without it.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSecret, secretFile } from '../buildkit/session/secret-source.js';
import type { SecretSpec } from '../buildkit/session/spec.js';

export interface IsolatedSecrets {
  /** The user's id → the id the mounts take. */
  readonly ids: ReadonlyMap<string, string>;
  /** What the session serves: the user's ids and the isolated ones, each from the target's source. */
  readonly secrets: ReadonlyMap<string, SecretSpec>;
}

/**
 * The isolated id of each secret whose value can be read now; one that
 * cannot keeps its id, and the session reports it when the step asks.
 */
export async function isolateSecrets(
  secrets: ReadonlyMap<string, SecretSpec>,
  env: (name: string) => string | undefined,
  key: Buffer,
): Promise<IsolatedSecrets> {
  const ids = new Map<string, string>();
  const served = new Map(secrets);
  for (const [id, source] of secrets) {
    const value = await readSecret(id, source, env).catch(() => undefined);
    if (value === undefined) continue;
    const isolated = `${id}-${createHmac('sha256', key).update(id).update('\0').update(value).digest('hex').slice(0, 16)}`;
    ids.set(id, isolated);
    // Explicit: with neither src nor env, the session would look for a variable or file named like the isolated id.
    const file = secretFile(id, source, env);
    served.set(isolated, file === undefined ? { env: source.env ?? id } : { src: file });
  }
  return { ids, secrets: served };
}

/**
 * This user's key for secret ids, made once: `secret-id.key` (0600) in
 * bake's state dir. Where that dir cannot be written, a key of this run's
 * own: targets are still kept apart, only a later run rebuilds their steps.
 */
export function secretIdKey(stateDir: string): () => Buffer {
  let key: Buffer | undefined;
  return () => (key ??= readOrMakeKey(join(stateDir, 'secret-id.key')));
}

function readOrMakeKey(path: string): Buffer {
  try {
    const kept = readFileSync(path);
    if (kept.length === 32) return kept;
  } catch {
    // Not made yet.
  }
  const made = randomBytes(32);
  try {
    mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
    writeFileSync(path, made, { mode: 0o600 });
  } catch {
    // A read-only state dir: this run's key.
  }
  return made;
}
