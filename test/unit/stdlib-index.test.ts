import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { STDLIB } from '../../src/bakefile/expr/stdlib/index.js';

// Every function of buildx's bake/hclparser/stdlib.go, except the special
// forms the evaluator implements (try, can, and convert with its type argument).
const BUILDX_FUNCTIONS = [
  'absolute',
  'add',
  'and',
  'base64decode',
  'base64encode',
  'basename',
  'bcrypt',
  'byteslen',
  'bytesslice',
  'ceil',
  'chomp',
  'chunklist',
  'cidrhost',
  'cidrnetmask',
  'cidrsubnet',
  'cidrsubnets',
  'coalesce',
  'coalescelist',
  'compact',
  'concat',
  'contains',
  'csvdecode',
  'dirname',
  'distinct',
  'divide',
  'element',
  'equal',
  'flatten',
  'floor',
  'format',
  'formatdate',
  'formatlist',
  'formattimestamp',
  'greaterthan',
  'greaterthanorequalto',
  'hasindex',
  'homedir',
  'indent',
  'index',
  'indexof',
  'int',
  'join',
  'jsondecode',
  'jsonencode',
  'keys',
  'length',
  'lessthan',
  'lessthanorequalto',
  'log',
  'lookup',
  'lower',
  'max',
  'md5',
  'merge',
  'min',
  'modulo',
  'multiply',
  'negate',
  'not',
  'notequal',
  'or',
  'parseint',
  'pow',
  'range',
  'regex',
  'regex_replace',
  'regexall',
  'replace',
  'reverse',
  'reverselist',
  'rsadecrypt',
  'sanitize',
  'semvercmp',
  'sethaselement',
  'setintersection',
  'setproduct',
  'setsubtract',
  'setsymmetricdifference',
  'setunion',
  'sha1',
  'sha256',
  'sha512',
  'signum',
  'slice',
  'sort',
  'split',
  'strlen',
  'substr',
  'subtract',
  'timeadd',
  'timestamp',
  'title',
  'trim',
  'trimprefix',
  'trimspace',
  'trimsuffix',
  'unixtimestampparse',
  'upper',
  'urlencode',
  'uuidv4',
  'uuidv5',
  'values',
  'zipmap',
];

test('STDLIB holds exactly the buildx functions', () => {
  assert.deepEqual([...STDLIB.keys()].sort(), [...BUILDX_FUNCTIONS].sort());
  for (const name of ['try', 'can', 'convert', 'tostring', 'abs', 'strrev', 'uuid']) assert.equal(STDLIB.has(name), false, name);
});

test('every function declares named parameters', () => {
  for (const [name, fn] of STDLIB) {
    for (const p of [...fn.params, ...(fn.variadic ? [fn.variadic] : [])]) assert.ok(p.name !== '', `${name} has an unnamed parameter`);
  }
});

test('importing the stdlib does not load bcryptjs', () => {
  const loaded = Object.keys(createRequire(import.meta.url).cache);
  assert.equal(
    loaded.some((path) => path.includes('bcryptjs')),
    false,
  );
});
