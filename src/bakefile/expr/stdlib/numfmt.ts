/**
 * Go's formatting of numbers for `format`: cty hands floats to big.Float's
 * Format and integers to big.Int's Format. Both are reproduced here on exact
 * decimal expansions of doubles, so rounding (half to even on exact ties)
 * matches Go digit for digit.
 */

/** A decimal 0.digits × 10^exp; digits has no leading or trailing zeros, "" is zero. */
interface Decimal {
  readonly digits: string;
  readonly exp: number;
}

export interface NumberFlags {
  readonly plus: boolean;
  readonly space: boolean;
  readonly zero: boolean;
  readonly minus: boolean;
  readonly sharp: boolean;
  readonly width?: number;
  readonly precision?: number;
}

function trimDecimal(digits: string, exp: number): Decimal {
  let start = 0;
  while (start < digits.length && digits[start] === '0') start++;
  let end = digits.length;
  while (end > start && digits[end - 1] === '0') end--;
  return end === start ? { digits: '', exp: 0 } : { digits: digits.slice(start, end), exp: exp - start };
}

/** The exact decimal value of a finite, non-negative double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', exp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  let exp2 = -1074;
  if (biased !== 0) {
    mantissa |= 1n << 52n;
    exp2 = biased - 1075;
  }
  if (exp2 >= 0) {
    const digits = (mantissa << BigInt(exp2)).toString();
    return trimDecimal(digits, digits.length);
  }
  // m·2^e = m·5^-e / 10^-e
  const digits = (mantissa * 5n ** BigInt(-exp2)).toString();
  return trimDecimal(digits, digits.length + exp2);
}

/** The shortest decimal that reads back as the same double (Go's shortest mode). */
function shortestDecimal(x: number): Decimal {
  const [mantissa = '0', exponent = '0'] = String(x).split('e');
  const [intPart = '', fracPart = ''] = mantissa.split('.');
  return trimDecimal(intPart + fracPart, intPart.length + Number(exponent));
}

/** big/decimal.go round: keep n digits, rounding half to even on exact ties. */
function roundDecimal(d: Decimal, n: number): Decimal {
  if (n < 0 || n >= d.digits.length) return d;
  const digit = d.digits[n] ?? '0';
  const exactHalf = digit === '5' && n + 1 === d.digits.length;
  const up = exactHalf ? n > 0 && Number(d.digits[n - 1]) % 2 === 1 : digit >= '5';
  if (!up) return trimDecimal(d.digits.slice(0, n), d.exp);
  let i = n;
  while (i > 0 && d.digits[i - 1] === '9') i--;
  if (i === 0) return { digits: '1', exp: d.exp + 1 };
  return { digits: d.digits.slice(0, i - 1) + String(Number(d.digits[i - 1]) + 1), exp: d.exp };
}

function digitAt(d: Decimal, i: number): string {
  return i >= 0 && i < d.digits.length ? (d.digits[i] ?? '0') : '0';
}

function fmtE(d: Decimal, prec: number, expChar: 'e' | 'E'): string {
  let out = d.digits[0] ?? '0';
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) out += digitAt(d, i);
  }
  const exp = d.digits.length > 0 ? d.exp - 1 : 0;
  return `${out}${expChar}${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function fmtF(d: Decimal, prec: number): string {
  let out = '';
  if (d.exp > 0) for (let i = 0; i < d.exp; i++) out += digitAt(d, i);
  else out = '0';
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) out += digitAt(d, d.exp + i);
  }
  return out;
}

/** big.Float.Append for a non-negative finite value; prec < 0 asks for the shortest form. */
function appendFloat(x: number, verb: 'e' | 'E' | 'f' | 'g' | 'G', precision: number): string {
  const shortest = precision < 0;
  let d = shortest ? shortestDecimal(x) : exactDecimal(x);
  let prec = precision;
  if (shortest) {
    if (verb === 'e' || verb === 'E') prec = d.digits.length - 1;
    else if (verb === 'f') prec = Math.max(d.digits.length - d.exp, 0);
    else prec = d.digits.length;
  } else if (verb === 'e' || verb === 'E') {
    d = roundDecimal(d, 1 + prec);
  } else if (verb === 'f') {
    d = roundDecimal(d, d.exp + prec);
  } else {
    if (prec === 0) prec = 1;
    d = roundDecimal(d, prec);
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
export function formatFloat(x: number, verb: 'e' | 'E' | 'f' | 'g' | 'G', flags: NumberFlags): string {
  const isG = verb === 'g' || verb === 'G';
  const precision = flags.precision ?? (isG ? -1 : 6);
  let sign: string;
  let body: string;
  if (!Number.isFinite(x)) {
    sign = x < 0 ? '-' : flags.space ? ' ' : '+';
    body = 'Inf';
  } else {
    body = appendFloat(Math.abs(x), verb, precision);
    sign = x < 0 ? '-' : flags.plus ? '+' : flags.space ? ' ' : '';
  }
  const padding = Math.max((flags.width ?? 0) - sign.length - body.length, 0);
  if (flags.minus) return sign + body + ' '.repeat(padding);
  if (flags.zero && Number.isFinite(x)) return sign + '0'.repeat(padding) + body;
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
