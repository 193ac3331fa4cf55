/**
 * Go's formatting of numbers for `format`: cty hands floats to big.Float's
 * Format and integers to big.Int's Format. Both are reproduced here on the
 * exact decimal expansions of the 512-bit values (numeric.ts), so rounding
 * (half to even on exact ties) matches Go digit for digit.
 */
import { roundDigits, type Digits } from '../float512.js';
import { decimalDigits, isFiniteNumeric, isNegative, type Numeric } from '../numeric.js';

export interface NumberFlags {
  readonly plus: boolean;
  readonly space: boolean;
  readonly zero: boolean;
  readonly minus: boolean;
  readonly sharp: boolean;
  readonly width?: number;
  readonly precision?: number;
}

function digitAt(d: Digits, i: number): string {
  return i >= 0 && i < d.digits.length ? (d.digits[i] ?? '0') : '0';
}

function fmtE(d: Digits, prec: number, expChar: 'e' | 'E'): string {
  let out = d.digits[0] ?? '0';
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) out += digitAt(d, i);
  }
  const exp = d.digits.length > 0 ? d.exp - 1 : 0;
  return `${out}${expChar}${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function fmtF(d: Digits, prec: number): string {
  let out = '';
  if (d.exp > 0) for (let i = 0; i < d.exp; i++) out += digitAt(d, i);
  else out = '0';
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) out += digitAt(d, d.exp + i);
  }
  return out;
}

/** big.Float.Append for |x|, finite; prec < 0 asks for the shortest form. */
function appendFloat(x: Numeric, verb: 'e' | 'E' | 'f' | 'g' | 'G', precision: number): string {
  const shortest = precision < 0;
  let d = decimalDigits(x, shortest);
  let prec = precision;
  if (shortest) {
    if (verb === 'e' || verb === 'E') prec = d.digits.length - 1;
    else if (verb === 'f') prec = Math.max(d.digits.length - d.exp, 0);
    else prec = d.digits.length;
  } else if (verb === 'e' || verb === 'E') {
    d = roundDigits(d, 1 + prec);
  } else if (verb === 'f') {
    d = roundDigits(d, d.exp + prec);
  } else {
    if (prec === 0) prec = 1;
    d = roundDigits(d, prec);
  }
  if (verb === 'e' || verb === 'E') return fmtE(d, prec, verb);
  if (verb === 'f') return fmtF(d, prec);
  let eprec = prec;
  if (eprec > d.digits.length && d.digits.length >= d.exp) eprec = d.digits.length;
  if (shortest) eprec = 6;
  const exp = d.exp - 1;
  if (exp < -4 || exp >= eprec) {
    return fmtE(d, Math.min(prec, d.digits.length) - 1, verb === 'g' ? 'e' : 'E');
  }
  if (prec > d.exp) prec = d.digits.length;
  return fmtF(d, Math.max(prec - d.exp, 0));
}

/** Go's %e %E %f %g %G applied to a number (as big.Float.Format does). */
export function formatFloat(x: Numeric, verb: 'e' | 'E' | 'f' | 'g' | 'G', flags: NumberFlags): string {
  const isG = verb === 'g' || verb === 'G';
  const precision = flags.precision ?? (isG ? -1 : 6);
  const finite = isFiniteNumeric(x);
  const negative = isNegative(x);
  let sign: string;
  let body: string;
  if (!finite) {
    sign = negative ? '-' : flags.space ? ' ' : '+';
    body = 'Inf';
  } else {
    body = appendFloat(x, verb, precision);
    sign = negative ? '-' : flags.plus ? '+' : flags.space ? ' ' : '';
  }
  const padding = Math.max((flags.width ?? 0) - sign.length - body.length, 0);
  if (flags.minus) return sign + body + ' '.repeat(padding);
  if (flags.zero && finite) return sign + '0'.repeat(padding) + body;
  return ' '.repeat(padding) + sign + body;
}

const RADIX: Readonly<Record<'b' | 'd' | 'o' | 'x' | 'X', number>> = { b: 2, d: 10, o: 8, x: 16, X: 16 };
const PREFIX: Readonly<Record<'b' | 'd' | 'o' | 'x' | 'X', string>> = { b: '0b', d: '', o: '0', x: '0x', X: '0X' };

/** Go's %b %d %o %x %X applied to an integer (as big.Int.Format does). */
export function formatInteger(n: bigint, verb: 'b' | 'd' | 'o' | 'x' | 'X', flags: NumberFlags): string {
  const negative = n < 0n;
  const sign = negative ? '-' : flags.plus ? '+' : flags.space ? ' ' : '';
  const prefix = flags.sharp ? PREFIX[verb] : '';
  let digits = (negative ? -n : n).toString(RADIX[verb]);
  if (verb === 'X') digits = digits.toUpperCase();
  let zeros = 0;
  if (flags.precision !== undefined) {
    if (digits.length < flags.precision) zeros = flags.precision - digits.length;
    else if (digits === '0' && flags.precision === 0) return '';
  }
  let left = 0;
  let right = 0;
  const length = sign.length + prefix.length + zeros + digits.length;
  if (flags.width !== undefined && length < flags.width) {
    const pad = flags.width - length;
    if (flags.minus) right = pad;
    else if (flags.zero && flags.precision === undefined) zeros = pad;
    else left = pad;
  }
  return ' '.repeat(left) + sign + prefix + '0'.repeat(zeros) + digits + ' '.repeat(right);
}
