/** buildx's path functions: POSIX path handling as Go's path package, and the home directory. */
import { goBase, goDir } from '../../../golang/path.js';
import { T } from '../types.js';
import { argString, define, param, type FunctionTable } from './args.js';

const pathParam = param('path', T.string);

export const PATH_FUNCTIONS: FunctionTable = {
  basename: define([pathParam], (args) => goBase(argString(args, 0))),
  dirname: define([pathParam], (args) => goDir(argString(args, 0))),
  homedir: define([], (_args, world) => world.homedir()),
};
