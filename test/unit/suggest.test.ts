/** "Did you mean": the nearest name a user meant, and the fix that offers it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestName, unknownNameFix } from '../../src/core/suggest.js';

test('closestName: the nearest within edit distance 2, the first of equals', () => {
  assert.equal(closestName('wbe', ['api', 'web', 'base']), 'web');
  assert.equal(closestName('ap', ['ci', 'api']), 'api', 'nearer wins over earlier');
  assert.equal(closestName('dbb', ['db', 'dbx']), 'db', 'the first of equals');
  assert.equal(closestName('nope', ['app']), undefined);
});

test('unknownNameFix: the suggestion first, then the names to choose from, templates left out', () => {
  assert.equal(unknownNameFix('wbe', ['_common', 'api', 'web'], 'targets', 'Define it.'), 'Did you mean "web"? The defined targets: api, web.');
  assert.equal(unknownNameFix('nope', ['app'], 'targets', 'Define it.'), 'Use one of the defined targets: app.');
  assert.equal(unknownNameFix('x', [], 'services', 'Define it with a service block.'), 'Define it with a service block.');
  assert.equal(unknownNameFix('_comon', ['_common'], 'targets', 'Define it.'), 'Did you mean "_common"?', 'a template is suggested when it is what was typed');
});
