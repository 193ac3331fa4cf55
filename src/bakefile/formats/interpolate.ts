/**
 * Compose variable interpolation, as compose-go v2's template package does it
 * (template/template.go): `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`, nested
 * templates inside the default/alt/error text, and `$$` for a literal `$`.
 *
 * The quirks are kept on purpose, because `bake --print` must match buildx:
 * the braced form matches greedily up to the last `}` of the line and is then
 * cut at the brace that closes the first `${`; default and error texts are
 * interpolated even when they are not used (so a nested `${X:?}` fails
 * anyway); a `$` followed by anything but a name, `{` or `$` stays literal,
 * while a `${` that does not form a template is an error.
 */
import { bakeError, type SourceRange } from '../../core/diagnostics.js';
import { goQuote } from '../../golang/strconv.js';

/** Looks a variable up; `undefined` means unset (an empty string is set). */
export type Lookup = (name: string) => string | undefined;

/** Where a template comes from, for error messages: its source range and its compose path (`services.app.image`). */
export interface InterpolationSite {
  readonly range?: SourceRange;
  readonly path?: string;
}

/*
 * compose-go's pattern: `$` then `$` (escaped), a name, `{name[op rest]}`
 * (braced), or a bare `{` (invalid). Go's `.` stops at a newline, as here.
 */
const PATTERN = /\$(?:(\$)|([_a-zA-Z][_a-zA-Z0-9]*)|\{(?:([_a-zA-Z][_a-zA-Z0-9]*(?::?[-+?].*)?)\}|()))/g;
const BRACED = /^\$\{([_a-zA-Z][_a-zA-Z0-9]*)(:?)([-+?]?)([^]*)\}$/;

/**
 * How many templates deep (inside a default, or after another in the same
 * text) substitution goes. compose-go recurses without a limit; bake stops
 * with an error of the compose file before its stack runs out (issue 14).
 */
export const MAX_TEMPLATE_DEPTH = 1000;

/** What went wrong, before it is worded for a site. */
type Failure =
  | { readonly kind: 'invalid'; readonly template: string }
  | { readonly kind: 'required'; readonly name: string; readonly reason: string }
  | { readonly kind: 'tooDeep' };

class InterpolationFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.kind);
  }
}

/**
 * Substitutes variables in `template`. Throws a BakeFileError worded as
 * compose words it (`required variable X is missing a value: msg`, `invalid
 * interpolation format for <path>`), pointing at `site.range`.
 */
export function interpolate(template: string, lookup: Lookup, site: InterpolationSite = {}): string {
  try {
    return substitute(template, lookup);
  } catch (e) {
    if (e instanceof InterpolationFailure) throw siteError(e.failure, site);
    throw e;
  }
}

function siteError(failure: Failure, site: InterpolationSite): Error {
  if (failure.kind === 'tooDeep') {
    const where = site.path === undefined ? '' : ` in ${site.path}`;
    return bakeError(
      `Templates nested too deep${where}`,
      site.range,
      'Flatten the defaults, for example by setting the variable in .env.',
      `More than ${MAX_TEMPLATE_DEPTH} \${...} templates inside or after one another.`,
    );
  }
  if (failure.kind === 'invalid') {
    const summary = site.path === undefined ? `Invalid template: ${goQuote(failure.template)}` : `invalid interpolation format for ${site.path}`;
    return bakeError(summary, site.range, 'You may need to escape any $ with another $.', site.path === undefined ? undefined : failure.template);
  }
  const missing = `required variable ${failure.name} is missing a value${failure.reason === '' ? '' : `: ${failure.reason}`}`;
  const summary = site.path === undefined ? missing : `error while interpolating ${site.path}: ${missing}`;
  return bakeError(summary, site.range, `Set ${failure.name} in the environment or in .env, or give it a default with \${${failure.name}:-default}.`);
}

/** compose-go's Substitute: every match of the pattern replaced, the first failure thrown. */
function substitute(template: string, lookup: Lookup, depth = 0): string {
  if (depth > MAX_TEMPLATE_DEPTH) throw new InterpolationFailure({ kind: 'tooDeep' });
  let out = '';
  let last = 0;
  for (const match of template.matchAll(PATTERN)) {
    out += template.slice(last, match.index) + replacement(match[0], template, lookup, depth);
    last = match.index + match[0].length;
  }
  return out + template.slice(last);
}

function replacement(matched: string, template: string, lookup: Lookup, depth: number): string {
  if (matched === '$$') return '$';
  if (!matched.startsWith('${')) return lookup(matched.slice(1)) ?? '';
  const close = firstBraceClosingIndex(matched);
  const head = close < 0 ? matched : matched.slice(0, close + 1);
  const rest = close < 0 ? '' : matched.slice(close + 1);
  const braced = BRACED.exec(head);
  if (!braced) throw new InterpolationFailure({ kind: 'invalid', template });
  const [, name = '', colon = '', op = '', arg = ''] = braced;
  // Without an operator the greedy part of the pattern never ran, so there is no rest.
  if (op === '') return lookup(name) ?? '';
  return applyOperator(name, colon === ':', op, arg, lookup, depth) + substitute(rest, lookup, depth + 1);
}

/** `${name<op>arg}`: `-` default, `+` alternative, `?` required; `:` also treats an empty value as unset. */
function applyOperator(name: string, colon: boolean, op: string, arg: string, lookup: Lookup, depth: number): string {
  const text = substitute(arg, lookup, depth + 1);
  const value = lookup(name);
  const present = value !== undefined && !(colon && value === '');
  switch (op) {
    case '-':
      return present ? value : text;
    case '+':
      return present ? text : (value ?? '');
    default:
      if (!present) throw new InterpolationFailure({ kind: 'required', name, reason: text });
      return value;
  }
}

/**
 * compose-go's getFirstBraceClosingIndex: counts every `{` (skipping the
 * character after it) against `}` and returns where the count first drops
 * back to zero, or -1.
 */
function firstBraceClosingIndex(s: string): number {
  let open = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '}') {
      open--;
      if (open === 0) return i;
    }
    if (s[i] === '{') {
      open++;
      i++;
    }
  }
  return -1;
}
