/**
 * fsutil's FollowLinks: followpaths become include patterns, and every
 * symlink met along a path adds its target too (kept inside the root: an
 * absolute target is taken relative to it).
 */
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { goClean, goDir, goJoin, goMatch } from '../../golang/path.js';

/** The resolved paths, sorted and deduplicated; undefined when one of them is the root (no filter). */
export async function followLinks(root: string, paths: readonly string[]): Promise<string[] | undefined> {
  const resolved = new Set<string>();
  for (const p of paths) await append(root, resolved, p);
  return dedupePaths([...resolved].sort(compareBytes));
}

async function append(root: string, resolved: Set<string>, path: string): Promise<void> {
  let p = goJoin('.', path);
  let current = '.';
  for (;;) {
    const slash = p.indexOf('/');
    const head = slash < 0 ? p : p.slice(0, slash);
    current = goJoin(current, head);
    const targets = await readSymlink(root, current, true);
    p = slash < 0 ? '' : p.slice(slash + 1);
    if ((p === '' || targets !== undefined) && resolved.has(current)) return;
    if (targets !== undefined) {
      resolved.add(current);
      for (const target of targets) await append(root, resolved, goJoin(target, p));
      return;
    }
    if (p === '') {
      resolved.add(current);
      return;
    }
  }
}

async function readSymlink(root: string, p: string, allowWildcard: boolean): Promise<string[] | undefined> {
  const realPath = join(root, p);
  const base = p.slice(p.lastIndexOf('/') + 1);
  if (allowWildcard && containsWildcards(base)) {
    let names: string[];
    try {
      names = (await readdir(join(realPath, '..'))).sort(compareBytes);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
    let out: string[] | undefined;
    for (const name of names) {
      let ok: boolean;
      try {
        ok = goMatch(base, name);
      } catch {
        ok = false;
      }
      if (!ok) continue;
      const res = await readSymlink(root, goJoin(goDir(p), name), false);
      if (res) out = [...(out ?? []), ...res];
    }
    return out;
  }
  let isLink: boolean;
  try {
    isLink = (await lstat(realPath)).isSymbolicLink();
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
  if (!isLink) return undefined;
  const link = goClean(await readlink(realPath));
  if (link.startsWith('/')) return [link];
  return [goJoin('/', goJoin(goDir(p), link))];
}

function containsWildcards(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (ch === '\\') i++;
    else if (ch === '*' || ch === '?' || ch === '[') return true;
  }
  return false;
}

/** fsutil's dedupePaths: drops paths under an earlier one; undefined when "." is among them (no filter). */
export function dedupePaths(paths: readonly string[]): string[] | undefined {
  const out: string[] = [];
  let last = '';
  for (const s of paths) {
    if (s === '.') return undefined;
    if (s.startsWith(last + '/')) continue;
    out.push(s);
    last = s;
  }
  return out;
}

/** Go's string order: by UTF-8 bytes, not UTF-16 units. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function isNotFound(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
