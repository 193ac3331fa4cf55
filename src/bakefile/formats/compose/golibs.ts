/**
 * Go library behaviours compose-go and buildx rely on, beyond the standard
 * library ones in src/golang: compose-go's path resolution against
 * buildx's empty working directory (filepath.Clean), and docker/go-units'
 * RAMInBytes and BytesSize, so that paths and sizes come out byte for byte
 * as buildx prints them.
 */
import { goQuote } from '../../../golang/strconv.js';
import { goClean, goJoin } from '../../../golang/path.js';

const REMOTE_CONTEXT = /^(?:https?:\/\/|git:\/\/|ssh:\/\/|github\.com\/|git@)/;

/** compose-go's absContextPath: URLs stay, paths resolve as unixPath resolves them. */
export function contextPath(value: string, home: string | undefined, workingDir = ''): string {
  if (value.includes('://') || REMOTE_CONTEXT.test(value)) return value;
  return unixPath(value, home, workingDir);
}

/**
 * compose-go's path resolution: `~` expanded, absolute paths kept, relative
 * ones joined to the project's working directory: buildx's is empty
 * (filepath.Join("", p) cleans), an included project's is its directory.
 */
export function unixPath(value: string, home: string | undefined, workingDir = ''): string {
  if (value === '') return value;
  if (value.startsWith('~') && home !== undefined) return goClean(`${home}/${value.slice(1)}`);
  if (value.startsWith('/') || /^[a-zA-Z]:[\\/]|^\\\\/.test(value)) return value;
  return goClean(goJoin(workingDir, value));
}

const SIZE_UNITS: Readonly<Record<string, number>> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** docker/go-units RAMInBytes (binary units, case-insensitive, optional `b`/`ib`). */
export function ramInBytes(text: string): number {
  const sep = Math.max(...[...'0123456789. '].map((c) => text.lastIndexOf(c)));
  if (sep < 0) throw new Error(`invalid size: '${text}'`);
  const num = text[sep] === ' ' ? text.slice(0, sep) : text.slice(0, sep + 1);
  const suffix = text.slice(sep + 1);
  if (!/^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(num)) throw new Error(`strconv.ParseFloat: parsing ${goQuote(num)}: invalid syntax`);
  const size = Number(num);
  if (size < 0) throw new Error(`invalid size: '${text}'`);
  if (suffix === '') return Math.trunc(size);
  const badSuffix = (s: string) => new Error(`invalid suffix: '${s}'`);
  if (suffix.length > 3) throw badSuffix(suffix);
  const lower = suffix.toLowerCase();
  if (lower[0] === 'b') {
    if (lower.length > 1) throw badSuffix(lower);
    return Math.trunc(size);
  }
  const multiplier = SIZE_UNITS[lower[0] as string];
  if (multiplier === undefined || (lower.length === 2 && lower[1] !== 'b') || (lower.length === 3 && lower.slice(1) !== 'ib')) throw badSuffix(lower);
  return Math.trunc(size * multiplier);
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** docker/go-units BytesSize (`%.4g` of the size in the largest binary unit it reaches): 134217728 → "128MiB". */
export function bytesSize(bytes: number): string {
  let unit = 0;
  let divisor = 1n;
  while (bytes / Number(divisor * 1024n) >= 1 && unit < BINARY_UNITS.length - 1) {
    divisor *= 1024n;
    unit++;
  }
  return `${significant4(BigInt(bytes), divisor)}${BINARY_UNITS[unit]}`;
}

/** num/den (at least 1) rounded half-to-even to four significant digits, trailing zeros dropped, as Go's %.4g prints it. */
function significant4(num: bigint, den: bigint): string {
  const intDigits = (num / den).toString().length;
  const shift = 4 - intDigits;
  const scale = 10n ** BigInt(Math.max(shift, 0));
  const scaledNum = num * scale;
  const scaledDen = den * 10n ** BigInt(Math.max(-shift, 0));
  let q = scaledNum / scaledDen;
  const twice = (scaledNum % scaledDen) * 2n;
  if (twice > scaledDen || (twice === scaledDen && q % 2n === 1n)) q++;
  const digits = q.toString();
  if (shift <= 0) return digits + '0'.repeat(-shift);
  const whole = digits.slice(0, digits.length - shift) || '0';
  const fraction = digits.slice(digits.length - shift).replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}
