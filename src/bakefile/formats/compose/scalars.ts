/**
 * yaml.v3's typing of untagged plain scalars (`017` is octal, `1_000` an
 * int, `yes` a string) and Go's `%v` of the result. compose-go decodes with
 * yaml.v3, whose resolution differs from the YAML 1.2 typing of the `yaml`
 * package, so the tree retypes plain scalars from their text as written.
 */

export type ScalarValue = string | number | boolean | null;

const YAML_NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const YAML_BOOLS: ReadonlyMap<string, boolean> = new Map([
  ...['true', 'True', 'TRUE'].map((s) => [s, true] as const),
  ...['false', 'False', 'FALSE'].map((s) => [s, false] as const),
]);
const YAML_SPECIAL_FLOATS: ReadonlyMap<string, number> = new Map([
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s) => [s, Infinity] as const),
  ...['-.inf', '-.Inf', '-.INF'].map((s) => [s, -Infinity] as const),
  ...['.nan', '.NaN', '.NAN'].map((s) => [s, NaN] as const),
]);
/** Go's strconv.ParseInt(s, 0, 64) syntax, which yaml.v3 applies after dropping underscores. */
const GO_INT = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const YAML_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** yaml.v3's resolution of an untagged plain scalar (`017` is octal, `1_000` an int, `yes` a string). */
export function plainScalar(source: string): { value: ScalarValue; text: string } {
  if (YAML_NULLS.has(source)) return { value: null, text: '' };
  const bool = YAML_BOOLS.get(source);
  if (bool !== undefined) return { value: bool, text: String(bool) };
  if (/^[-+.0-9]/.test(source)) {
    const special = YAML_SPECIAL_FLOATS.get(source);
    if (special !== undefined) return { value: special, text: goFloat(special) };
    const plain = source.replaceAll('_', '');
    const int = GO_INT.exec(plain);
    if (int) {
      const [, sign = '', digits = ''] = int;
      const magnitude = BigInt(/^0[0-7]+$/.test(digits) ? `0o${digits.slice(1)}` : digits);
      const n = sign === '-' ? -magnitude : magnitude;
      if (n >= INT64_MIN && n <= UINT64_MAX) return { value: Number(n), text: n.toString() };
    }
    // A float out of a double's range (1e400) fails strconv.ParseFloat, and yaml.v3 keeps the scalar a string.
    const f = YAML_FLOAT.test(plain) ? Number(plain) : NaN;
    if (Number.isFinite(f)) return { value: f, text: goFloat(f) };
  }
  return { value: source, text: source };
}

/** Go's `%v` of a float64 (strconv 'g', shortest): exponent form below 1e-4 and from 1e6 on, as in `1e+06`. */
export function goFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa = '', exponent = '0'] = f.toExponential().split('e');
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  const exp = Number(exponent);
  if (exp < -4 || exp >= 6) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    return `${sign}${digits[0]}${fraction}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const fraction = digits.slice(exp + 1);
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}
