import type { SourceRange } from '../../core/diagnostics.js';

/** hcl.Range's String(), as HCL's messages name a place: `file:line,col-col` or `file:line,col-line,col`. */
export function rangeText(r: SourceRange): string {
  const end = r.start.line === r.end.line ? `${r.end.column}` : `${r.end.line},${r.end.column}`;
  return `${r.filename}:${r.start.line},${r.start.column}-${end}`;
}
