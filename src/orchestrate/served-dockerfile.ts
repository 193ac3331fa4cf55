/**
 * The Dockerfile file a target's Solves serve: the user's own; for
 * dockerfile-inline, a file bake writes; and where `target:` links must be
 * rewritten into it (a frontend without named contexts), a rewritten copy
 * in a dir of its own, since the internal tags are the run's.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { basename, join } from 'node:path';
import type { ServedDockerfile } from '../buildkit/build.js';
import type { BuildSpec } from '../buildkit/build-spec.js';
import type { LinkedDockerfile } from '../dockerfile/links.js';

/** `text`: the user's Dockerfile as read (undefined: missing); `linked`: the copy to serve instead. `dispose` removes what only this target used. */
export function serveDockerfile(spec: BuildSpec, text: string | undefined, linked: LinkedDockerfile | undefined): ServedDockerfile & { dispose(): void } {
  const filename = spec.dockerfile.kind === 'file' ? basename(spec.dockerfile.path) : 'Dockerfile';
  const shown = text === undefined ? undefined : { filename, text, ...(linked ? { served: linked.text } : {}) };
  if (linked) {
    const dir = mkdtempSync(join(tmpdir(), 'bake-linked-'));
    const path = join(dir, filename);
    writeFileSync(path, linked.text);
    return { path, shown, dispose: () => rmSync(dir, { recursive: true, force: true }) };
  }
  return { path: spec.dockerfile.kind === 'file' ? spec.dockerfile.path : inlineDockerfile(spec.dockerfile.text), shown, dispose: () => {} };
}

/**
 * dockerfile-inline is served as a generated dir, content-addressed so the
 * same text keeps the same path, and with a fixed mtime so reruns transfer
 * nothing.
 */
function inlineDockerfile(text: string): string {
  const dir = join(tmpdir(), `bake-inline-${userInfo().uid}`, createHash('sha256').update(`Dockerfile\0${text}`).digest('hex').slice(0, 32));
  const file = join(dir, 'Dockerfile');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Written aside and renamed, so a concurrent run never serves half a file.
    const partial = `${file}.${randomBytes(6).toString('hex')}`;
    writeFileSync(partial, text);
    utimesSync(partial, 0, 0);
    renameSync(partial, file);
  }
  return file;
}
