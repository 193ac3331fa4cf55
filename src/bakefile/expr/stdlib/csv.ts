/**
 * RFC 4180 records as Go's encoding/csv reads them (no lazy quotes, no
 * trimming): empty lines are skipped, "\r\n" ends a line like "\n", and
 * quoted fields may span lines.
 */

export class CsvError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const ERR_BARE_QUOTE = 'bare " in non-quoted-field';
const ERR_QUOTE = 'extraneous or missing " in quoted-field';
const ERR_FIELD_COUNT = 'wrong number of fields';

export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

/**
 * Splits text into lines that keep their "\n" (a final line may lack it),
 * folding "\r\n" to "\n" and dropping a "\r" just before the end, as Go does.
 */
function lines(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/[^\n]*\n|[^\n]+$/g)) {
    out.push(match[0].replace(/\r\n$|\r$/, (end) => (end.length === 2 ? '\n' : '')));
  }
  return out;
}

/**
 * Yields records lazily, so errors surface in the order Go's Reader reports
 * them. As with Go's default FieldsPerRecord, every record must have as many
 * fields as the first.
 */
export function* readCsv(text: string): Generator<CsvRecord> {
  const source = lines(text);
  let fieldCount: number | undefined;
  let index = 0;
  while (index < source.length) {
    const startLine = index + 1;
    let line = source[index++] ?? '';
    if (line === '\n') continue;
    const fields: string[] = [];
    let lineNo = startLine;
    for (;;) {
      if (!line.startsWith('"')) {
        const end = line.search(/[,\n]|$/);
        const field = line.slice(0, end);
        if (field.includes('"')) throw new CsvError(lineNo, ERR_BARE_QUOTE);
        fields.push(field);
        if (line[end] === ',') {
          line = line.slice(end + 1);
          continue;
        }
        break;
      }
      // Quoted field: runs to a closing quote that is not doubled, across lines if needed.
      let field = '';
      let rest = line.slice(1);
      for (;;) {
        const quote = rest.indexOf('"');
        if (quote >= 0) {
          field += rest.slice(0, quote);
          rest = rest.slice(quote + 1);
          if (rest.startsWith('"')) {
            field += '"';
            rest = rest.slice(1);
            continue;
          }
          break;
        }
        field += rest;
        const next = source[index];
        if (next === undefined) throw new CsvError(lineNo, ERR_QUOTE);
        index++;
        lineNo++;
        rest = next;
      }
      fields.push(field);
      if (rest.startsWith(',')) {
        line = rest.slice(1);
        continue;
      }
      if (rest === '' || rest === '\n') break;
      throw new CsvError(lineNo, ERR_QUOTE);
    }
    fieldCount ??= fields.length;
    if (fields.length !== fieldCount) throw new CsvError(startLine, ERR_FIELD_COUNT);
    yield { line: startLine, fields };
  }
}
