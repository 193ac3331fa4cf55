/**
 * The one-line CSV splitter buildx uses for entry values
 * (github.com/tonistiigi/go-csvvalue, default parser: `,` separator, strict
 * quotes, no space trimming). Errors carry encoding/csv's wording, with the
 * column counted in UTF-8 bytes as Go counts it.
 */
import { EntryError } from './errors.js';

const BARE_QUOTE = 'bare " in non-quoted-field';
const EXTRANEOUS_QUOTE = 'extraneous or missing " in quoted-field';

/** Splits `text` into its fields; `a,"b,c"` gives `a` and `b,c`, and `""` inside quotes is one `"`. */
export function parseCsvFields(text: string): string[] {
  // A trailing newline is tolerated, as csvvalue does for encoding/csv compatibility.
  const line = text.replace(/\r?\n$/, '');
  // csvvalue reports an empty value as io.EOF, whose message is just "EOF".
  if (line === '') throw new EntryError('EOF');

  const fields: string[] = [];
  let pos = 0;
  for (;;) {
    if (line[pos] !== '"') {
      const comma = line.indexOf(',', pos);
      const field = comma >= 0 ? line.slice(pos, comma) : line.slice(pos);
      const quote = field.indexOf('"');
      if (quote >= 0) throw parseError(line, pos + quote, BARE_QUOTE);
      fields.push(field);
      if (comma < 0) return fields;
      pos = comma + 1;
      continue;
    }
    // A quoted field: runs to the closing quote, where `""` stands for one quote.
    pos += 1;
    let field = '';
    for (;;) {
      const quote = line.indexOf('"', pos);
      if (quote < 0) throw parseError(line, pos, EXTRANEOUS_QUOTE);
      field += line.slice(pos, quote);
      pos = quote + 1;
      if (line[pos] === '"') {
        field += '"';
        pos += 1;
      } else if (line[pos] === ',') {
        fields.push(field);
        pos += 1;
        break;
      } else if (pos === line.length) {
        fields.push(field);
        return fields;
      } else {
        throw parseError(line, pos - 1, EXTRANEOUS_QUOTE);
      }
    }
  }
}

/** csv.ParseError's message; Go's column is the 1-based UTF-8 byte offset. */
function parseError(line: string, index: number, reason: string): EntryError {
  const column = Buffer.byteLength(line.slice(0, index), 'utf8') + 1;
  return new EntryError(`parse error on line 1, column ${column}: ${reason}`);
}
