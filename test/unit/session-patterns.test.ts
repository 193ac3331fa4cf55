import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata } from '@grpc/grpc-js';
import { BadPatternError } from '../../src/golang/path.js';
import { metadataValues } from '../../src/buildkit/session/metadata.js';
import { PatternMatcher } from '../../src/buildkit/session/pattern-matcher.js';

// moby 20.10 pkg/fileutils TestMatches, one pattern each.
const MOBY_MATCHES: [pattern: string, text: string, pass: boolean][] = [
  ['**', 'file', true],
  ['**', 'file/', true],
  ['**/', 'file', true],
  ['**/', 'file/', true],
  ['**', '/', true],
  ['**/', '/', true],
  ['**', 'dir/file', true],
  ['**/', 'dir/file', true],
  ['**', 'dir/file/', true],
  ['**/', 'dir/file/', true],
  ['**/**', 'dir/file', true],
  ['**/**', 'dir/file/', true],
  ['dir/**', 'dir/file', true],
  ['dir/**', 'dir/file/', true],
  ['dir/**', 'dir/dir2/file', true],
  ['dir/**', 'dir/dir2/file/', true],
  ['**/dir2/*', 'dir/dir2/file', true],
  ['**/dir2/*', 'dir/dir2/file/', true],
  ['**/dir2/**', 'dir/dir2/dir3/file', true],
  ['**/dir2/**', 'dir/dir2/dir3/file/', true],
  ['**file', 'file', true],
  ['**file', 'dir/file', true],
  ['**/file', 'dir/file', true],
  ['**file', 'dir/dir/file', true],
  ['**/file', 'dir/dir/file', true],
  ['**/file*', 'dir/dir/file', true],
  ['**/file*', 'dir/dir/file.txt', true],
  ['**/file*txt', 'dir/dir/file.txt', true],
  ['**/file*.txt', 'dir/dir/file.txt', true],
  ['**/file*.txt*', 'dir/dir/file.txt', true],
  ['**/**/*.txt', 'dir/dir/file.txt', true],
  ['**/**/*.txt2', 'dir/dir/file.txt', false],
  ['**/*.txt', 'file.txt', true],
  ['**/**/*.txt', 'file.txt', true],
  ['a**/*.txt', 'a/file.txt', true],
  ['a**/*.txt', 'a/dir/file.txt', true],
  ['a**/*.txt', 'a/dir/dir/file.txt', true],
  ['a/*.txt', 'a/dir/file.txt', false],
  ['a/*.txt', 'a/file.txt', true],
  ['a/*.txt**', 'a/file.txt', true],
  ['a[b-d]e', 'ae', false],
  ['a[b-d]e', 'ace', true],
  ['a[b-d]e', 'aae', false],
  ['a[^b-d]e', 'aze', true],
  ['.*', '.foo', true],
  ['.*', 'foo', false],
  ['abc.def', 'abcdef', false],
  ['abc.def', 'abc.def', true],
  ['abc.def', 'abcZdef', false],
  ['abc?def', 'abcZdef', true],
  ['abc?def', 'abcdef', false],
  ['a\\\\', 'a\\', true],
  ['**/foo/bar', 'foo/bar', true],
  ['**/foo/bar', 'dir/foo/bar', true],
  ['**/foo/bar', 'dir/dir2/foo/bar', true],
  ['abc/**', 'abc', false],
  ['abc/**', 'abc/def', true],
  ['abc/**', 'abc/def/ghi', true],
  ['**/.foo', '.foo', true],
  ['**/.foo', 'bar.foo', false],
  // Our additions: parent-directory matches and code points.
  ['dir', 'dir/sub/file', true],
  ['dir/sub', 'dir/sub/deep/file', true],
  ['*.log', 'logs/a.log', false],
  ['?', '😀', true],
  ['ünï*', 'ünïcödé/x', true],
];

test('PatternMatcher matches moby 20.10 fileutils', () => {
  for (const [pattern, text, pass] of MOBY_MATCHES) {
    assert.equal(new PatternMatcher([pattern]).matches(text), pass, `pattern=${JSON.stringify(pattern)} text=${JSON.stringify(text)}`);
  }
});

test('PatternMatcher: exclusions, last match wins, errors', () => {
  const m = (file: string, patterns: string[]): boolean => new PatternMatcher(patterns).matches(file);
  assert.equal(m('fileutils.go', ['*.go']), true);
  assert.equal(m('fileutils.go', ['*.go', '!fileutils.go']), false);
  assert.equal(m('fileutils.go', ['!fileutils.go', '*.go']), true);
  assert.equal(m('docs/README.md', ['docs', '!docs/README.md']), false);
  assert.equal(m('docs/README.md', ['docs/', '!docs/README.md']), false);
  assert.equal(m('docs/README.md', ['docs/*', '!docs/README.md']), false);
  assert.equal(m('.', ['*.go']), false);
  assert.equal(m('a/b', ['  a  ', '']), true, 'whitespace is trimmed, blanks skipped');
  assert.equal(m('b', ['a/../b']), true, 'patterns are cleaned');
  assert.throws(() => new PatternMatcher(['!']), /illegal/);
  assert.throws(() => new PatternMatcher(['[']), BadPatternError);
  const pm = new PatternMatcher(['logs', '!logs/keep.log']);
  assert.equal(pm.exclusions, true);
  assert.deepEqual(
    pm.patterns.map((p) => [p.text, p.exclusion]),
    [
      ['logs', false],
      ['logs/keep.log', true],
    ],
  );
});

test("metadata values joined by the daemon's http2 layer are split again", () => {
  const md = new Metadata();
  md.add('followpaths', 'Dockerfile, Dockerfile.dockerignore, dockerfile');
  md.add('followpaths', 'extra');
  assert.deepEqual(metadataValues(md, 'followpaths'), ['Dockerfile', 'Dockerfile.dockerignore', 'dockerfile', 'extra']);
  assert.equal(metadataValues(md, 'exclude-patterns'), undefined);
});
