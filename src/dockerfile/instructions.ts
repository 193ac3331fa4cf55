/**
 * A Dockerfile read as the frontend's parser reads it, for the rewrites bake
 * serves (links.ts, secret-mounts.ts) and the context paths it reads
 * (context-paths.ts): the `# escape=` directive,
 * continuations (with comment and blank lines inside), heredoc bodies (never
 * read as instructions), keywords in any case. Edits keep every line in its
 * place, so error line numbers still match the user's file.
 */

export interface Edit {
  readonly line: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** A whitespace-separated word of an instruction, where it stands in the file. */
export interface Word {
  readonly line: number;
  readonly start: number;
  readonly text: string;
}

export interface Instruction {
  readonly keyword: string;
  /** Its words (the keyword first), continuation characters left out. */
  readonly words: readonly Word[];
  readonly start: number;
  /** Its last line, heredoc bodies included. */
  readonly end: number;
}

/** Comment and blank lines: the parser drops them, also inside a continued instruction. */
export const SKIPPED = /^\s*(#|$)/;

/** The `# escape=` parser directive: directives are the comment lines that open the file. */
export function escapeChar(lines: readonly string[]): string {
  for (const line of lines) {
    const d = /^\s*#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/.exec(line);
    if (!d) break;
    if (d[1]?.toLowerCase() === 'escape' && (d[2] === '`' || d[2] === '\\')) return d[2];
  }
  return '\\';
}

export function splitInstructions(lines: readonly string[], escape: string): Instruction[] {
  const continued = new RegExp(`${escape === '\\' ? '\\\\' : escape}[ \\t\\r]*$`);
  const out: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (SKIPPED.test(lines[i] as string)) continue;
    const words: Word[] = [];
    let last: number;
    for (let l = i; ;) {
      const content = (lines[l] as string).replace(continued, '');
      for (const m of content.matchAll(/\S+/g)) words.push({ line: l, start: m.index, text: m[0] });
      last = l;
      if (content === lines[l]) break;
      do l++;
      while (l < lines.length && SKIPPED.test(lines[l] as string));
      if (l >= lines.length) break;
    }
    const keyword = (words[0]?.text ?? '').toUpperCase();
    // Heredocs (`<<EOF`, `<<-"EOF"`) of RUN, COPY and ADD: their bodies follow the instruction, each up to its delimiter line.
    if (keyword === 'RUN' || keyword === 'COPY' || keyword === 'ADD') {
      for (const w of words) {
        const h = /^<<(-?)(["']?)(\w+)\2$/.exec(w.text);
        if (!h) continue;
        do last++;
        while (last < lines.length - 1 && (lines[last] as string).replace(h[1] ? /^\t+/ : /^/, '').replace(/\r$/, '') !== h[3]);
      }
    }
    out.push({ keyword, words, start: i, end: Math.min(last, lines.length - 1) });
    i = last;
  }
  return out;
}

/** The flags of an instruction: the `--name=value` words right after its keyword. */
export function flags(ins: Instruction): Word[] {
  const end = ins.words.findIndex((w, k) => k > 0 && !w.text.startsWith('--'));
  return ins.words.slice(1, end < 0 ? undefined : end);
}

/** The lines with the edits made, right to left so that earlier offsets stay true. */
export function applyEdits(lines: readonly string[], edits: readonly Edit[]): string {
  const out = [...lines];
  const ordered = [...edits].sort((a, b) => b.line - a.line || b.start - a.start);
  for (const e of ordered) out[e.line] = `${(out[e.line] as string).slice(0, e.start)}${e.text}${(out[e.line] as string).slice(e.end)}`;
  return out.join('\n');
}
