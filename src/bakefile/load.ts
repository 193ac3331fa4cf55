/**
 * The only place in bakefile/ that touches the disk: finds the bake files
 * (product.md §1 order), reads them (and `-` from stdin), reads the `.env`
 * beside compose files, and gives the pure core the host's files it asks for
 * (hostFiles: what compose files include, the secrets and SSH keys buildx
 * checks before it prints).
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { bakeError } from '../core/diagnostics.js';
import type { HostFiles } from './host.js';
import type { SourceFile } from './read.js';

/** Read in this order when no -f is given; every one that exists is merged, later wins. */
export const DEFAULT_FILENAMES = [
  'compose.yaml',
  'compose.yml',
  'docker-compose.yml',
  'docker-compose.yaml',
  'docker-bake.json',
  'docker-bake.override.json',
  'docker-bake.hcl',
  'docker-bake.override.hcl',
  'bake.toml',
  'bake.json',
  'bake.hcl',
  'bake.override.hcl',
] as const;

export interface LoadedFiles {
  readonly sources: SourceFile[];
  /** Absolute paths, in order: the project's identity (bake dev sessions are keyed by it). */
  readonly paths: string[];
  /** The `.env` beside the first compose file, if any. */
  readonly dotenv: { readonly path: string; readonly text: string } | undefined;
}

export function loadBakeFiles(names: readonly string[], cwd: string, readStdin: () => string): LoadedFiles {
  const sources: SourceFile[] = [];
  const paths: string[] = [];
  const explicit = names.length > 0;
  for (const name of explicit ? names : DEFAULT_FILENAMES) {
    if (name === '-') {
      sources.push({ filename: '-', text: readStdin() });
      paths.push('-');
      continue;
    }
    const path = resolve(cwd, name);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (!explicit && (code === 'ENOENT' || code === 'EISDIR')) continue;
      throw bakeError(
        `failed to read ${name}: ${code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`,
        undefined,
        'Check the path given with -f.',
      );
    }
    sources.push({ filename: name, text });
    paths.push(path);
  }
  if (!sources.length) {
    throw bakeError("couldn't find a bake definition to use", undefined, `Create one of ${DEFAULT_FILENAMES.join(', ')}, or name one with -f.`);
  }
  return { sources, paths, dotenv: readDotenv(paths) };
}

/** Compose reads `.env` from the project directory: the first compose file's. */
function readDotenv(paths: readonly string[]): LoadedFiles['dotenv'] {
  const composePath = paths.find((p) => /\.ya?ml$/i.test(p));
  if (!composePath) return undefined;
  const path = join(dirname(composePath), '.env');
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch {
    return undefined;
  }
}

/** Go's os error text for the errors users meet (the part after "open PATH: " or "stat PATH: "). */
const OS_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
};

function osError(e: unknown): { error: string } {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return { error: OS_ERRORS[code] ?? (e as Error).message };
}

/** The host's files as the pure core sees them, relative paths resolved against `cwd`. */
export function hostFiles(cwd: string): HostFiles {
  return {
    workingDirectory: cwd,
    read(path) {
      try {
        return { text: readFileSync(resolve(cwd, path), 'utf8') };
      } catch (e) {
        return osError(e);
      }
    },
    stat(path) {
      try {
        const s = statSync(resolve(cwd, path));
        return { size: s.size, kind: s.isFile() ? 'file' : s.isDirectory() ? 'directory' : s.isSocket() ? 'socket' : 'other' };
      } catch (e) {
        return osError(e);
      }
    },
  };
}
