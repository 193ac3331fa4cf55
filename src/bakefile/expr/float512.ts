/**
 * cty's number arithmetic: Go big.Float values of 512 bits, rounded to
 * nearest even after every operation, and printed in the fewest digits that
 * read back as the same 512-bit value. numeric.ts keeps the common numbers in
 * doubles and bigints and comes here only where those would print otherwise
 * than cty does (0.1 + 0.2 is 0.3, 1/3 has 155 digits, 1e-400 is not 0).
 */

/** cty parses number literals and computes at this many mantissa bits. */
export const PRECISION = 512;

/** Go's big.Float scan divides by a power of 5 computed with these extra bits (floatconv.go). */
const POW5_EXTRA_BITS = 64;

/** mantissa · 2^exponent, exact until rounded(). */
export interface Binary {
  readonly mantissa: bigint;
  readonly exponent: number;
}

/** A decimal 0.digits × 10^exp: digits has no leading or trailing zeros, and "" is zero. */
export interface Digits {
  readonly digits: string;
  readonly exp: number;
}

const ZERO: Binary = { mantissa: 0n, exponent: 0 };

const magnitude = (n: bigint): bigint => (n < 0n ? -n : n);

/** Bits of |n| (0 for 0). */
export function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  const hex = magnitude(n).toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0] ?? '0', 16)));
}

/** x rounded to `precision` mantissa bits, half to even, as big.Float's ToNearestEven. */
export function rounded(x: Binary, precision = PRECISION): Binary {
  const excess = bitLength(x.mantissa) - precision;
  if (excess <= 0) return x;
  const abs = magnitude(x.mantissa);
  const shift = BigInt(excess);
  let kept = abs >> shift;
  const rest = abs - (kept << shift);
  const half = 1n << (shift - 1n);
  if (rest > half || (rest === half && (kept & 1n) === 1n)) kept += 1n;
  return { mantissa: x.mantissa < 0n ? -kept : kept, exponent: x.exponent + excess };
}

export function sum(a: Binary, b: Binary): Binary {
  const exponent = Math.min(a.exponent, b.exponent);
  return { mantissa: (a.mantissa << BigInt(a.exponent - exponent)) + (b.mantissa << BigInt(b.exponent - exponent)), exponent };
}

export function product(a: Binary, b: Binary): Binary {
  return { mantissa: a.mantissa * b.mantissa, exponent: a.exponent + b.exponent };
}

/** a / b rounded to `precision` bits; b is not zero. Two guard bits and a sticky bit make the one rounding exact. */
export function quotient(a: Binary, b: Binary, precision = PRECISION): Binary {
  if (a.mantissa === 0n) return ZERO;
  const shift = Math.max(0, precision + 2 + bitLength(b.mantissa) - bitLength(a.mantissa));
  const numerator = magnitude(a.mantissa) << BigInt(shift);
  const divisor = magnitude(b.mantissa);
  let q = numerator / divisor;
  let exponent = a.exponent - b.exponent - shift;
  if (q * divisor !== numerator) {
    q = (q << 1n) | 1n;
    exponent -= 1;
  }
  const negative = a.mantissa < 0n !== b.mantissa < 0n;
  return rounded({ mantissa: negative ? -q : q, exponent }, precision);
}

/** The integer part, toward zero (big.Float's Int). */
export function truncated(x: Binary): bigint {
  if (x.exponent >= 0) return x.mantissa << BigInt(x.exponent);
  const whole = magnitude(x.mantissa) >> BigInt(-x.exponent);
  return x.mantissa < 0n ? -whole : whole;
}

export function isInteger(x: Binary): boolean {
  return x.exponent >= 0 || truncated(x) << BigInt(-x.exponent) === x.mantissa;
}

export function compareBinary(a: Binary, b: Binary): number {
  const d = sum(a, { mantissa: -b.mantissa, exponent: b.exponent }).mantissa;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** 5^n at `precision` bits, by big.Float's pow5: a table up to 5^27, then squaring, each step rounded. */
function pow5(n: number, precision: number): Binary {
  const TABLE_MAX = 27;
  if (n <= TABLE_MAX) return { mantissa: 5n ** BigInt(n), exponent: 0 };
  let z: Binary = { mantissa: 5n ** BigInt(TABLE_MAX), exponent: 0 };
  let f: Binary = { mantissa: 5n, exponent: 0 };
  for (let rest = n - TABLE_MAX; rest > 0; rest = Math.floor(rest / 2)) {
    if (rest % 2 === 1) z = rounded(product(z, f), precision);
    f = rounded(product(f, f), precision + POW5_EXTRA_BITS);
  }
  return z;
}

/** units × 10^exp10 as big.Float's ParseFloat(s, 10, 512) computes it: the digits exact, then one multiply or divide by 5^|exp10|. */
export function parseBinary(units: bigint, exp10: number): Binary {
  const scaled: Binary = { mantissa: units, exponent: exp10 };
  if (exp10 === 0 || units === 0n) return rounded(scaled);
  const p = pow5(Math.abs(exp10), PRECISION + POW5_EXTRA_BITS);
  return exp10 < 0 ? quotient(scaled, p) : rounded(product(scaled, p));
}

export function trimDigits(digits: string, exp: number): Digits {
  let start = 0;
  while (start < digits.length && digits[start] === '0') start++;
  let end = digits.length;
  while (end > start && digits[end - 1] === '0') end--;
  return end === start ? { digits: '', exp: 0 } : { digits: digits.slice(start, end), exp: exp - start };
}

/** The exact decimal of |x|. */
export function exactDigits(x: Binary): Digits {
  const abs = magnitude(x.mantissa);
  if (x.exponent >= 0) {
    const digits = (abs << BigInt(x.exponent)).toString();
    return trimDigits(digits, digits.length);
  }
  // m·2^-k = m·5^k / 10^k
  const digits = (abs * 5n ** BigInt(-x.exponent)).toString();
  return trimDigits(digits, digits.length + x.exponent);
}

/** big/decimal.go's round: keep n digits, half to even on exact ties. */
export function roundDigits(d: Digits, n: number): Digits {
  if (n < 0 || n >= d.digits.length) return d;
  const digit = d.digits[n] ?? '0';
  const exactHalf = digit === '5' && n + 1 === d.digits.length;
  const up = exactHalf ? n > 0 && Number(d.digits[n - 1]) % 2 === 1 : digit >= '5';
  return up ? roundUp(d, n) : trimDigits(d.digits.slice(0, n), d.exp);
}

function roundUp(d: Digits, n: number): Digits {
  let i = n;
  while (i > 0 && d.digits[i - 1] === '9') i--;
  if (i === 0) return { digits: '1', exp: d.exp + 1 };
  return { digits: d.digits.slice(0, i - 1) + String(Number(d.digits[i - 1]) + 1), exp: d.exp };
}

/**
 * The fewest digits that read back as |x| at `precision` bits: big.Float's
 * Text('f', -1), by its roundShortest. The bounds half an ulp either side are
 * allowed only when x's mantissa is even, as nearest-even rounding then
 * returns to x.
 */
export function shortestDigits(x: Binary, precision = PRECISION): Digits {
  if (x.mantissa === 0n) return { digits: '', exp: 0 };
  const abs = magnitude(x.mantissa);
  // A mantissa of precision+1 bits whose lowest bit is half an ulp.
  const shift = bitLength(abs) - (precision + 1);
  const mant = shift < 0 ? abs << BigInt(-shift) : abs >> BigInt(shift);
  const exponent = x.exponent + shift;
  const d = exactDigits({ mantissa: abs, exponent: x.exponent });
  const lower = exactDigits({ mantissa: mant - 1n, exponent });
  const upper = exactDigits({ mantissa: mant + 1n, exponent });
  const inclusive = (mant & 2n) === 0n;
  // Digit i of d has the place of digit i + (bound.exp - d.exp) of a bound.
  const at = (b: Digits, i: number): string => b.digits[i + b.exp - d.exp] ?? '0';
  for (let i = 0; i < d.digits.length; i++) {
    const m = d.digits[i] ?? '0';
    const l = at(lower, i);
    const u = at(upper, i);
    const okDown = l !== m || (inclusive && i + lower.exp - d.exp + 1 === lower.digits.length);
    const okUp = m !== u && (inclusive || Number(m) + 1 < Number(u) || i + upper.exp - d.exp + 1 < upper.digits.length);
    if (okDown && okUp) return roundDigits(d, i + 1);
    if (okDown) return trimDigits(d.digits.slice(0, i + 1), d.exp);
    if (okUp) return roundUp(d, i + 1);
  }
  return d;
}

/** Digits as plain decimal text, never in exponent form (Text('f', -1)). */
export function plainText(d: Digits, negative: boolean): string {
  const sign = negative && d.digits !== '' ? '-' : '';
  if (d.digits === '') return '0';
  if (d.exp <= 0) return `${sign}0.${'0'.repeat(-d.exp)}${d.digits}`;
  if (d.exp >= d.digits.length) return sign + d.digits + '0'.repeat(d.exp - d.digits.length);
  return `${sign}${d.digits.slice(0, d.exp)}.${d.digits.slice(d.exp)}`;
}
