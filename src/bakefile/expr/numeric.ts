/**
 * Numbers as exact as cty keeps them (issue 14, defect 8). cty's numbers are
 * big.Float values of 512 bits: `9007199254740993` stays itself, `1e400`
 * prints in full, `0.1 + 0.2` is `0.3`. Doubles cannot say that, yet nearly
 * every number in a bake file is a small integer, so a value stays a double
 * (the fast path) unless it is an integer beyond 2^53, which becomes a
 * bigint. Arithmetic whose double result could be inexact (an operand is
 * not a safe integer, or the result leaves the safe range) is done on exact
 * decimals instead; a non-integer result goes back to the nearest double,
 * whose shortest form is the exact decimal for anything of up to 15 digits.
 * Left as doubles: results cty rounds to 512 bits (1/3), results of more
 * than 17 significant digits that are not integers, and infinities.
 */

/** A bake number: a double, or an integer beyond the safe range as a bigint (never a safe integer). */
export type Numeric = number | bigint;

/** Integers of more digits than this stay doubles (or infinities), so `1e99999999` cannot take the memory of its digits. */
const MAX_INTEGER_DIGITS = 4096;

/** value = units / 10^scale; scale may be negative. */
interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

export function isNumeric(v: unknown): v is Numeric {
  return typeof v === 'number' || typeof v === 'bigint';
}

/** An exact integer as a bake number: a double when it is safe, else itself. */
export function integerNumber(n: bigint): Numeric {
  return n >= -MAX_SAFE && n <= MAX_SAFE ? Number(n) : n;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The number a decimal text stands for (HCL and JSON literals, cty's
 * string→number conversion): integers exactly, others as the nearest double.
 * The text is already known to be a well-formed decimal.
 */
export function numberFromDecimalText(text: string): Numeric {
  // The usual literal, a few digits, needs no decimal arithmetic.
  if (text.length <= 15 && /^\d+$/.test(text)) return Number(text);
  const d = parseDecimal(text);
  return d ? fromDecimal(d) : Number(text);
}

/** Parses `[+-]digits[.digits][e[+-]digits]`; undefined when its exponent is beyond any exact integer we keep. */
function parseDecimal(text: string): Decimal | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return undefined;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = m;
  const exp = Number(exponent);
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > MAX_INTEGER_DIGITS * 2) return undefined;
  const units = BigInt(`${sign === '-' ? '-' : ''}${whole}${fraction}` || '0');
  return { units, scale: fraction.length - exp };
}

/** The exact decimal of a bake number; a double is the decimal it prints as (its shortest form), as the literal it came from was written. */
function toDecimal(n: Numeric): Decimal {
  if (typeof n === 'bigint') return { units: n, scale: 0 };
  if (Number.isSafeInteger(n)) return { units: BigInt(n), scale: 0 };
  return parseDecimal(n.toString()) as Decimal;
}

/** Back to a bake number: integers exactly (within MAX_INTEGER_DIGITS), others the nearest double. */
function fromDecimal({ units, scale }: Decimal): Numeric {
  while (scale > 0 && units % 10n === 0n && units !== 0n) {
    units /= 10n;
    scale--;
  }
  if (units === 0n) return 0;
  if (scale <= 0) {
    if (units.toString().length - scale > MAX_INTEGER_DIGITS) return Number(`${units}e${-scale}`);
    return integerNumber(units * 10n ** BigInt(-scale));
  }
  return Number(`${units}e-${scale}`);
}

/** Both operands at the larger scale, so their units add, subtract and compare. */
function aligned(a: Numeric, b: Numeric): [bigint, bigint, number] {
  const x = toDecimal(a);
  const y = toDecimal(b);
  const scale = Math.max(x.scale, y.scale);
  return [x.units * 10n ** BigInt(scale - x.scale), y.units * 10n ** BigInt(scale - y.scale), scale];
}

/** Doubles whose arithmetic is exact as it stands: safe integers with a safe result. */
const exactAsDoubles = (a: Numeric, b: Numeric, r: number): boolean =>
  typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a) && Number.isSafeInteger(b) && Number.isSafeInteger(r);

/** An infinity (or an operand one): the double arithmetic decides, as cty's infinity rules are the double's. */
const infinite = (a: Numeric, b: Numeric): boolean => (typeof a === 'number' && !Number.isFinite(a)) || (typeof b === 'number' && !Number.isFinite(b));

export function add(a: Numeric, b: Numeric): Numeric {
  const r = Number(a) + Number(b);
  if (exactAsDoubles(a, b, r) || infinite(a, b)) return r;
  const [x, y, scale] = aligned(a, b);
  return fromDecimal({ units: x + y, scale });
}

export function subtract(a: Numeric, b: Numeric): Numeric {
  return add(a, negate(b));
}

export function multiply(a: Numeric, b: Numeric): Numeric {
  const r = Number(a) * Number(b);
  if (exactAsDoubles(a, b, r) || infinite(a, b)) return r;
  const x = toDecimal(a);
  const y = toDecimal(b);
  if (x.units.toString().length + y.units.toString().length > MAX_INTEGER_DIGITS) return r;
  return fromDecimal({ units: x.units * y.units, scale: x.scale + y.scale });
}

/** Exact when the quotient has a finite decimal expansion (9007199254740993 / 3); otherwise the double quotient (cty's 512-bit one is longer). */
export function divide(a: Numeric, b: Numeric): Numeric {
  const r = Number(a) / Number(b);
  if (b === 0 || infinite(a, b) || (exactAsDoubles(a, b, r) && Number.isInteger(r))) return r;
  const [x, y] = aligned(a, b);
  const exact = terminatingQuotient(x, y);
  return exact ? fromDecimal(exact) : r;
}

/** x/y as a decimal when its expansion ends: y's factors other than 2 and 5 must divide x. */
function terminatingQuotient(x: bigint, y: bigint): Decimal | undefined {
  let rest = y < 0n ? -y : y;
  let twos = 0;
  let fives = 0;
  for (; rest % 2n === 0n; rest /= 2n) twos++;
  for (; rest % 5n === 0n; rest /= 5n) fives++;
  if (x % rest !== 0n) return undefined;
  const scale = Math.max(twos, fives);
  return { units: (x * 10n ** BigInt(scale)) / y, scale };
}

/** cty's modulo: truncated like Go's integer remainder, x % 0 is x, infinities multiply. */
export function modulo(a: Numeric, b: Numeric): Numeric {
  if (infinite(a, b)) return Number(a) * Number(b);
  if (b === 0) return a;
  if (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a) && Number.isSafeInteger(b)) return a % b;
  const [x, y, scale] = aligned(a, b);
  return fromDecimal({ units: x % y, scale });
}

export function negate(a: Numeric): Numeric {
  return typeof a === 'bigint' ? -a : a === 0 ? 0 : -a;
}

export function absolute(a: Numeric): Numeric {
  return typeof a === 'bigint' ? (a < 0n ? -a : a) : Math.abs(a);
}

/** Negative, zero or positive as a is below, equal to or above b. */
export function compare(a: Numeric, b: Numeric): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (infinite(a, b)) return Math.sign(infinityRank(a) - infinityRank(b));
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Where an infinity stands against finite numbers, which all rank 0. */
const infinityRank = (x: Numeric): number => (x === Infinity ? 1 : x === -Infinity ? -1 : 0);

/** Rounds toward -infinity (floor) or +infinity (ceil); an integer beyond 2^53 already is one. */
export function floor(a: Numeric): Numeric {
  return typeof a === 'bigint' ? a : Math.floor(a);
}

export function ceil(a: Numeric): Numeric {
  return typeof a === 'bigint' ? a : Math.ceil(a);
}

/** cty's text of a number: the shortest decimal that reads back, never in exponent form; integers beyond 2^53 in full. */
export function formatNumeric(n: Numeric): string {
  return typeof n === 'bigint' ? n.toString() : formatDouble(n);
}

/** big.Float's Text('f', -1) of a double: shortest round-trip digits, no exponent. */
function formatDouble(n: number): string {
  // big.Float's Text for infinities (1/0 is +Inf in cty).
  if (n === Infinity || n === -Infinity) return n > 0 ? '+Inf' : '-Inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toString().replace(/^-0$/, '0');
  const s = n.toString();
  if (!/e/i.test(s)) return s;
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/i.exec(s);
  if (!m) return s;
  const [, sign = '', lead, frac = '', expStr] = m;
  const exp = Number(expStr);
  const digits = `${lead}${frac}`;
  if (exp >= 0) {
    const intLen = 1 + exp;
    return sign + (digits.length <= intLen ? digits + '0'.repeat(intLen - digits.length) : `${digits.slice(0, intLen)}.${digits.slice(intLen)}`);
  }
  return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
}
