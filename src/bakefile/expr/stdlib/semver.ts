/**
 * buildx's semvercmp(version, constraint): whether a version satisfies a
 * constraint, with Masterminds/semver v3 rules: partial versions ("3.20"),
 * x/X/* wildcards (missing parts are wildcards too), = != > < >= <= ~ ~> ^,
 * "a - b" ranges, "," or space for AND and "||" for OR. A prerelease version
 * only satisfies comparisons whose own version has a prerelease.
 */
import { FunctionError } from '../function.js';
import { T } from '../types.js';
import { argString, define, param, type FunctionTable } from './args.js';
import { goQuote } from '../../../golang/strconv.js';

interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly pre: string;
}

const VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** semver.NewVersion: missing minor/patch are 0; leading zeros are invalid in numbers. */
function parseVersion(text: string): Version | undefined {
  const m = VERSION.exec(text);
  if (!m) return undefined;
  const [, major = '', minor = '0', patch = '0', pre = ''] = m;
  if ([major, minor, patch].some((n) => n.length > 1 && n.startsWith('0'))) return undefined;
  if (pre.split('.').some((part) => /^0\d+$/.test(part))) return undefined;
  return { major: Number(major), minor: Number(minor), patch: Number(patch), pre };
}

/** Prerelease identifiers: numbers compare numerically and sort before words; a missing identifier sorts first. */
function comparePrereleasePart(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '') return -1;
  if (b === '') return 1;
  const aNumeric = /^\d+$/.test(a);
  const bNumeric = /^\d+$/.test(b);
  if (aNumeric && bNumeric) return Number(a) > Number(b) ? 1 : -1;
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  return a > b ? 1 : -1;
}

function comparePrerelease(a: string, b: string): number {
  const as = a.split('.');
  const bs = b.split('.');
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const d = comparePrereleasePart(as[i] ?? '', bs[i] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

function compare(a: Version, b: Version): number {
  for (const key of ['major', 'minor', 'patch'] as const) {
    if (a[key] !== b[key]) return a[key] > b[key] ? 1 : -1;
  }
  if (a.pre === b.pre) return 0;
  if (a.pre === '') return 1;
  if (b.pre === '') return -1;
  return comparePrerelease(a.pre, b.pre);
}

interface Comparison {
  readonly op: string;
  readonly check: Check;
  readonly version: Version;
  /** Which parts were wildcards (x, *, or missing). */
  readonly dirty: boolean;
  readonly minorDirty: boolean;
  readonly patchDirty: boolean;
}

type Check = (v: Version, c: Comparison) => boolean;

const tilde: Check = (v, c) => {
  if (compare(v, c.version) < 0) return false;
  const con = c.version;
  if (con.major === 0 && con.minor === 0 && con.patch === 0 && !c.minorDirty && !c.patchDirty) return true;
  return v.major === con.major && (v.minor === con.minor || c.minorDirty);
};

const equal: Check = (v, c) => (c.dirty ? tilde(v, c) : compare(v, c.version) === 0);
const greaterOrEqual: Check = (v, c) => compare(v, c.version) >= 0;

const lessOrEqual: Check = (v, c) => {
  const con = c.version;
  if (!c.dirty) return compare(v, con) <= 0;
  if (v.major !== con.major) return v.major < con.major;
  return v.minor <= con.minor || c.minorDirty;
};

const CHECKS: Readonly<Record<string, Check>> = {
  '': equal,
  '=': equal,
  '!=': (v, c) => {
    const con = c.version;
    if (c.dirty) {
      if (con.major !== v.major) return true;
      if (c.minorDirty) return false;
      if (con.minor !== v.minor) return true;
      if (c.patchDirty) return (v.pre !== '' || con.pre !== '') && comparePrerelease(v.pre, con.pre) !== 0;
      if (con.patch !== v.patch) return true;
    }
    return compare(v, con) !== 0;
  },
  '>': (v, c) => {
    const con = c.version;
    if (!c.dirty) return compare(v, con) > 0;
    if (v.major !== con.major) return v.major > con.major;
    if (c.minorDirty) return false; // >11 needs 12 or more
    if (c.patchDirty) return v.minor > con.minor; // >11.1 needs 11.2 or more
    return compare(v, con) > 0;
  },
  '<': (v, c) => compare(v, c.version) < 0,
  '>=': greaterOrEqual,
  '=>': greaterOrEqual,
  '<=': lessOrEqual,
  '=<': lessOrEqual,
  '~': tilde,
  '~>': tilde,
  '^': (v, c) => {
    const con = c.version;
    if (compare(v, con) < 0) return false;
    if (con.major > 0 || c.minorDirty) return v.major === con.major;
    if (con.minor > 0 || c.patchDirty) return v.minor === con.minor;
    return v.patch === con.patch;
  },
};

// Masterminds' constraint grammar, kept as its regular expressions so odd inputs parse the same way.
const OPS = '=||!=|>|<|>=|=>|<=|=<|~|~>|\\^';
const CV = 'v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?';
const RANGE = new RegExp(`\\s*(${CV})\\s+-\\s+(${CV})\\s*`, 'g');
const VALID_GROUP = new RegExp(`^(\\s*(${OPS})\\s*(${CV})\\s*,?)+$`);
const FIND_COMPARISON = new RegExp(`(${OPS})\\s*(${CV})`, 'g');
const ONE_COMPARISON = new RegExp(`^\\s*(${OPS})\\s*(${CV})\\s*$`);

const isWildcard = (part: string): boolean => part === 'x' || part === 'X' || part === '*';

function parseComparison(text: string): Comparison {
  const m = ONE_COMPARISON.exec(text);
  const check = m ? CHECKS[m[1] ?? ''] : undefined;
  if (!m || !check) throw new FunctionError(`improper constraint: ${text}`, 1);
  const [, op = '', written = '', major = '', minorPart = '', patchPart = '', pre = ''] = m;
  const minor = minorPart.slice(1);
  const patch = patchPart.slice(1);
  let normalized = written;
  let dirty = true;
  let minorDirty = false;
  let patchDirty = false;
  if (isWildcard(major) || major === '') normalized = `0.0.0${pre}`;
  else if (isWildcard(minor) || minor === '') [minorDirty, normalized] = [true, `${major}.0.0${pre}`];
  else if (isWildcard(patch) || patch === '') [patchDirty, normalized] = [true, `${major}.${minor}.0${pre}`];
  else dirty = false;
  const version = parseVersion(normalized);
  if (!version) throw new FunctionError('constraint parser error', 1);
  return { op, check, version, dirty, minorDirty, patchDirty };
}

/** Alternatives (||) of comparisons that must all hold. */
function parseConstraint(text: string): Comparison[][] {
  const rewritten = text.replace(RANGE, (_match, low: string, ...rest: string[]) => `>= ${low}, <= ${rest[9] ?? ''}`);
  return rewritten.split('||').map((group) => {
    if (!VALID_GROUP.test(group)) throw new FunctionError(`improper constraint: ${group}`, 1);
    return Array.from(group.matchAll(FIND_COMPARISON), (m) => parseComparison(m[0]));
  });
}

/** A prerelease only satisfies comparisons that mention a prerelease (Masterminds skips this for an exact "!="). */
function satisfies(v: Version, c: Comparison): boolean {
  if (v.pre !== '' && c.version.pre === '' && (c.op !== '!=' || c.dirty)) return false;
  return c.check(v, c);
}

function semvercmp(versionText: string, constraintText: string): boolean {
  const version = parseVersion(versionText);
  if (!version) throw new FunctionError(`failed to parse version ${goQuote(versionText)}: Invalid Semantic Version`, 0);
  return parseConstraint(constraintText).some((group) => group.every((c) => satisfies(version, c)));
}

export const SEMVER_FUNCTIONS: FunctionTable = {
  semvercmp: define([param('version', T.string), param('constraint', T.string)], (args) => semvercmp(argString(args, 0), argString(args, 1))),
};
