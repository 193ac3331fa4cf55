/**
 * Numbers as cty keeps them (issue 14, defect 8). cty's numbers are
 * big.Float values of 512 bits: `9007199254740993` stays itself, `1e400`
 * and `1e-400` print in full, `0.1 + 0.2` is `0.3`, `1/3` has 155 digits.
 * Doubles cannot say that, yet nearly every number in a bake file is a small
 * integer or a short decimal, so a value stays a double (the fast path)
 * whenever its shortest form is what cty prints; an integer beyond 2^53 (and
 * within 512 bits) is a bigint; anything else is a Float512, the 512-bit
 * value itself. A double stands for its shortest decimal read at 512 bits,
 * as the literal it came from was.
 *
 * Arithmetic whose double result could differ from cty's (an operand is not
 * a safe integer, or the result leaves the safe range) is done at 512 bits
 * (float512.ts), rounding where big.Float rounds.
 *
 * Left as they were: infinities (doubles, as cty's infinity rules are the
 * double's), magnitudes beyond 2^±32768 (infinity and zero, so
 * `1e99999999` cannot take the memory of its digits), integers from
 * `parseint` (exact at any size, as big.Int), and values cty computes at
 * less than 512 bits (results of functions such as `length` alone, and
 * numbers from the environment, which cty reads as float64).
 */
import * as f from './float512.js';

/** A non-integer, or an integer of more than 512 bits, at cty's precision: neither a double nor a bigint prints it as cty does. */
export class Float512 {
  private shortest?: f.Digits;
  constructor(readonly binary: f.Binary) {}
  /** Its fewest digits at 512 bits: what cty prints. */
  digits(): f.Digits {
    this.shortest ??= f.shortestDigits(this.binary);
    return this.shortest;
  }
  get negative(): boolean {
    return this.binary.mantissa < 0n;
  }
  /** The nearest double, for what only doubles compute (log, pow, sizes, indices). */
  valueOf(): number {
    const { digits, exp } = this.digits();
    return Number(`${this.negative ? '-' : ''}0.${digits}e${exp}`);
  }
  toString(): string {
    return f.plainText(this.digits(), this.negative);
  }
}

/** A bake number: a double, an integer beyond 2^53 as a bigint (never a safe integer), or a Float512. */
export type Numeric = number | bigint | Float512;

/** Magnitudes at or beyond 2^MAX_BITS are infinite and below 2^-MAX_BITS zero: bounds the digits any number can print. */
const MAX_BITS = 32768;

export function isNumeric(v: unknown): v is Numeric {
  return typeof v === 'number' || typeof v === 'bigint' || v instanceof Float512;
}

/** An exact integer as a bake number: a double when it is safe, else itself. */
export function integerNumber(n: bigint): Numeric {
  return n >= -MAX_SAFE && n <= MAX_SAFE ? Number(n) : n;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Whole numbers (of any kind) as bigints; undefined for a fraction or an infinity. */
export function integerValue(n: Numeric): bigint | undefined {
  if (typeof n === 'bigint') return n;
  if (typeof n === 'number') return Number.isInteger(n) ? BigInt(n) : undefined;
  return f.isInteger(n.binary) ? f.truncated(n.binary) : undefined;
}

export function isFiniteNumeric(n: Numeric): boolean {
  return typeof n !== 'number' || Number.isFinite(n);
}

/**
 * The number a decimal text stands for (HCL and JSON literals, cty's
 * string→number conversion), as big.Float's ParseFloat at 512 bits reads it.
 * The text is already known to be a well-formed decimal.
 */
export function numberFromDecimalText(text: string): Numeric {
  // The usual literal, a few digits, needs no wide arithmetic.
  if (text.length <= 15 && /^\d+$/.test(text)) return Number(text);
  const parts = decimalParts(text);
  if (!parts) return Number(text);
  const { units, exp10 } = parts;
  if (units === 0n) return 0;
  // Beyond the bounds whatever the digits: no need to compute 5^exp10.
  const decimalMagnitude = f.bitLength(units) * Math.LOG10E * Math.LN2 + exp10;
  if (!Number.isFinite(decimalMagnitude) || Math.abs(decimalMagnitude) > MAX_BITS * Math.LN2 * Math.LOG10E + 1) {
    return decimalMagnitude > 0 ? (units < 0n ? -Infinity : Infinity) : 0;
  }
  return fromBinary(f.parseBinary(units, exp10));
}

/** `[+-]digits[.digits][e[+-]digits]` as units × 10^exp10; undefined for any other text. */
function decimalParts(text: string): { readonly units: bigint; readonly exp10: number } | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return undefined;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = m;
  return { units: BigInt(`${sign === '-' ? '-' : ''}${whole}${fraction}` || '0'), exp10: Number(exponent) - fraction.length };
}

/** The 512-bit value a bake number stands for (exact for integers). */
function toBinary(n: Numeric): f.Binary {
  if (n instanceof Float512) return n.binary;
  if (typeof n === 'bigint') return { mantissa: n, exponent: 0 };
  if (Number.isSafeInteger(n)) return { mantissa: BigInt(n), exponent: 0 };
  // A double's shortest form is the literal it stands for.
  const { units, exp10 } = decimalParts(n.toString()) as { units: bigint; exp10: number };
  return f.parseBinary(units, exp10);
}

/**
 * cty computes at the larger precision of its operands: 512 bits, or all of
 * an integer's bits when `parseint` made it wider.
 */
function precisionOf(a: Numeric, b: Numeric): number {
  const bits = (n: Numeric): number => (typeof n === 'bigint' ? f.bitLength(n) : 0);
  return Math.max(f.PRECISION, bits(a), bits(b));
}

/** A rounded result as the cheapest kind that prints as cty prints it. */
function fromBinary(b: f.Binary, precision = f.PRECISION): Numeric {
  if (b.mantissa === 0n) return 0;
  const magnitudeBits = f.bitLength(b.mantissa) + b.exponent;
  if (magnitudeBits > MAX_BITS) return b.mantissa < 0n ? -Infinity : Infinity;
  if (magnitudeBits < -MAX_BITS) return 0;
  if (f.isInteger(b)) return magnitudeBits <= precision ? integerNumber(f.truncated(b)) : new Float512(b);
  const wide = new Float512(b);
  const double = wide.valueOf();
  return sameDigits(wide.digits(), shortestDigitsOfDouble(double)) ? double : wide;
}

const sameDigits = (a: f.Digits, b: f.Digits): boolean => a.digits === b.digits && a.exp === b.exp;

/** The shortest decimal that reads back as the same double (JavaScript's own number to text). */
function shortestDigitsOfDouble(x: number): f.Digits {
  const { units, exp10 } = decimalParts(String(Math.abs(x))) as { units: bigint; exp10: number };
  const digits = units.toString();
  return f.trimDigits(digits, digits.length + exp10);
}

/** Doubles whose arithmetic is exact as it stands: safe integers with a safe result. */
const exactAsDoubles = (a: Numeric, b: Numeric, r: number): boolean =>
  typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a) && Number.isSafeInteger(b) && Number.isSafeInteger(r);

/** An infinity (or an operand one): the double arithmetic decides, as cty's infinity rules are the double's. */
const infinite = (a: Numeric, b: Numeric): boolean => (typeof a === 'number' && !Number.isFinite(a)) || (typeof b === 'number' && !Number.isFinite(b));

export function add(a: Numeric, b: Numeric): Numeric {
  const r = Number(a) + Number(b);
  if (exactAsDoubles(a, b, r) || infinite(a, b)) return r;
  const precision = precisionOf(a, b);
  return fromBinary(f.rounded(f.sum(toBinary(a), toBinary(b)), precision), precision);
}

export function subtract(a: Numeric, b: Numeric): Numeric {
  return add(a, negate(b));
}

export function multiply(a: Numeric, b: Numeric): Numeric {
  const r = Number(a) * Number(b);
  if (exactAsDoubles(a, b, r) || infinite(a, b)) return r;
  const precision = precisionOf(a, b);
  return fromBinary(f.rounded(f.product(toBinary(a), toBinary(b)), precision), precision);
}

export function divide(a: Numeric, b: Numeric): Numeric {
  const r = Number(a) / Number(b);
  if (isZero(b) || infinite(a, b) || (exactAsDoubles(a, b, r) && Number.isInteger(r))) return r;
  const precision = precisionOf(a, b);
  return fromBinary(f.quotient(toBinary(a), toBinary(b), precision), precision);
}

const isZero = (n: Numeric): boolean => n === 0;

/** cty's modulo: a − trunc(a/b)·b, each step rounded to 512 bits as cty's Modulo does; x % 0 is x, infinities multiply. */
export function modulo(a: Numeric, b: Numeric): Numeric {
  if (infinite(a, b)) return Number(a) * Number(b);
  if (isZero(b)) return a;
  if (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a) && Number.isSafeInteger(b)) return a % b;
  const x = toBinary(a);
  const y = toBinary(b);
  const precision = precisionOf(a, b);
  const whole = f.rounded({ mantissa: f.truncated(f.quotient(x, y, precision)), exponent: 0 }, precision);
  const taken = f.rounded(f.product(y, whole), precision);
  return fromBinary(f.rounded(f.sum(x, { mantissa: -taken.mantissa, exponent: taken.exponent }), precision), precision);
}

export function negate(a: Numeric): Numeric {
  if (a instanceof Float512) return new Float512({ mantissa: -a.binary.mantissa, exponent: a.binary.exponent });
  return typeof a === 'bigint' ? -a : a === 0 ? 0 : -a;
}

export function absolute(a: Numeric): Numeric {
  if (a instanceof Float512) return a.negative ? negate(a) : a;
  return typeof a === 'bigint' ? (a < 0n ? -a : a) : Math.abs(a);
}

/** Negative, zero or positive as a is below, equal to or above b. */
export function compare(a: Numeric, b: Numeric): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (infinite(a, b)) return Math.sign(infinityRank(a) - infinityRank(b));
  return f.compareBinary(toBinary(a), toBinary(b));
}

/** Where an infinity stands against finite numbers, which all rank 0. */
const infinityRank = (x: Numeric): number => (x === Infinity ? 1 : x === -Infinity ? -1 : 0);

/** Rounds toward -infinity (floor) or +infinity (ceil); an integer of any kind already is one. */
export function floor(a: Numeric): Numeric {
  return roundedToInteger(a, Math.floor, -1n);
}

export function ceil(a: Numeric): Numeric {
  return roundedToInteger(a, Math.ceil, 1n);
}

/** Toward zero (cty's int). */
export function truncate(a: Numeric): Numeric {
  return roundedToInteger(a, Math.trunc, 0n);
}

/** `double` for doubles; for a Float512 fraction, its truncation moved one step in `direction` when that lies on that side. */
function roundedToInteger(a: Numeric, double: (x: number) => number, direction: bigint): Numeric {
  if (typeof a === 'bigint') return a;
  if (typeof a === 'number') return double(a) === 0 ? 0 : double(a);
  if (f.isInteger(a.binary)) return a;
  const whole = f.truncated(a.binary);
  const away = direction !== 0n && direction < 0n === a.negative;
  return integerNumber(away ? whole + direction : whole);
}

/** cty's text of a number: the shortest decimal that reads back, never in exponent form. */
export function formatNumeric(n: Numeric): string {
  if (n instanceof Float512) return n.toString();
  return typeof n === 'bigint' ? n.toString() : formatDouble(n);
}

/** big.Float's Text('f', -1) of a double: shortest round-trip digits, no exponent. */
function formatDouble(n: number): string {
  // big.Float's Text for infinities (1/0 is +Inf in cty).
  if (n === Infinity || n === -Infinity) return n > 0 ? '+Inf' : '-Inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toString().replace(/^-0$/, '0');
  return f.plainText(shortestDigitsOfDouble(n), n < 0);
}

/**
 * |n|'s decimal for Go's %e %f %g: the fewest digits (`shortest`), or the
 * exact expansion of its 512-bit value, which the verb's precision rounds.
 * n is finite.
 */
export function decimalDigits(n: Numeric, shortest: boolean): f.Digits {
  if (n instanceof Float512) return shortest ? n.digits() : f.exactDigits(n.binary);
  if (typeof n === 'bigint') return f.exactDigits({ mantissa: n, exponent: 0 });
  return shortest ? shortestDigitsOfDouble(n) : f.exactDigits(toBinary(n));
}

/** Below zero, for any kind. */
export const isNegative = (n: Numeric): boolean => (n instanceof Float512 ? n.negative : n < 0);
