/**
 * Go's unicode.IsSpace and the strings functions built on it (TrimSpace,
 * TrimLeftFunc/TrimRightFunc with IsSpace, Fields): HCL's strip markers and
 * heredocs, cty's trimspace and title, compose's .env files, buildx's entry
 * keys and x-bake string lists all trim or split with this set, which
 * differs from String.prototype.trim's (no U+FEFF, adds U+0085).
 */

/** unicode.IsSpace of a UTF-16 code unit (every space is in the BMP, no surrogate is one). */
export function isGoSpace(c: number): boolean {
  if (c <= 0xff) return c === 32 || (c >= 9 && c <= 13) || c === 0x85 || c === 0xa0;
  return c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** strings.TrimLeftFunc(s, unicode.IsSpace). */
export function goTrimLeftSpace(s: string): string {
  let k = 0;
  while (k < s.length && isGoSpace(s.charCodeAt(k))) k++;
  return s.slice(k);
}

/** strings.TrimRightFunc(s, unicode.IsSpace). */
export function goTrimRightSpace(s: string): string {
  let k = s.length;
  while (k > 0 && isGoSpace(s.charCodeAt(k - 1))) k--;
  return s.slice(0, k);
}

/** strings.TrimSpace. */
export function goTrimSpace(s: string): string {
  return goTrimRightSpace(goTrimLeftSpace(s));
}

/** strings.Fields: the runs of non-space characters. */
export function goFields(s: string): string[] {
  const fields: string[] = [];
  let start = -1;
  for (let k = 0; k <= s.length; k++) {
    const space = k === s.length || isGoSpace(s.charCodeAt(k));
    if (space && start >= 0) {
      fields.push(s.slice(start, k));
      start = -1;
    } else if (!space && start < 0) start = k;
  }
  return fields;
}
