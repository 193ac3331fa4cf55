/**
 * A project's identity (issue 5): its bake files' absolute paths. One
 * session per project, named so a user can tell sessions apart.
 */
import { createHash } from 'node:crypto';
import { basename, dirname } from 'node:path';

/** 12 hex of sha256 over the paths: labels and named volumes carry it. */
export function projectKey(files: readonly string[]): string {
  return createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 12);
}

/** `shop-1a2b3c`: the project directory's name and 6 hex of its key, in the characters engine object names allow. */
export function sessionIdOf(files: readonly string[]): string {
  const name =
    basename(dirname(files[0] ?? '/'))
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, '-')
      .replace(/^[-_.]+/, '') || 'bake';
  return `${name.slice(0, 40)}-${projectKey(files).slice(0, 6)}`;
}
