/**
 * mattn/go-shellwords' Parse as compose-go calls it on a `command` or
 * `entrypoint` string (no environment, no backticks): blanks split words,
 * quotes group them (backslash escapes inside double quotes and outside
 * quotes, `\n` and `\t` become newline and tab), and parsing stops at `;`,
 * `&`, `|`, `<` or `>` outside quotes. Returns undefined for an unclosed quote.
 */
export function parseShellwords(line: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let escaped = false;
  let single = false;
  let double = false;
  for (const ch of line) {
    if (escaped) {
      word += ch === 't' ? '\t' : ch === 'n' ? '\n' : ch;
      escaped = false;
      inWord = true;
      continue;
    }
    if (ch === '\\' && !single) {
      escaped = true;
      continue;
    }
    if (/[ \t\r\n]/.test(ch) && !single && !double) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    if (ch === '"' && !single) {
      double = !double;
      inWord = true;
      continue;
    }
    if (ch === "'" && !double) {
      single = !single;
      inWord = true;
      continue;
    }
    if (';&|<>'.includes(ch) && !single && !double) break;
    word += ch;
    inWord = true;
  }
  if (escaped || single || double) return undefined;
  if (inWord) words.push(word);
  return words;
}
