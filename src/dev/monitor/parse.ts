/**
 * The monitor's command line: words split as a shell splits them (quotes and
 * backslashes, nothing expanded: `exec` runs its command without a shell),
 * then checked against the commands of product §4.
 */
import { UserError } from '../../core/errors.js';
import { nameSuggestion } from '../../core/suggest.js';

/** A monitor command, checked. */
export type MonitorCommand =
  | { readonly kind: 'ps' }
  | { readonly kind: 'attach'; readonly target: string }
  /** `service` undefined: the service of the attached process. */
  | { readonly kind: 'exec'; readonly service: string | undefined; readonly command: readonly string[] }
  | { readonly kind: 'logs'; readonly service: string; readonly follow: boolean }
  | { readonly kind: 'restart' | 'start' | 'stop-service'; readonly service: string }
  /** `targets` empty: what the session's services use. */
  | { readonly kind: 'rebuild'; readonly targets: readonly string[] }
  /** `service` undefined: the service of the attached process. */
  | { readonly kind: 'rollback'; readonly service: string | undefined }
  | { readonly kind: 'sessions' }
  | { readonly kind: 'switch'; readonly session: string }
  /** `detach` and `exit`. */
  | { readonly kind: 'detach' }
  /** `stop` without a service: end the session. */
  | { readonly kind: 'stop' }
  | { readonly kind: 'help' };

/** A monitor line bake cannot act on (not a command, or naming what is not there): one sentence that says what to do. */
export class MonitorUsageError extends UserError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'MonitorUsageError';
  }
}

/** The `help` text: one line per command. */
export const MONITOR_HELP = `ps                         processes of this session
attach ID|SERVICE          switch the terminal to that process
exec [SERVICE] CMD...      start CMD (with a terminal) in a service and switch to it
logs SERVICE [-f]          a service's output; -f follows it
restart|stop|start SERVICE restart, stop or start one service
rebuild [TARGET...]        build again and recreate the services whose image changed
rollback [SERVICE]         recreate a service's container from its image, dropping changes made inside
sessions                   the other sessions of this server
switch SESSION             attach to another session
detach (also exit)         leave the session running and quit
stop                       end the session: stop and remove its containers
help                       this list
`;

type Parser = (words: readonly string[], services: readonly string[]) => MonitorCommand;

const COMMANDS: Readonly<Record<string, Parser>> = {
  ps: (w) => noArguments('ps', w, { kind: 'ps' }),
  attach: (w) => ({ kind: 'attach', target: one(w, 'attach needs a process id or a service name, e.g. attach dev') }),
  exec: parseExec,
  logs: parseLogs,
  restart: (w) => ({ kind: 'restart', service: one(w, 'restart needs a service name, e.g. restart api') }),
  start: (w) => ({ kind: 'start', service: one(w, 'start needs a service name, e.g. start api') }),
  stop: (w) =>
    w.length === 0 ? { kind: 'stop' } : { kind: 'stop-service', service: one(w, 'stop takes one service name (e.g. stop api), or none to end the session') },
  rebuild: (w) => ({ kind: 'rebuild', targets: [...w] }),
  rollback: (w) => ({ kind: 'rollback', service: w.length === 0 ? undefined : one(w, 'rollback takes one service name at most, e.g. rollback api') }),
  sessions: (w) => noArguments('sessions', w, { kind: 'sessions' }),
  switch: (w) => ({ kind: 'switch', session: one(w, 'switch needs a session id, e.g. switch shop-1a2b3c (sessions lists them)') }),
  detach: (w) => noArguments('detach', w, { kind: 'detach' }),
  exit: (w) => noArguments('exit', w, { kind: 'detach' }),
  help: (w) => noArguments('help', w, { kind: 'help' }),
};

/**
 * Parses one monitor line. `services` are the session's service names: they
 * tell `exec api sh` (in api) from `exec sh` (in the attached service).
 * Throws MonitorUsageError for anything else.
 */
export function parseMonitorLine(line: string, services: readonly string[]): MonitorCommand | { readonly kind: 'empty' } {
  const [name, ...rest] = splitWords(line);
  if (name === undefined) return { kind: 'empty' };
  const parser = COMMANDS[name];
  if (parser === undefined) {
    const suggestion = nameSuggestion(name, Object.keys(COMMANDS));
    throw new MonitorUsageError(`unknown command ${JSON.stringify(name)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; type help for the list`);
  }
  return parser(rest, services);
}

function parseExec(words: readonly string[], services: readonly string[]): MonitorCommand {
  const [first, ...rest] = words;
  if (first === undefined) throw new MonitorUsageError('exec needs a command, e.g. exec sh, or exec api sh to run it in api');
  // A leading `--` runs a command named like a service in the attached service.
  if (first === '--' || !services.includes(first)) {
    const command = first === '--' ? rest : words;
    if (command.length === 0) throw new MonitorUsageError('exec needs a command after --, e.g. exec -- sh');
    return { kind: 'exec', service: undefined, command };
  }
  if (rest.length === 0) throw new MonitorUsageError(`exec needs a command to run in ${first}, e.g. exec ${first} sh`);
  return { kind: 'exec', service: first, command: rest };
}

function parseLogs(words: readonly string[]): MonitorCommand {
  const follow = words.some((w) => w === '-f' || w === '--follow');
  const others = words.filter((w) => w !== '-f' && w !== '--follow');
  const flag = others.find((w) => w.startsWith('-'));
  if (flag !== undefined) throw new MonitorUsageError(`logs has no option ${flag}; it takes -f (--follow) to follow the output`);
  return { kind: 'logs', service: one(others, 'logs needs a service name, e.g. logs api or logs api -f'), follow };
}

/** The one argument of a command; `usage` is the error for none or more. */
function one(words: readonly string[], usage: string): string {
  if (words.length !== 1) throw new MonitorUsageError(usage);
  return words[0] as string;
}

function noArguments(name: string, words: readonly string[], command: MonitorCommand): MonitorCommand {
  if (words.length > 0) throw new MonitorUsageError(`${name} takes no arguments`);
  return command;
}

/**
 * Splits a line into words as a POSIX shell does, without expanding
 * anything: whitespace separates words, '…' keeps everything, "…" keeps
 * everything but \", \\, \$ and \`, and a backslash outside quotes keeps the next character.
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
