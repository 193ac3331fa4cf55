/** buildx's path functions: POSIX path handling as Go's path package, and the home directory. */
import { T } from '../types.js';
import { argString, define, param, type FunctionTable } from './args.js';

/** path.Clean: the shortest equivalent slash-separated path. */
function clean(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const parts: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment !== '..') parts.push(segment);
    else if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else if (!rooted) parts.push('..');
  }
  const joined = parts.join('/');
  return rooted ? `/${joined}` : joined || '.';
}

/** path.Base: the last element, ignoring trailing slashes. */
function basename(path: string): string {
  if (path === '') return '.';
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** path.Dir: everything before the last slash, cleaned. */
function dirname(path: string): string {
  return clean(path.slice(0, path.lastIndexOf('/') + 1));
}

const pathParam = param('path', T.string);

export const PATH_FUNCTIONS: FunctionTable = {
  basename: define([pathParam], (args) => basename(argString(args, 0))),
  dirname: define([pathParam], (args) => dirname(argString(args, 0))),
  homedir: define([], (_args, world) => world.homedir()),
};
