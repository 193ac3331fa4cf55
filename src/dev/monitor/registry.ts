/**
 * The monitor's commands (product.md §4), each defined once: the words that
 * name it, how its arguments are read and checked, its line in `help`, and
 * where it runs. The parser, `help`, the client's dispatch
 * (client/monitor-commands.ts) and the server's (server/commands.ts) all
 * read this list. What a command does lives beside its side's other code,
 * in a table keyed by the command whose type makes it cover every command
 * of that side: this folder stays pure, so neither side loads the other's
 * code (the server's sessions and engine, the client's terminal).
 */
import { goJoin } from '../../golang/path.js';
import { MonitorUsageError } from './usage-error.js';

/**
 * One end of a `cp`: a path in a container (`service` undefined: the
 * attached process's), or on the host (the client sends it absolute).
 */
export type CopyEnd =
  { readonly in: 'container'; readonly service: string | undefined; readonly path: string } | { readonly in: 'host'; readonly path: string };

/** A monitor command, checked. */
export type MonitorCommand =
  | { readonly kind: 'ps' }
  | { readonly kind: 'attach'; readonly target: string }
  /** `service` undefined: the service of the attached process. */
  | { readonly kind: 'exec'; readonly service: string | undefined; readonly command: readonly string[] }
  | { readonly kind: 'logs'; readonly service: string; readonly follow: boolean }
  /** `ls`, `cat`: `path` absolute, in the attached process's container. */
  | { readonly kind: 'ls'; readonly path: string }
  | { readonly kind: 'cat'; readonly path: string }
  | { readonly kind: 'cp'; readonly from: CopyEnd; readonly to: CopyEnd }
  | { readonly kind: 'restart'; readonly service: string }
  | { readonly kind: 'start'; readonly service: string }
  /** `stop SERVICE`. */
  | { readonly kind: 'stop-service'; readonly service: string }
  /** `targets` empty: what the session's services use. */
  | { readonly kind: 'rebuild'; readonly targets: readonly string[] }
  /** `watch on|off`; `state` undefined: say what is watched. */
  | { readonly kind: 'watch'; readonly state: 'on' | 'off' | undefined }
  /** `service` undefined: the service of the attached process; `init`: a failed build step's state before it (build debugging). */
  | { readonly kind: 'rollback'; readonly service: string | undefined; readonly init: boolean }
  /** Build debugging: build again with the current sources and open the shells again. */
  | { readonly kind: 'reload' }
  | { readonly kind: 'continue' }
  /** Build debugging: what failed, where and how. */
  | { readonly kind: 'failures' }
  | { readonly kind: 'sessions' }
  | { readonly kind: 'switch'; readonly session: string }
  /** `detach` and `exit`. */
  | { readonly kind: 'detach' }
  /** `stop` without a service: end the session. */
  | { readonly kind: 'stop' }
  | { readonly kind: 'help' };

export type MonitorCommandKind = MonitorCommand['kind'];
export type CommandOf<K extends MonitorCommandKind> = Extract<MonitorCommand, { readonly kind: K }>;

/**
 * Where a command runs. `client`: about this terminal (attach, switch,
 * detach, help) or the session's end (the Stop call). `server`: about the
 * session (its processes, services and builds); the client sends it as
 * words, the server's name first.
 */
export type Side = 'client' | 'server';

export interface MonitorCommandDefinition<K extends MonitorCommandKind = MonitorCommandKind, S extends Side = Side, N extends string = string> {
  readonly kind: K;
  /** The words that name it; `exit` is another name of `detach`. */
  readonly names: readonly N[];
  readonly side: S;
  /** Its line in `help`; absent when another command's line covers it (`restart|stop|start SERVICE`). */
  readonly help?: string;
  /**
   * Reads the words after the name (`name` is the one typed). Undefined:
   * these words are another form of the name (`stop` alone ends the
   * session, `stop api` stops a service); else throws MonitorUsageError.
   */
  readonly parse: (words: readonly string[], services: readonly string[], name: string) => CommandOf<K> | undefined;
}

/** Keeps a definition's kind, side and names as literal types, for the sides' tables. */
const define = <K extends MonitorCommandKind, S extends Side, N extends string>(d: MonitorCommandDefinition<K, S, N>): MonitorCommandDefinition<K, S, N> => d;

/** In `help`'s order; commands sharing a name are tried in this order. */
export const MONITOR_COMMANDS = [
  define({
    kind: 'ps',
    names: ['ps'],
    side: 'server',
    help: 'ps                         processes of this session',
    parse: (w, _, name) => noArguments(name, w, { kind: 'ps' }),
  }),
  define({
    kind: 'attach',
    names: ['attach'],
    side: 'client',
    help: 'attach ID|SERVICE          switch the terminal to that process',
    parse: (w) => ({ kind: 'attach', target: one(w, 'attach needs a process id or a service name, e.g. attach dev') }),
  }),
  define({
    kind: 'exec',
    names: ['exec'],
    side: 'server',
    help: 'exec [SERVICE] CMD...      start CMD (with a terminal) in a service and switch to it',
    parse: parseExec,
  }),
  define({ kind: 'logs', names: ['logs'], side: 'server', help: "logs SERVICE [-f]          a service's output; -f follows it", parse: parseLogs }),
  define({
    kind: 'ls',
    names: ['ls'],
    side: 'server',
    help: 'ls [PATH]                  list a directory of the attached container (/ by default)',
    parse: parseLs,
  }),
  define({ kind: 'cat', names: ['cat'], side: 'server', help: 'cat PATH                   print a file of the attached container', parse: parseCat }),
  define({
    kind: 'cp',
    names: ['cp'],
    side: 'server',
    help: 'cp SRC DST                 copy a file between a container (:PATH, or SERVICE:PATH) and the host',
    parse: parseCopy,
  }),
  define({
    kind: 'restart',
    names: ['restart'],
    side: 'server',
    help: 'restart|stop|start SERVICE restart, stop or start one service',
    parse: (w) => ({ kind: 'restart', service: one(w, 'restart needs a service name, e.g. restart api') }),
  }),
  define({
    kind: 'start',
    names: ['start'],
    side: 'server',
    parse: (w) => ({ kind: 'start', service: one(w, 'start needs a service name, e.g. start api') }),
  }),
  define({
    kind: 'stop-service',
    names: ['stop'],
    side: 'server',
    parse: (w) =>
      w.length === 0 ? undefined : { kind: 'stop-service', service: one(w, 'stop takes one service name (e.g. stop api), or none to end the session') },
  }),
  define({
    kind: 'rebuild',
    names: ['rebuild'],
    side: 'server',
    help: 'rebuild [TARGET...]        build again and recreate the services whose image changed',
    parse: (w) => ({ kind: 'rebuild', targets: [...w] }),
  }),
  define({
    kind: 'watch',
    names: ['watch'],
    side: 'server',
    help: "watch [on|off]             sync or rebuild services as their files change (the bake file's watch rules); alone: what is watched",
    parse: (w) => {
      const state = w.length === 0 ? undefined : w.length === 1 && (w[0] === 'on' || w[0] === 'off') ? w[0] : 'bad';
      if (state === 'bad') throw new MonitorUsageError('watch takes on or off (or nothing, to say what is watched), e.g. watch on');
      return { kind: 'watch', state };
    },
  }),
  define({
    kind: 'rollback',
    names: ['rollback'],
    side: 'server',
    help: "rollback [--init] [SERVICE] recreate a service's container from its image (a debug shell's from its build state; --init: before the failed step)",
    parse: (w) => {
      const init = w.includes('--init');
      const rest = w.filter((x) => x !== '--init');
      return { kind: 'rollback', init, service: rest.length === 0 ? undefined : one(rest, 'rollback takes one service name at most, e.g. rollback api') };
    },
  }),
  define({
    kind: 'reload',
    names: ['reload'],
    side: 'server',
    help: 'reload                     (debugging) build again with the current sources and open the shell again',
    parse: (w, _, name) => noArguments(name, w, { kind: 'reload' }),
  }),
  define({
    kind: 'continue',
    names: ['continue'],
    side: 'server',
    help: 'continue                   (debugging) from a --break, build on to the next break or the end',
    parse: (w, _, name) => noArguments(name, w, { kind: 'continue' }),
  }),
  define({
    kind: 'failures',
    names: ['failures'],
    side: 'server',
    help: 'failures                   (debugging) which target and step failed, its command, exit code and Dockerfile lines',
    parse: (w, _, name) => noArguments(name, w, { kind: 'failures' }),
  }),
  define({
    kind: 'sessions',
    names: ['sessions'],
    side: 'server',
    help: 'sessions                   the sessions of this server (* marks this one)',
    parse: (w, _, name) => noArguments(name, w, { kind: 'sessions' }),
  }),
  define({
    kind: 'switch',
    names: ['switch'],
    side: 'client',
    help: 'switch SESSION             attach to another session',
    parse: (w) => ({ kind: 'switch', session: one(w, 'switch needs a session id, e.g. switch shop-1a2b3c (sessions lists them)') }),
  }),
  define({
    kind: 'detach',
    names: ['detach', 'exit'],
    side: 'client',
    help: 'detach (also exit)         leave the session running and quit',
    parse: (w, _, name) => noArguments(name, w, { kind: 'detach' }),
  }),
  define({
    kind: 'stop',
    names: ['stop'],
    side: 'client',
    help: 'stop                       end the session: stop and remove its containers',
    parse: (w) => (w.length === 0 ? { kind: 'stop' } : undefined),
  }),
  define({
    kind: 'help',
    names: ['help'],
    side: 'client',
    help: 'help                       this list',
    parse: (w, _, name) => noArguments(name, w, { kind: 'help' }),
  }),
] as const;

type Defined = (typeof MONITOR_COMMANDS)[number];
/** The commands the server runs, and those the client does. */
export type ServerCommandKind = Extract<Defined, { readonly side: 'server' }>['kind'];
export type ClientCommandKind = Extract<Defined, { readonly side: 'client' }>['kind'];
/** A server command's name as it travels in CommandRequest.args[0]. */
export type ServerCommandName = Extract<Defined, { readonly side: 'server' }>['names'][number];

/** The `help` text: one line per command. */
export const MONITOR_HELP = MONITOR_COMMANDS.flatMap((c) => (c.help === undefined ? [] : [`${c.help}\n`])).join('');

/** The definition of a command kind: where it runs (the client's dispatch asks). */
export function definitionOf<K extends MonitorCommandKind>(kind: K): MonitorCommandDefinition<K> {
  return MONITOR_COMMANDS.find((c) => c.kind === kind) as unknown as MonitorCommandDefinition<K>;
}

function parseExec(words: readonly string[], services: readonly string[]): CommandOf<'exec'> {
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

function parseLogs(words: readonly string[]): CommandOf<'logs'> {
  const follow = words.some((w) => w === '-f' || w === '--follow');
  const others = words.filter((w) => w !== '-f' && w !== '--follow');
  const flag = others.find((w) => w.startsWith('-'));
  if (flag !== undefined) throw new MonitorUsageError(`logs has no option ${flag}; it takes -f (--follow) to follow the output`);
  return { kind: 'logs', service: one(others, 'logs needs a service name, e.g. logs api or logs api -f'), follow };
}

/** `ls [PATH]`; PATH relative to /. */
export function parseLs(words: readonly string[]): CommandOf<'ls'> {
  if (words.length > 1 || words[0]?.startsWith('-')) throw new MonitorUsageError('ls takes one path and no options, e.g. ls /etc');
  return { kind: 'ls', path: containerPath(words[0] ?? '/') };
}

/** `cat PATH`; PATH relative to /. */
export function parseCat(words: readonly string[]): CommandOf<'cat'> {
  return { kind: 'cat', path: containerPath(one(words, 'cat needs one file path, e.g. cat /etc/hostname')) };
}

/** `cp SRC DST`, exactly one of them in a container. */
export function parseCopy(words: readonly string[]): CommandOf<'cp'> {
  const [from, to] = words.map(copyEnd);
  if (words.length !== 2 || !from || !to)
    throw new MonitorUsageError('cp needs a source and a destination, e.g. cp :/etc/hostname ./hostname or cp ./app.conf api:/etc/app.conf');
  if ((from.in === 'container') === (to.in === 'container'))
    throw new MonitorUsageError(
      'cp copies between a container and the host: write exactly one path as :PATH or SERVICE:PATH, e.g. cp :/etc/hostname ./hostname',
    );
  return { kind: 'cp', from, to };
}

/**
 * A `cp` word read as `docker cp` reads it (cli/command/container/cp.go
 * splitCpArg): an absolute path, a word without `:`, or one whose part
 * before the `:` starts with `.` (`./a:b`) is a host path; else
 * `SERVICE:PATH`, SERVICE empty for the attached process's container.
 */
function copyEnd(word: string): CopyEnd {
  const colon = word.indexOf(':');
  const service = word.slice(0, colon);
  if (word.startsWith('/') || colon < 0 || service.startsWith('.')) return { in: 'host', path: word };
  return { in: 'container', service: service || undefined, path: containerPath(word.slice(colon + 1)) };
}

/** A container end as a `cp` word again: what the client sends. */
export function containerWord(end: Extract<CopyEnd, { readonly in: 'container' }>): string {
  return `${end.service ?? ''}:${end.path}`;
}

/** A path in a container: relative ones are relative to / (no shell, no working directory to be in). */
function containerPath(path: string): string {
  return goJoin('/', path);
}

/** The one argument of a command; `usage` is the error for none or more. */
function one(words: readonly string[], usage: string): string {
  if (words.length !== 1) throw new MonitorUsageError(usage);
  return words[0] as string;
}

function noArguments<C extends MonitorCommand>(name: string, words: readonly string[], command: C): C {
  if (words.length > 0) throw new MonitorUsageError(`${name} takes no arguments`);
  return command;
}
