/**
 * TOML bake files (@iarna/toml): the same schema as JSON, so
 * `[target.app]` with `tags = ["app:${TAG}"]` means what the JSON form means.
 * TOML values carry no positions, so each key is located by scanning the
 * table headers and key lines: errors point at the line that wrote the key.
 */
import TOML from '@iarna/toml';
import { bakeError, pos, SourceText, type SourceRange } from '../../core/diagnostics.js';
import type { File } from '../hcl/ast.js';
import { checkBracketNesting } from './bracket-nesting.js';
import { jsonToFile, valueToNode } from './json-body.js';

export function parseTomlBakeFile(filename: string, text: string): File {
  checkBracketNesting(new SourceText(filename, text), 'toml');
  let data: unknown;
  try {
    data = TOML.parse(text);
  } catch (e) {
    const err = e as { line?: number; col?: number; pos?: number; message: string };
    const line = (err.line ?? 0) + 1;
    const column = (err.col ?? 0) + 1;
    const p = pos(line, column, err.pos ?? 0);
    throw bakeError(
      'Invalid TOML',
      { filename, start: p, end: p },
      'Fix the TOML syntax at this position.',
      `failed to parse ${filename}: ${err.message.split('\n')[0] ?? ''}`,
    );
  }
  return jsonToFile(filename, valueToNode(data, locateKeys(filename, text)));
}

/** Key path → the line that defines it (the longest known prefix wins). */
function locateKeys(filename: string, text: string): (path: readonly string[]) => SourceRange {
  const lines = new Map<string, SourceRange>();
  let table: string[] = [];
  let offset = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const at = (key: string[]): void => {
      const start = pos(i + 1, raw.length - raw.trimStart().length + 1, offset);
      lines.set(key.join('\u0000'), { filename, start, end: pos(i + 1, raw.length + 1, offset + raw.length) });
    };
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?/.exec(line);
    if (header) {
      table = splitKey(header[1] as string);
      at(table);
    } else {
      const key = /^([A-Za-z0-9_."' -]+?)\s*=/.exec(line);
      if (key) at([...table, ...splitKey(key[1] as string)]);
    }
    offset += raw.length + 1;
  });
  const fallback: SourceRange = { filename, start: pos(1, 1, 0), end: pos(1, 1, 0) };
  return (path) => {
    for (let n = path.length; n > 0; n--) {
      const r = lines.get(path.slice(0, n).join('\u0000'));
      if (r) return r;
    }
    return fallback;
  };
}

/** `target."my.app".tags` → ["target", "my.app", "tags"]. */
function splitKey(key: string): string[] {
  return (key.match(/"[^"]*"|'[^']*'|[^.\s]+/g) ?? []).map((k) => k.replace(/^["']|["']$/g, ''));
}
