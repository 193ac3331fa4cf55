/**
 * How errors read: the one place that writes `error: …`, the code frame and
 * the `  = fix: …` line.
 */
import { BakeFileError, messageOf, type Diagnostic } from './diagnostics.js';
import { UserError } from './errors.js';

/** Maps a file name to its text, so code frames can be drawn after parsing. */
export type SourceTexts = ReadonlyMap<string, string>;

const FIX_LINE = '  = fix: ';

/**
 * Renders a diagnostic the way the CLI prints it:
 *
 *   error: <summary>: <detail>
 *     --> docker-bake.hcl:3:11
 *      |
 *    3 |   tags = [foo]
 *      |           ^^^
 *      = fix: <fix>
 */
export function renderDiagnostic(d: Diagnostic, sources: SourceTexts, color = false): string {
  const paint = (code: string, s: string): string => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const head = d.severity === 'error' ? paint('1;31', 'error') : paint('1;33', 'warning');
  const lines = [`${head}: ${messageOf(d)}`];
  if (d.range) {
    const r = d.range;
    lines.push(`  --> ${r.filename}:${r.start.line}:${r.start.column}`);
    const text = sources.get(r.filename);
    const srcLine = text?.split('\n')[r.start.line - 1];
    if (srcLine !== undefined) {
      const gutter = String(r.start.line).length;
      const pad = ' '.repeat(gutter);
      const shown = srcLine.replace(/\t/g, ' ').replace(/\r$/, '');
      const width = r.end.line === r.start.line ? Math.max(1, r.end.column - r.start.column) : Math.max(1, shown.length - r.start.column + 1);
      lines.push(`${pad} |`);
      lines.push(`${r.start.line} | ${shown}`);
      lines.push(`${pad} | ${' '.repeat(r.start.column - 1)}${paint('1;31', '^'.repeat(width))}`);
    }
  }
  if (d.fix) lines.push(`${FIX_LINE}${d.fix}`);
  return lines.join('\n');
}

/** Any error as the user reads it: a bake file's with its code frames, a user error with its fix, else its message alone (main() adds that it is a bug). */
export function renderError(e: unknown, sources: SourceTexts, color = false): string {
  return diagnosticsOf(e)
    .map((d) => renderDiagnostic(d, sources, color))
    .join('\n');
}

function diagnosticsOf(e: unknown): readonly Diagnostic[] {
  if (e instanceof BakeFileError) return e.diagnostics;
  if (e instanceof UserError) return [{ severity: 'error', summary: e.message, ...(e.fix ? { fix: e.fix } : {}) }];
  return [{ severity: 'error', summary: e instanceof Error ? e.message : String(e) }];
}
