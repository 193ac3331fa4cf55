import { cases } from './stdlib-support.js';

cases('upper', [
  { args: ['hello'], want: 'HELLO' },
  { args: ['straße'], want: 'STRAßE' }, // Go keeps runes without a single-rune upper case
  { args: [42], want: '42' },
  { args: [null], error: 'argument must not be null', argIndex: 0 },
]);

cases('lower', [
  { args: ['HELLO Wörld'], want: 'hello wörld' },
  { args: [true], want: 'true' },
  { args: [['x']], error: 'string required', argIndex: 0 },
]);

cases('title', [
  { args: ['hello world-from_docker'], want: 'Hello World-From_docker' },
  { args: ['élan vital'], want: 'Élan Vital' },
  { args: ['ǆemo'], want: 'ǅemo' },
  { args: ['a.b,c;d'], want: 'A.B,C;D' },
]);

cases('reverse', [
  { args: ['stressed'], want: 'desserts' },
  { args: ['cafe\u0301!'], want: '!e\u0301fac' }, // the accent stays on its letter
  { args: [''], want: '' },
]);

cases('strlen', [
  { args: ['Docker'], want: 6 },
  { args: ['e\u0301x'], want: 2 },
  { args: ['👍🏽'], want: 1 },
  { args: [123], want: 3 },
]);

cases('substr', [
  { args: ['abcdef', 2, 3], want: 'cde' },
  { args: ['hello world', 1, 4], want: 'ello' },
  { args: ['hello', -3, 2], want: 'll' },
  { args: ['hello', 1, -1], want: 'ello' },
  { args: ['hello', 0, 0], want: '' },
  { args: ['hello', -1, 0], want: 'o' }, // cty quirk: zero length after a negative offset takes the rest
  { args: ['hello', 10, 2], want: '' },
  { args: ['hello', -10, 2], want: 'he' },
  { args: ['e\u0301abc', 0, 1], want: 'e\u0301' },
  { args: ['hello', '1', '2'], want: 'el' },
  { args: ['hello', 1.5, 2], error: 'value must be a whole number, between -9223372036854775808 and 9223372036854775807 inclusive' },
]);

cases('join', [
  { args: [',', ['a', 'b', 'c']], want: 'a,b,c' },
  { args: ['-', ['a'], ['b', 'c']], want: 'a-b-c' },
  { args: [', ', [1, true]], want: '1, true' },
  { args: [',', []], want: '' },
  { args: [','], error: 'at least one list is required' },
  { args: [',', ['a', null]], error: 'element 1 is null; cannot concatenate null values', argIndex: 1 },
  { args: [',', ['a'], [null]], error: 'element 0 of list 2 is null; cannot concatenate null values', argIndex: 2 },
  { args: [',', 'abc'], error: 'list of string required', argIndex: 1 },
]);

cases('sort', [
  { args: [['b', 'c', 'a']], want: ['a', 'b', 'c'] },
  { args: [['b', 'B', 'a', 'é', 'z']], want: ['B', 'a', 'b', 'z', 'é'] },
  { args: [[10, 9, 1]], want: ['1', '10', '9'] },
  { args: [[]], want: [] },
  { args: [['a', null]], error: 'given list element 1 is null; a null string cannot be sorted' },
]);

cases('split', [
  { args: [',', 'a,b,c'], want: ['a', 'b', 'c'] },
  { args: [',', ''], want: [''] },
  { args: ['', 'abc'], want: ['a', 'b', 'c'] },
  { args: ['', ''], want: [] },
  { args: ['::', 'a::b::'], want: ['a', 'b', ''] },
  { args: [1, '213141'], want: ['2', '3', '4', ''] },
]);

cases('chomp', [
  { args: ['Hello\n\n'], want: 'Hello' },
  { args: ['Hello\r\n\r\n'], want: 'Hello' },
  { args: ['Hello\n\r'], want: 'Hello' },
  { args: ['a\nb'], want: 'a\nb' },
  { args: ['Hello '], want: 'Hello ' },
]);

cases('indent', [
  { args: [4, 'Hello\nWorld'], want: 'Hello\n    World' },
  { args: [2, 'a\n\nb\n'], want: 'a\n  \n  b\n  ' },
  { args: ['1', 'a\nb'], want: 'a\n b' },
  { args: [0, 'a\nb'], want: 'a\nb' },
  { args: [1.5, 'a'], error: 'value must be a whole number, between -9223372036854775808 and 9223372036854775807 inclusive' },
]);

cases('trimspace', [
  { args: ['   hello   '], want: 'hello' },
  { args: ['\t\n\v\f\r\u0085\u00a0x\u2003\u3000'], want: 'x' },
  { args: ['\ufeffx'], want: '\ufeffx' }, // Go does not count the BOM as space
]);

cases('trim', [
  { args: ['--hello--', '-'], want: 'hello' },
  { args: ['?!hello?!', '!?'], want: 'hello' },
  { args: ['xyz', ''], want: 'xyz' },
  { args: ['🍕a🍕', '🍕'], want: 'a' },
]);

cases('trimprefix', [
  { args: ['docker-build', 'docker-'], want: 'build' },
  { args: ['docker-build', 'build'], want: 'docker-build' },
  { args: ['aaa', 'a'], want: 'aa' },
]);

cases('trimsuffix', [
  { args: ['filename.txt', '.txt'], want: 'filename' },
  { args: ['filename.txt', '.md'], want: 'filename.txt' },
  { args: ['abc', ''], want: 'abc' },
]);

cases('replace', [
  { args: ['banana', 'na', '--'], want: 'ba----' },
  { args: ['1 + 2 + 3', '+', '-'], want: '1 - 2 - 3' },
  { args: ['a/b/c', '/b/', 'x'], want: 'axc' }, // a plain substring: buildx's replace has no /regex/ form
  { args: ['abc', '', '.'], want: '.a.b.c.' },
  { args: [12321, 2, 0], want: '10301' },
]);

cases('sanitize', [
  { args: [''], want: '' },
  { args: ['foo/bar'], want: 'foo_bar' },
  { args: ['foobar'], want: 'foobar' },
  { args: ['foo/bar...'], want: 'foo_bar___' },
  { args: ['foo/🍕bar'], want: 'foo__bar' },
  { args: ['foo/bar!@(ba+z)'], want: 'foo_bar___ba_z_' },
  { args: ['My App! v1.0'], want: 'My_App__v1_0' },
  { args: ['a-b_C9'], want: 'a-b_C9' },
]);
