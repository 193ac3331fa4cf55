/**
 * SourceText positions: lines from line feeds, columns in code points (a
 * surrogate pair is one column, as HCL counts them), on lines with and
 * without astral characters, and for text embedded in another file.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SourceText } from '../../src/core/diagnostics.js';

test('columns count code points: a surrogate pair is one column, only on the line that holds it', () => {
  const text = 'ab\n😀x😀y\nplain';
  const source = new SourceText('f', text);
  assert.deepEqual(source.position(1), { line: 1, column: 2, offset: 1 });
  assert.deepEqual(source.position(text.indexOf('x')), { line: 2, column: 2, offset: 5 });
  assert.deepEqual(source.position(text.indexOf('y')), { line: 2, column: 4, offset: 8 });
  assert.deepEqual(source.position(text.indexOf('n')), { line: 3, column: 5, offset: 14 });
  // The end of the text, after the last line feed.
  assert.deepEqual(source.position(text.length), { line: 3, column: 6, offset: 15 });
});

test('a long single line gives the same columns read in any order', () => {
  const text = `${'a'.repeat(50_000)}😀${'b'.repeat(50_000)}`;
  const source = new SourceText('f', text);
  assert.equal(source.position(90_001).column, 90_001);
  assert.equal(source.position(10).column, 11);
  assert.equal(source.position(50_002).column, 50_002);
});

test('text embedded in another file starts at its position; characters before firstIndex take no column', () => {
  const source = new SourceText('f', '\uFEFFab\ncd', { line: 4, column: 7, offset: 30 }, 1);
  assert.deepEqual(source.position(2), { line: 4, column: 8, offset: 32 });
  assert.deepEqual(source.position(5), { line: 5, column: 2, offset: 35 });
});
