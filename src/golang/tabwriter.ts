/**
 * Go's text/tabwriter, for the tables bake prints: rows of cells, each cell
 * but a row's last padded to its column's width. A column is a block of
 * consecutive rows that have a cell in it (Go's elastic tabstops), so rows
 * of different lengths line up as they do in Go.
 */
import { eastAsianWidth } from 'get-east-asian-width';

export interface TabwriterOptions {
  /** Minimal cell width, padding included. */
  readonly minWidth: number;
  /** Width of a tab in the viewer: cells padded with tabs are rounded up to it. */
  readonly tabWidth: number;
  /** Added to the widest cell of a column. */
  readonly padding: number;
  readonly padChar: '\t' | ' ';
  /** The width of a cell's text in columns. */
  readonly width: (text: string) => number;
}

/** How buildx prints --list (tabwriter.NewWriter(w, 1, 8, 1, '\t', 0)): tabs, cells measured in runes, as Go does. */
export const BUILDX_LIST: TabwriterOptions = { minWidth: 1, tabWidth: 8, padding: 1, padChar: '\t', width: (text) => [...text].length };

/**
 * How the docker CLI prints its tables (formatter.go: NewWriter(out, 10, 1, 3, ' ', 0),
 * its tabwriter measuring with go-runewidth): spaces, so columns line up in
 * any viewer whatever its tab stops, and wide characters count two columns.
 */
export const DOCKER_TABLE: TabwriterOptions = { minWidth: 10, tabWidth: 1, padding: 3, padChar: ' ', width: displayWidth };

export function tabwrite(rows: readonly (readonly string[])[], options: TabwriterOptions = BUILDX_LIST): string {
  const out: string[] = [];
  const writeRows = (from: number, to: number, widths: readonly number[]): void => {
    for (let r = from; r < to; r++) {
      const row = rows[r] as readonly string[];
      let line = '';
      row.forEach((cell, c) => {
        line += cell;
        if (c < widths.length && c < row.length - 1) line += padding(options.width(cell), widths[c] as number, options);
      });
      out.push(`${line}\n`);
    }
  };
  // Go's format(): widths of the columns to the left are known; find the blocks of the next column, recursively.
  const format = (from: number, to: number, widths: number[]): void => {
    const column = widths.length;
    let written = from;
    for (let r = from; r < to; r++) {
      if (column >= (rows[r] as readonly string[]).length - 1) continue;
      writeRows(written, r, widths);
      const blockStart = r;
      let width = options.minWidth;
      for (; r < to && column < (rows[r] as readonly string[]).length - 1; r++)
        width = Math.max(width, options.width((rows[r] as readonly string[])[column] as string) + options.padding);
      format(blockStart, r, [...widths, width]);
      written = r;
    }
    writeRows(written, to, widths);
  };
  format(0, rows.length, []);
  return out.join('');
}

/** Go's writePadding: with tabs, the cell is rounded up to whole tabs. */
function padding(textWidth: number, cellWidth: number, options: TabwriterOptions): string {
  if (options.padChar === ' ') return ' '.repeat(cellWidth - textWidth);
  const rounded = Math.ceil(cellWidth / options.tabWidth) * options.tabWidth;
  return '\t'.repeat(Math.ceil((rounded - textWidth) / options.tabWidth));
}

/** Columns a terminal gives `text`: East Asian wide and fullwidth characters two, combining marks and format characters none. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    if (/[\p{Mn}\p{Me}\p{Cf}\p{Cc}]/u.test(char)) continue;
    width += eastAsianWidth(char.codePointAt(0) as number);
  }
  return width;
}
