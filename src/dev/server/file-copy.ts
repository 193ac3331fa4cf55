/**
 * The monitor's `cp` (issue 13): one file between a container, through its
 * ContainerFiles (no shell needed in the image), and the host. The server
 * runs on the client's machine as the same user, so it reads and writes the
 * host's paths itself; the client sends them absolute.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import { systemErrorReason } from '../../core/errors.js';
import { goBase, goJoin } from '../../golang/path.js';
import { FileAccessError, isDirectory, type ContainerFiles } from '../process/files.js';
import { SessionCommandError } from './session.js';

/** Copies `path` of `files` to the host path `to` (into it, when a directory); says what it did. */
export async function copyOut(files: ContainerFiles, path: string, to: string, signal: AbortSignal): Promise<string> {
  const data = await files.read(path, signal);
  const target = await hostTarget(hostPath(to), goBase(path));
  await writeFile(target, data).catch((e: unknown) => {
    throw new SessionCommandError(`cannot write ${target}: ${systemErrorReason(e)}`);
  });
  return `copied ${path} (${data.length} B) from ${files.what} to ${target}`;
}

/** Copies the host file `from` to `path` of `files` (into it, when a directory); says what it did. */
export async function copyIn(from: string, files: ContainerFiles, path: string, signal: AbortSignal): Promise<string> {
  const source = hostPath(from);
  const { data, mode } = await readHostFile(source);
  const target = await containerTarget(files, path, basename(source), signal);
  await files.write(target, data, mode, signal);
  return `copied ${source} (${data.length} B) to ${target} in ${files.what}`;
}

/** A host path as the client sent it: absolute, since the server's working directory is not the user's. */
function hostPath(path: string): string {
  if (!isAbsolute(path)) throw new SessionCommandError(`cp needs an absolute host path, not ${path}: the server's working directory is not yours`);
  return path;
}

/** Into a directory, the file keeps its name (as docker cp and cp do). */
async function hostTarget(path: string, name: string): Promise<string> {
  const found = await stat(path).catch(() => undefined);
  return found?.isDirectory() ? join(path, name) : path;
}

async function containerTarget(files: ContainerFiles, path: string, name: string, signal: AbortSignal): Promise<string> {
  try {
    return isDirectory((await files.stat(path, signal)).mode) ? goJoin(path, name) : path;
  } catch (e) {
    // Not there yet: the file gets this path.
    if (e instanceof FileAccessError) return path;
    throw e;
  }
}

/** A host file's bytes and permission bits; one file, not a directory. */
async function readHostFile(path: string): Promise<{ readonly data: Buffer; readonly mode: number }> {
  const found = await stat(path).catch((e: unknown) => {
    throw new SessionCommandError(`cannot read ${path}: ${systemErrorReason(e)}`);
  });
  if (found.isDirectory()) throw new SessionCommandError(`${path} is a directory; cp copies one file at a time`);
  const data = await readFile(path).catch((e: unknown) => {
    throw new SessionCommandError(`cannot read ${path}: ${systemErrorReason(e)}`);
  });
  return { data, mode: found.mode & 0o7777 };
}
