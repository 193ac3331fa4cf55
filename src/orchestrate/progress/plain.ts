/** `--progress plain`: buildx's plain progress, each step numbered once, its logs and transfers prefixed with `#N`, then DONE, CACHED or ERROR. */
import type { DirStats } from '../../buildkit/session/index.js';
import type { ProgressEvent } from '../../core/progress.js';
import type { TargetLines, Write } from './lines.js';
import { bytes, errorText } from './text.js';

/** With `debug`, the session's counters per directory; else the context's only (bench/ and the tests read that line). */
export function plainLines(write: Write, debug: boolean): TargetLines {
  const numbers = new Map<string, number>();
  const names = new Map<string, string>();
  const starts = new Map<string, number>();
  const finished = new Set<string>();
  let current: string | undefined;
  const header = (id: string): string => {
    let n = numbers.get(id);
    if (n === undefined) {
      n = numbers.size + 1;
      numbers.set(id, n);
    }
    if (current !== id) {
      if (current !== undefined) write('\n');
      current = id;
      write(`#${n} ${names.get(id) ?? id}\n`);
    }
    return `#${n}`;
  };
  /** Ends the current step's block with a blank line, as buildx does. */
  const close = (): void => {
    if (current !== undefined) write('\n');
    current = undefined;
  };
  const seconds = (ms: number): string => (ms / 1000).toFixed(1);
  const sink = (e: ProgressEvent): void => {
    switch (e.kind) {
      case 'vertex': {
        names.set(e.id, e.name);
        if (e.started !== undefined && !starts.has(e.id)) starts.set(e.id, e.started);
        if (finished.has(e.id)) return;
        if (e.cached) {
          write(`${header(e.id)} CACHED\n`);
          finished.add(e.id);
        } else if (e.error) {
          write(`${header(e.id)} ERROR: ${e.error}\n`);
          finished.add(e.id);
        } else if (e.completed !== undefined) {
          write(`${header(e.id)} DONE ${seconds(e.completed - (e.started ?? e.completed))}s\n`);
          finished.add(e.id);
        } else if (e.started !== undefined) header(e.id);
        return;
      }
      case 'status':
        if (e.completed !== undefined) write(`${header(e.vertex)} ${e.id} ${bytes(e.current)} done\n`);
        return;
      case 'log': {
        const at = seconds(Math.max(0, e.time - (starts.get(e.vertex) ?? e.time)));
        const prefix = header(e.vertex);
        for (const line of e.text.replace(/\n$/, '').split('\n')) write(`${prefix} ${at} ${line}\n`);
        return;
      }
      case 'warning':
        write(`${header(e.vertex)} WARNING: ${e.message}\n`);
        return;
      case 'error':
        write(errorText(e, names));
    }
  };
  const line = (what: string, d: DirStats): string => `sent ${what} ${d.files} entries, ${d.requests} files requested, ${d.bytes} bytes\n`;
  return {
    sink,
    sent: (sent) => {
      close();
      write(line('context:', sent.context) + (debug ? line('dockerfile dir:', sent.dockerfile) : ''));
    },
    failed: (e) => {
      close();
      write(errorText(e, names));
    },
  };
}
