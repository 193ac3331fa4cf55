/**
 * What a container's replacement loses (rebuild, rollback, an `up` whose
 * image changed): the files made or changed in its own filesystem, as the
 * engine's changes list gives them, said to the user as it happens.
 */

/** One entry of the engine's changes list: 0 changed, 1 added, 2 deleted. */
export interface FileChange {
  readonly Path: string;
  readonly Kind: 0 | 1 | 2;
}

/**
 * The paths a user made, changed or deleted: a directory listed only because
 * something under it changed is left out, as are what the engine made (the
 * mount point of its init) and `kept` (carried into the new container, as
 * the shell history is).
 */
export function droppedPaths(changes: readonly FileChange[], kept: readonly string[]): string[] {
  const paths = changes.map((c) => c.Path);
  const isParent = (p: string): boolean => paths.some((other) => other.startsWith(`${p}/`));
  const notTheUsers = new Set([...ENGINE_MADE, ...kept]);
  return changes.filter((c) => !notTheUsers.has(c.Path) && !(c.Kind === 0 && isParent(c.Path))).map((c) => c.Path);
}

/** Paths the engine itself adds to a container's filesystem: `init: true` mounts its init there. */
const ENGINE_MADE = ['/sbin/docker-init'];

/** The line saying so: a few paths, and how many more. */
export function describeDropped(paths: readonly string[]): string {
  const shown = paths.slice(0, DROPPED_SHOWN).join(', ');
  const more = paths.length > DROPPED_SHOWN ? ` and ${paths.length - DROPPED_SHOWN} more` : '';
  const what = paths.length === 1 ? '1 file made or changed inside it is' : `${paths.length} files made or changed inside it are`;
  return `its container is replaced: ${what} dropped (${shown}${more}); keep work in a volume or a bind mount, or cp it out first`;
}

const DROPPED_SHOWN = 5;
