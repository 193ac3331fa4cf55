/**
 * The Dockerfile file a target's Solves serve: the user's own; for
 * dockerfile-inline, a file bake writes; and where bake rewrites it
 * (`target:` links on a frontend without named contexts, secret mounts
 * isolated per target), the rewritten copy in a dir of its own, since the
 * internal tags and secret ids are the run's and the target's.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { basename, join } from 'node:path';
import type { ServedDockerfile } from '../buildkit/build.js';
import type { BuildSpec } from '../buildkit/build-spec.js';
import { writeWholeFile } from '../docker/whole-file.js';

/** `text`: the user's Dockerfile as read (undefined: missing); `rewritten`: the text to serve instead. `dispose` removes what only this target used. */
export function serveDockerfile(spec: BuildSpec, text: string | undefined, rewritten: string | undefined): ServedDockerfile & { dispose(): void } {
  const filename = spec.dockerfile.kind === 'file' ? basename(spec.dockerfile.path) : 'Dockerfile';
  const shown = text === undefined ? undefined : { filename, text, ...(rewritten !== undefined ? { served: rewritten } : {}) };
  if (rewritten !== undefined) return { ...ownDir('bake-rewritten-', filename, rewritten), shown };
  if (spec.dockerfile.kind === 'file') return { path: spec.dockerfile.path, shown, dispose: () => {} };
  const kept = keptInlineDir();
  // Where the kept dir is not safely ours, a dir of this target's own: the next run sends the file again, nothing worse.
  return kept
    ? { path: keptInline(kept, spec.dockerfile.text), shown, dispose: () => {} }
    : { ...ownDir('bake-inline-', filename, spec.dockerfile.text), shown };
}

/** `text` as `filename` in a fresh private dir (mkdtemp's 0700), removed by `dispose`. */
function ownDir(prefix: string, filename: string, text: string): { path: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const path = join(dir, filename);
  writeFileSync(path, text);
  return { path, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * This user's dir of inline Dockerfiles, kept across runs; undefined when
 * it is not safely ours. Its name is predictable and the temp dir shared:
 * another local user could make it first and plant, under a text's hash,
 * a Dockerfile bake would build instead of the user's. So it is used only
 * as a real directory (not a link) that this user owns and no one else
 * may write or read.
 */
function keptInlineDir(): string | undefined {
  const dir = join(tmpdir(), `bake-inline-${userInfo().uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  const stat = lstatSync(dir);
  return stat.isDirectory() && stat.uid === userInfo().uid && (stat.mode & 0o077) === 0 ? dir : undefined;
}

/**
 * An inline Dockerfile in the kept dir, content-addressed so the same text
 * keeps the same path, and with a fixed mtime so reruns transfer nothing.
 */
function keptInline(kept: string, text: string): string {
  const dir = join(kept, createHash('sha256').update(`Dockerfile\0${text}`).digest('hex').slice(0, 32));
  const file = join(dir, 'Dockerfile');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Whole, so a concurrent run never serves half a file.
    writeWholeFile(file, text, { mtime: 0 });
  }
  return file;
}
