/**
 * What each build context of a run sends (issue 14, defect 3): the paths
 * its Dockerfiles read, as `docker build` sends them, where bake used to
 * send the whole directory. A directory that several targets share still
 * goes over once per run (protocol §8: their context ops must be
 * byte-identical), so it sends the union of what all of them read; one that
 * may read anything, or that a target also takes as a named context (sent
 * whole under the same kept copy), sends everything.
 */
import type { Target } from '../bakefile/model.js';
import type { BuildSpec } from '../buildkit/build-spec.js';
import { isRemoteContext } from '../buildkit/build-spec.js';
import { contextPaths, unionPaths } from '../dockerfile/context-paths.js';
import { buildSpec } from './build-spec.js';

/** A context directory's followpaths; undefined: the whole directory. */
export type ContextUse = (contextDir: string) => readonly string[] | undefined;

/** `cwd` and `sshAuthSock` as buildTarget makes each spec with them; `readDockerfile` as it reads each Dockerfile. */
export function contextUse(
  targets: Iterable<Target>,
  cwd: string,
  sshAuthSock: string | undefined,
  readDockerfile: (spec: BuildSpec) => string | undefined,
): ContextUse {
  const readers = new Map<string, (readonly string[] | undefined)[]>();
  const read = (dir: string, paths: readonly string[] | undefined): void => {
    readers.set(dir, [...(readers.get(dir) ?? []), paths]);
  };
  for (const t of targets) {
    let spec: BuildSpec;
    try {
      spec = buildSpec(t, cwd, sshAuthSock);
    } catch {
      continue; // the same error fails the target before it solves: it sends nothing
    }
    if (!isRemoteContext(spec.context)) {
      const text = readDockerfile(spec);
      read(spec.context, text === undefined ? undefined : contextPaths(text, spec.args));
    }
    for (const named of spec.namedContexts.values()) if (named.kind === 'dir') read(named.path, undefined);
  }
  const union = new Map([...readers].map(([dir, lists]) => [dir, unionPaths(lists)] as const));
  // A directory no target was seen with (there is none) would send everything.
  return (dir) => union.get(dir);
}
