import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BadPatternError, goBase, goClean, goDir, goJoin, goMatch } from '../../src/golang/path.js';

// Go's src/path/match_test.go matchTests; 'bad' is ErrBadPattern.
const GO_MATCH: [pattern: string, name: string, want: boolean | 'bad'][] = [
  ['abc', 'abc', true],
  ['*', 'abc', true],
  ['*c', 'abc', true],
  ['a*', 'a', true],
  ['a*', 'abc', true],
  ['a*', 'ab/c', false],
  ['a*/b', 'abc/b', true],
  ['a*/b', 'a/c/b', false],
  ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
  ['a*b?c*x', 'abxbbxdbxebxczzx', true],
  ['a*b?c*x', 'abxbbxdbxebxczzy', false],
  ['ab[c]', 'abc', true],
  ['ab[b-d]', 'abc', true],
  ['ab[e-g]', 'abc', false],
  ['ab[^c]', 'abc', false],
  ['ab[^b-d]', 'abc', false],
  ['ab[^e-g]', 'abc', true],
  ['a\\*b', 'a*b', true],
  ['a\\*b', 'ab', false],
  ['a?b', 'a☺b', true],
  ['a[^a]b', 'a☺b', true],
  ['a???b', 'a☺b', false],
  ['a[^a][^a][^a]b', 'a☺b', false],
  ['[a-ζ]*', 'α', true],
  ['*[a-ζ]', 'A', false],
  ['a?b', 'a/b', false],
  ['a*b', 'a/b', false],
  ['[\\]a]', ']', true],
  ['[\\-]', '-', true],
  ['[x\\-]', 'x', true],
  ['[x\\-]', '-', true],
  ['[x\\-]', 'z', false],
  ['[\\-x]', 'x', true],
  ['[\\-x]', '-', true],
  ['[\\-x]', 'a', false],
  ['[]a]', ']', 'bad'],
  ['[-]', '-', 'bad'],
  ['[x-]', 'x', 'bad'],
  ['[x-]', '-', 'bad'],
  ['[x-]', 'z', 'bad'],
  ['[-x]', 'x', 'bad'],
  ['[-x]', '-', 'bad'],
  ['[-x]', 'a', 'bad'],
  ['\\', 'a', 'bad'],
  ['[a-b-c]', 'a', 'bad'],
  ['[', 'a', 'bad'],
  ['[^', 'a', 'bad'],
  ['[^bc', 'a', 'bad'],
  ['a[', 'a', 'bad'],
  ['a[', 'ab', 'bad'],
  ['a[', 'x', 'bad'],
  ['a/b[', 'x', 'bad'],
  ['*x', 'xxx', true],
  // Go works on UTF-8 bytes: a star may give up a byte inside ☺ (3 bytes), and `?` then takes one byte.
  ['*??', '☺', true],
  ['*?', '☺', true],
  ['??', '☺', false],
  // The whole pattern is checked even when the name already failed to match.
  ['x*[', 'abc', 'bad'],
  ['', '', true],
  ['', 'a', false],
];

test('goMatch follows Go path.Match (match_test.go)', () => {
  for (const [pattern, name, want] of GO_MATCH) {
    const label = `Match(${JSON.stringify(pattern)}, ${JSON.stringify(name)})`;
    if (want === 'bad') assert.throws(() => goMatch(pattern, name), BadPatternError, label);
    else assert.equal(goMatch(pattern, name), want, label);
  }
});

// Go's src/path/path_test.go cleantests.
const GO_CLEAN: [path: string, clean: string][] = [
  ['', '.'],
  ['abc', 'abc'],
  ['abc/def', 'abc/def'],
  ['a/b/c', 'a/b/c'],
  ['.', '.'],
  ['..', '..'],
  ['../..', '../..'],
  ['../../abc', '../../abc'],
  ['/abc', '/abc'],
  ['/', '/'],
  ['abc/', 'abc'],
  ['abc/def/', 'abc/def'],
  ['a/b/c/', 'a/b/c'],
  ['./', '.'],
  ['../', '..'],
  ['../../', '../..'],
  ['/abc/', '/abc'],
  ['abc//def//ghi', 'abc/def/ghi'],
  ['//abc', '/abc'],
  ['///abc', '/abc'],
  ['//abc//', '/abc'],
  ['abc//', 'abc'],
  ['abc/./def', 'abc/def'],
  ['/./abc/def', '/abc/def'],
  ['abc/.', 'abc'],
  ['abc/def/ghi/../jkl', 'abc/def/jkl'],
  ['abc/def/../ghi/../jkl', 'abc/jkl'],
  ['abc/def/..', 'abc'],
  ['abc/def/../..', '.'],
  ['/abc/def/../..', '/'],
  ['abc/def/../../..', '..'],
  ['/abc/def/../../..', '/'],
  ['abc/def/../../../ghi/jkl/../../../mno', '../../mno'],
  ['abc/./../def', 'def'],
  ['abc//./../def', 'def'],
  ['abc/../../././../def', '../../def'],
];

test('goClean follows Go path.Clean (cleantests), and a clean path stays as it is', () => {
  for (const [path, want] of GO_CLEAN) {
    assert.equal(goClean(path), want, path);
    assert.equal(goClean(want), want, want);
  }
});

test('goDir, goBase and goJoin follow Go path.Dir, Base and Join (path_test.go)', () => {
  const dirs: [string, string][] = [
    ['', '.'],
    ['.', '.'],
    ['/.', '/'],
    ['/', '/'],
    ['////', '/'],
    ['/foo', '/'],
    ['x/', 'x'],
    ['abc', '.'],
    ['abc/def', 'abc'],
    ['abc////def', 'abc'],
    ['a/b/.x', 'a/b'],
    ['a/b/c.', 'a/b'],
    ['a/b/c.x', 'a/b'],
  ];
  for (const [path, want] of dirs) assert.equal(goDir(path), want, `Dir(${JSON.stringify(path)})`);
  const bases: [string, string][] = [
    ['', '.'],
    ['.', '.'],
    ['/.', '.'],
    ['/', '/'],
    ['////', '/'],
    ['x/', 'x'],
    ['abc', 'abc'],
    ['abc/def', 'def'],
    ['a/b/.x', '.x'],
    ['a/b/c.', 'c.'],
    ['a/b/c.x', 'c.x'],
  ];
  for (const [path, want] of bases) assert.equal(goBase(path), want, `Base(${JSON.stringify(path)})`);
  const joins: [string[], string][] = [
    [[], ''],
    [[''], ''],
    [['a'], 'a'],
    [['a', 'b'], 'a/b'],
    [['a', ''], 'a'],
    [['', 'b'], 'b'],
    [['/', 'a'], '/a'],
    [['/', ''], '/'],
    [['a/', 'b'], 'a/b'],
    [['a/', ''], 'a'],
    [['', ''], ''],
  ];
  for (const [elements, want] of joins) assert.equal(goJoin(...elements), want, `Join(${JSON.stringify(elements)})`);
});
