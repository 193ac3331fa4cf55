/**
 * The monitor's command line: words split as a shell splits them (quotes and
 * backslashes, nothing expanded: `exec` runs its command without a shell),
 * then read by the command the first word names (registry.ts).
 */
import { nameSuggestion } from '../../core/suggest.js';
import { MONITOR_COMMANDS, type MonitorCommand } from './registry.js';
import { MonitorUsageError } from './usage-error.js';

/** Every name a command answers to, once each. */
const NAMES = [...new Set(MONITOR_COMMANDS.flatMap((c) => c.names))];

/**
 * Parses one monitor line. `services` are the session's service names: they
 * tell `exec api sh` (in api) from `exec sh` (in the attached service).
 * Throws MonitorUsageError for anything else.
 */
export function parseMonitorLine(line: string, services: readonly string[]): MonitorCommand | { readonly kind: 'empty' } {
  const [name, ...rest] = splitWords(line);
  if (name === undefined) return { kind: 'empty' };
  for (const definition of MONITOR_COMMANDS) {
    if (!definition.names.some((n) => n === name)) continue;
    const command = definition.parse(rest, services, name);
    if (command !== undefined) return command;
  }
  const suggestion = nameSuggestion(name, NAMES);
  throw new MonitorUsageError(`unknown command ${JSON.stringify(name)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; type help for the list`);
}

/**
 * Splits a line into words as a POSIX shell does, without expanding
 * anything: whitespace separates words, '…' keeps everything, "…" keeps
 * everything but \", \\, \$ and \`, and a backslash outside quotes keeps the next character.
 * Not golang/shellwords.ts (go-shellwords, for compose's `command:` strings),
 * on purpose: that one stops at an unquoted `;`, `&`, `|`, `<` or `>` and
 * turns `\n` into a newline, where the monitor keeps every word typed.
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === '\\') {
      // A trailing backslash stays itself.
      word += line[i + 1] ?? '\\';
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new MonitorUsageError("the line has a ' without its closing '");
      word += line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        const next = line[i + 1];
        if (line[i] === '\\' && next !== undefined && '"\\$`'.includes(next)) i++;
        word += line.charAt(i);
        i++;
      }
      if (i >= line.length) throw new MonitorUsageError('the line has a " without its closing "');
    } else {
      word += c;
    }
  }
  if (inWord) words.push(word);
  return words;
}
