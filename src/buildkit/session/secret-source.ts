/**
 * Where a secret's value comes from, and the value: what the session's
 * Secrets service serves, and what orchestrate/secret-ids.ts reads without
 * loading the session's gRPC stack.
 */
import { readFile } from 'node:fs/promises';
import type { SecretSpec } from './spec.js';

/**
 * The file a secret is read from, as BuildKit's file store picks it
 * (secretsprovider.NewStore): `env` wins, then `src`; with neither, an env
 * var named like the ID, else a file named like it. Undefined: the environment.
 */
export function secretFile(id: string, source: SecretSpec, env: (name: string) => string | undefined): string | undefined {
  if (source.env !== undefined || (source.src === undefined && env(id) !== undefined)) return undefined;
  return source.src ?? id;
}

/** A secret's value as the session serves it; orchestrate/secret-ids.ts reads it too, for the ids that keep targets' steps apart. */
export async function readSecret(id: string, source: SecretSpec | undefined, env: (name: string) => string | undefined): Promise<Buffer> {
  if (!source) throw new Error(`The secret ${JSON.stringify(id)} is not provided to this build.`);
  const file = secretFile(id, source, env);
  if (file === undefined) {
    const envName = source.env ?? id;
    const value = env(envName);
    if (value === undefined) throw new Error(`The secret ${JSON.stringify(id)} comes from the environment variable ${envName}, which is not set.`);
    return Buffer.from(value);
  }
  try {
    return await readFile(file);
  } catch (e) {
    throw new Error(`The secret ${JSON.stringify(id)} cannot be read from ${file}: ${(e as Error).message}`, { cause: e });
  }
}
