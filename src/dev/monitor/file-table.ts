/**
 * The monitor's `ls` table, as `ls -l` prints one: mode string, size,
 * modification time, name (`-> target` for a symlink), one entry a line.
 */
import type { FileEntry } from '../process/files.js';

/** The type letter of each S_IFMT value, as ls -l writes it. */
const TYPE_LETTERS: Readonly<Record<number, string>> = {
  0o140000: 's',
  0o120000: 'l',
  0o100000: '-',
  0o060000: 'b',
  0o040000: 'd',
  0o020000: 'c',
  0o010000: 'p',
};

/** `drwxr-xr-x`, `-rwsr-xr-x`, `drwxrwxrwt`: a Unix mode as ls -l shows it. */
export function modeString(mode: number): string {
  const bit = (b: number): boolean => (mode & b) !== 0;
  // Each triplet's x becomes s/t when its special bit is set (S when set without x).
  const triplet = (shift: number, special: number, letter: string): string => {
    const x = bit(1 << shift);
    const exec = bit(special) ? (x ? letter : letter.toUpperCase()) : x ? 'x' : '-';
    return `${bit(4 << shift) ? 'r' : '-'}${bit(2 << shift) ? 'w' : '-'}${exec}`;
  };
  return `${TYPE_LETTERS[mode & 0o170000] ?? '?'}${triplet(6, 0o4000, 's')}${triplet(3, 0o2000, 's')}${triplet(0, 0o1000, 't')}`;
}

/**
 * The table. `utcOffset` gives the local time zone's offset from UTC in
 * minutes at a moment (the server passes its own; tests a fixed one).
 */
export function formatFileTable(entries: readonly FileEntry[], utcOffset: (ms: number) => number): string {
  const sizeWidth = Math.max(0, ...entries.map((e) => String(e.size).length));
  return entries
    .map((e) => {
      const name = e.linkTarget === undefined ? e.name : `${e.name} -> ${e.linkTarget}`;
      return `${modeString(e.mode)}  ${String(e.size).padStart(sizeWidth)}  ${formatModified(e.modified, utcOffset)}  ${name}\n`;
    })
    .join('');
}

/** `2026-12-06 21:30` in local time; `-` (as wide) when the source does not say. */
function formatModified(ms: number | undefined, utcOffset: (ms: number) => number): string {
  if (ms === undefined || Number.isNaN(ms)) return '-'.padEnd(16);
  return new Date(ms + utcOffset(ms) * 60_000).toISOString().slice(0, 16).replace('T', ' ');
}
