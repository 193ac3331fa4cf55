/**
 * Go's text/tabwriter as buildx configures it for lists (minwidth 1,
 * tabwidth 8, padding 1, padded with tabs), so tables line up the same way.
 */
const TAB_WIDTH = 8;
const PADDING = 1;

export function tabwrite(rows: readonly (readonly string[])[]): string {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths: number[] = [];
  for (let c = 0; c < columns - 1; c++) {
    const w = Math.max(1, ...rows.map((r) => [...(r[c] ?? '')].length)) + PADDING;
    widths.push(Math.ceil(w / TAB_WIDTH) * TAB_WIDTH);
  }
  return rows
    .map((row) =>
      row
        .map((cell, c) => {
          if (c === row.length - 1) return cell;
          const pad = (widths[c] as number) - [...cell].length;
          return cell + '\t'.repeat(Math.ceil(pad / TAB_WIDTH));
        })
        .join(''),
    )
    .map((line) => `${line}\n`)
    .join('');
}
