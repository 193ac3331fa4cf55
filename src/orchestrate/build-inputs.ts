/**
 * What a build needs from this machine, checked before any engine is asked
 * (issue 11): what buildx refuses before it builds (a local context that is
 * not there, build/opt.go's loadInputs; a secret file it cannot stat or an
 * SSH agent it cannot reach, bake.go's toBuildOpt, checked by
 * bakefile/build-inputs.ts as for --print), and a
 * Dockerfile that is not there, which BuildKit would report under the path
 * it mounted it at, not the user's. Each error keeps buildx's sentence,
 * points at the attribute and says where relative paths start.
 */
import { statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { bakeError, type SourceRange } from '../core/diagnostics.js';
import type { Target } from '../bakefile/model.js';
import { checkTargetInputs } from '../bakefile/build-inputs.js';
import { hostFiles } from '../bakefile/load.js';
import { attributeRange, originOf } from '../bakefile/sources.js';
import { isRemoteContext } from '../buildkit/build-spec.js';

export function checkBuildInputs(targets: Iterable<Target>, cwd: string, env: (name: string) => string | undefined): void {
  const host = { files: hostFiles(cwd), env };
  for (const t of targets) {
    checkContext(t, cwd);
    // The secrets and SSH agents buildx checks before it prints too: one check, the bake file resolver's.
    checkTargetInputs(t, host);
  }
}

function checkContext(t: Target, cwd: string): void {
  const context = t.context ?? '.';
  if (isRemoteContext(context)) return;
  const contextPath = resolve(cwd, context);
  if (!isDirectory(contextPath)) {
    throw bakeError(
      `unable to prepare context: path ${JSON.stringify(context)} not found`,
      where(t, 'context'),
      `${relativeToCwd(t, cwd)} Run bake from the directory it is relative to, or correct context.`,
    );
  }
  if (t['dockerfile-inline'] !== undefined) return;
  const dockerfile = resolve(contextPath, t.dockerfile ?? 'Dockerfile');
  let missing: string | undefined;
  try {
    if (!statSync(dockerfile).isFile()) missing = 'is a directory';
  } catch (e) {
    missing = reasonOf(e);
  }
  if (missing !== undefined) {
    const shown = shownPath(dockerfile, cwd);
    throw bakeError(
      `failed to read dockerfile: open ${shown}: ${missing}`,
      where(t, t.dockerfile !== undefined ? 'dockerfile' : 'context'),
      `${relativeToCwd(t, cwd)} Run bake from the directory they are relative to, or correct context and dockerfile.`,
    );
  }
}

/** The attribute's range, else the target's label. */
function where(t: Target, attribute: string): SourceRange | undefined {
  return attributeRange(t, attribute) ?? originOf(t)?.label;
}

/** Why relative paths did not find what the user meant: they start from where bake runs, as in buildx, not from the bake file. */
function relativeToCwd(t: Target, cwd: string): string {
  const file = originOf(t)?.label.filename;
  const fileDir = file && isAbsolute(file) ? dirname(file) : file ? resolve(cwd, dirname(file)) : undefined;
  const beside = fileDir && fileDir !== cwd ? `, not from the bake file's directory (${shownPath(fileDir, cwd)})` : '';
  return `Relative paths start from the directory bake runs in (${cwd})${beside}, as in buildx.`;
}

/** The path as the user would write it here: relative to the working directory when under it. */
function shownPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** The reason of a failed stat as Go words it: node's message without its code and call (libuv's texts are strerror's). */
function reasonOf(e: unknown): string {
  const message = (e as Error).message;
  return /^[A-Z]+: (.*?), \w+ '/.exec(message)?.[1] ?? message;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
