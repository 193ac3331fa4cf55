/**
 * Numbers as exact as cty's (issue 14, defect 8): integers beyond 2^53 are
 * bigints, other values a double cannot print as cty does are Float512,
 * arithmetic that a double would round is done at 512 bits, and each result
 * is what buildx 0.13.1 prints for the same expression (the golden cases
 * big-numbers and wide-numbers run them against buildx itself).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as n from '../../src/bakefile/expr/numeric.js';
import { call } from './stdlib-support.js';

const text = (v: n.Numeric): string => n.formatNumeric(v);

test('literals keep their digits: safe integers as doubles, larger integers as bigints', () => {
  assert.equal(n.numberFromDecimalText('42'), 42);
  assert.equal(n.numberFromDecimalText('9007199254740991'), 9007199254740991);
  assert.equal(n.numberFromDecimalText('9007199254740993'), 9007199254740993n);
  assert.equal(n.numberFromDecimalText('-9007199254740993'), -9007199254740993n);
  assert.equal(text(n.numberFromDecimalText('1e400')), `1${'0'.repeat(400)}`);
  assert.equal(n.numberFromDecimalText('1.5e1'), 15);
  assert.equal(n.numberFromDecimalText('0.25'), 0.25);
  assert.equal(n.numberFromDecimalText('1.000e2'), 100);
});

test('magnitudes beyond 2^±32768 are infinity and zero, so a literal cannot take the memory of its digits', () => {
  assert.equal(n.numberFromDecimalText('1e99999999'), Infinity);
  assert.equal(n.numberFromDecimalText('-1e10000'), -Infinity);
  assert.equal(n.numberFromDecimalText('1e-10000'), 0);
  assert.equal(text(n.numberFromDecimalText('1e5000')), `1${'0'.repeat(5000)}`);
  assert.equal(n.multiply(n.numberFromDecimalText('1e5000'), n.numberFromDecimalText('1e5000')), Infinity);
  assert.equal(n.multiply(n.numberFromDecimalText('1e-5000'), n.numberFromDecimalText('1e-5000')), 0);
});

test('non-integers a double cannot print as cty does are kept at 512 bits', () => {
  const third = n.divide(1, 3);
  assert.ok(third instanceof n.Float512);
  assert.equal(text(third), `0.${'3'.repeat(154)}5`);
  assert.equal(text(n.negate(third)), `-0.${'3'.repeat(154)}5`);
  assert.equal(n.multiply(third, 3), 1, 'rounded back to 1 at 512 bits, as in cty');
  assert.equal(text(n.numberFromDecimalText('123456789012345678901234567890.123456789')), '123456789012345678901234567890.123456789');
  assert.equal(text(n.numberFromDecimalText('1e-400')), `0.${'0'.repeat(399)}1`);
  assert.equal(n.compare(n.numberFromDecimalText('1e-400'), 0), 1);
  assert.equal(text(n.multiply(1.23456789, 1.23456789)), `1.5241578750190521${'0'.repeat(137)}1`, 'the 512-bit rounding shows, as in cty');
  assert.equal(text(n.modulo(10, 3.3)), `0.1${'0'.repeat(152)}48`);
  assert.equal(n.floor(n.numberFromDecimalText('-1e-400')), -1);
  assert.equal(n.ceil(n.numberFromDecimalText('1e-400')), 1);
  assert.equal(n.truncate(n.numberFromDecimalText('-2.000000000000000000000001')), -2);
  assert.equal(Number(third), 1 / 3, 'the nearest double where only doubles compute');
});

test('arithmetic is exact where cty is', () => {
  const big = 9007199254740993n;
  assert.equal(n.add(big, 1), 9007199254740994n);
  assert.equal(n.subtract(big, 9007199254740992n), 1);
  assert.equal(n.multiply(big, 3), 27021597764222979n);
  assert.equal(n.divide(big, 3), 3002399751580331, 'a safe integer again');
  assert.equal(n.modulo(big, 10), 3);
  assert.equal(n.add(9007199254740992, 1), big, 'a double at 2^53 (from the environment) plus one');
  assert.equal(n.add(Number.MAX_SAFE_INTEGER, 2), 9007199254740993n, 'safe operands, unsafe result');
  assert.equal(n.add(0.1, 0.2), 0.3);
  assert.equal(n.multiply(0.1, 3), 0.3);
  assert.equal(n.divide(0.3, 0.1), 3);
  assert.equal(n.modulo(0.3, 0.1), 0);
  assert.equal(n.negate(big), -big);
  assert.equal(n.absolute(-big), big);
});

test('infinities, small integers and decimals a double prints as cty does stay doubles', () => {
  assert.equal(n.divide(1, 0), Infinity);
  assert.equal(n.divide(1, 8), 0.125);
  assert.equal(n.numberFromDecimalText('0.1'), 0.1);
  assert.equal(n.add(Infinity, 1), Infinity);
  assert.equal(n.modulo(5, 0), 5);
  assert.equal(typeof n.add(2, 3), 'number');
  assert.equal(n.subtract(big(), big()), 0);
  function big(): n.Numeric {
    return 9007199254740993n;
  }
});

test('comparison across doubles and bigints', () => {
  assert.equal(n.compare(9007199254740993n, 9007199254740992), 1);
  assert.equal(n.compare(9007199254740992, 9007199254740992n), 0);
  assert.equal(n.compare(-9007199254740993n, 0.5), -1);
  assert.equal(n.compare(Infinity, 10n ** 400n), 1);
});

test('text as cty prints numbers: no exponent, integers in full', () => {
  assert.equal(text(9007199254740993n), '9007199254740993');
  assert.equal(text(1e21), '1000000000000000000000');
  assert.equal(text(1e-7), '0.0000001');
  assert.equal(text(-Infinity), '-Inf');
});

test('number functions take and give integers beyond 2^53 exactly', () => {
  const big = 9007199254740993n;
  assert.equal(call('max', big, 1), big);
  assert.equal(call('min', big, 9007199254740992n), 9007199254740992n);
  assert.equal(call('floor', big), big);
  assert.equal(call('parseint', '9007199254740993', 10), big);
  assert.equal(call('lessthan', 9007199254740992, big), true);
  assert.equal(call('jsonencode', big), '9007199254740993');
  assert.equal(call('jsondecode', '9007199254740993'), big);
  assert.equal(call('format', '%d', big), '9007199254740993');
});

test('range steps on bake numbers: integers beyond 2^53 and decimals exactly, as cty', () => {
  assert.deepEqual(call('range', 9007199254740993n, 9007199254740996n), [9007199254740993n, 9007199254740994n, 9007199254740995n]);
  // Each step is rounded to 512 bits, and from 0.7 the error shows: buildx 0.13.1 prints the same ten numbers.
  assert.deepEqual((call('range', 0, 1, 0.1) as n.Numeric[]).map(text), [
    ...['0', '0.1', '0.2', '0.3', '0.4', '0.5', '0.6'],
    `0.7${'0'.repeat(153)}6`,
    `0.8${'0'.repeat(152)}1`,
    `0.9${'0'.repeat(152)}1`,
  ]);
  assert.throws(() => call('range', 9007199254740993n, 4294967296), /more than 1024 values were generated/);
});
