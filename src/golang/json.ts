/**
 * Go's encoding/json string encoding, as json.Marshal and json.MarshalIndent
 * write strings with their default HTML escaping: buildx's --print
 * (MarshalIndent), cty's jsonencode and format's %q (Marshal) all use it.
 */

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  // Go 1.22 and later write these two short forms instead of \u0008 and \u000c.
  '\b': '\\b',
  '\f': '\\f',
  // HTML escaping, on by default in Marshal and MarshalIndent.
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  // Valid JSON but not valid JavaScript, so Go always escapes them.
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

const NEEDS_WORK = /[\u0000-\u001f"\\<>&\u2028\u2029\ud800-\udfff]/;

/**
 * A string as Go's encoder writes it, quotes included. A lone surrogate
 * becomes U+FFFD written as itself: wherever Go reads one (a JSON `\ud800`
 * escape, through encoding/json's decoder) it already holds U+FFFD, which the
 * encoder writes raw; its `\ufffd` escape is only for invalid UTF-8 bytes,
 * which a JavaScript string cannot hold.
 */
export function goJsonString(s: string): string {
  if (!NEEDS_WORK.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const escaped = ESCAPES[ch];
    if (escaped !== undefined) out += escaped;
    else if (ch < ' ') out += `\\u${(ch.codePointAt(0) as number).toString(16).padStart(4, '0')}`;
    else if (ch.length === 1 && ch >= '\ud800' && ch <= '\udfff') out += '\ufffd';
    else out += ch;
  }
  return `${out}"`;
}
