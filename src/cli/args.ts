/**
 * Command-line parsing (node's util.parseArgs: no dependency to load) for the
 * flags users know from `docker buildx bake`, plus ours.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseCsvFields } from '../bakefile/entries.js';
import { usageError } from '../core/errors.js';
import { parseDuration } from '../golang/duration.js';
import { parseShellwords } from '../golang/shellwords.js';
import { parsePrefixKey } from '../dev/client/prefix-key.js';
import { commandLine, type CommandName, type FlagName } from './commands.js';

export interface BakeArgs {
  readonly command: 'bake' | 'dev' | 'help' | 'version';
  /** The command the words name (`bake dev ls`): what --help describes. */
  readonly helpTopic: CommandName;
  /** The targets to build; for `bake dev`, the services to run. */
  readonly names: string[];
  readonly files: string[];
  readonly sets: string[];
  readonly vars: string[];
  readonly print: boolean;
  readonly list: ListRequest | undefined;
  readonly load: boolean;
  readonly push: boolean;
  readonly noCache: boolean | undefined;
  readonly pull: boolean | undefined;
  readonly provenance: string | undefined;
  readonly sbom: string | undefined;
  readonly progress: string | undefined;
  readonly metadataFile: string | undefined;
  readonly builder: string | undefined;
  readonly maxParallelism: number | undefined;
  readonly keepGoing: boolean;
  /** Build debugging (issue 13): `--invoke[=CMD]` (its command: undefined for the image's shell), `--on-error` and `--break FILE:LINE`. */
  readonly buildDebug: BuildDebugArgs | undefined;
  readonly debug: boolean;
  /** What `bake dev …` asks for; all defaults (action `up`) for the other commands. */
  readonly dev: DevArgs;
}

/**
 * `bake dev [SERVICE…]` (up), `bake dev ls`, `bake dev attach [SESSION]`,
 * `bake dev stop [SESSION]`, and their flags (each given only where it
 * applies, else parsing fails). A session left out is the project's.
 */
export interface DevArgs {
  readonly action: DevAction;
  /** attach, stop: the SESSION word. */
  readonly session: string | undefined;
  /** attach: the PROCESS word (a process id or a service). */
  readonly process: string | undefined;
  /** up: --detach. */
  readonly detach: boolean;
  /** up: --no-build. */
  readonly noBuild: boolean;
  /** up: --watch. */
  readonly watch: boolean;
  /** up, attach: --prefix-key as spelled (checked with parsePrefixKey); unset, BAKE_PREFIX_KEY applies. */
  readonly prefixKey: string | undefined;
  /** up, attach: --wait-timeout; unset, BAKE_WAIT_TIMEOUT applies. */
  readonly waitTimeoutMs: number | undefined;
  /** stop: --volumes. */
  readonly volumes: boolean;
  /** ls: --format. */
  readonly format: 'table' | 'json';
}

export type DevAction = 'up' | 'ls' | 'attach' | 'stop';

export interface BuildDebugArgs {
  /** `--invoke`: the command to run in the target's result; undefined: the image's shell. */
  readonly invoke: { readonly command: readonly string[] | undefined } | undefined;
  readonly onError: boolean;
  /** `--break FILE:LINE`: stop before the Dockerfile step at that line, FILE as typed. */
  readonly breaks: readonly DockerfileBreak[];
}

/** A Dockerfile line, as `--break` names it. */
export interface DockerfileBreak {
  readonly file: string;
  readonly line: number;
}

export interface ListRequest {
  readonly type: 'targets' | 'variables';
  readonly format: 'table' | 'json';
}

const OPTIONS = {
  file: { type: 'string', short: 'f', multiple: true },
  set: { type: 'string', multiple: true },
  var: { type: 'string', multiple: true },
  print: { type: 'boolean' },
  list: { type: 'string' },
  load: { type: 'boolean' },
  push: { type: 'boolean' },
  'no-cache': { type: 'boolean' },
  pull: { type: 'boolean' },
  provenance: { type: 'string' },
  sbom: { type: 'string' },
  progress: { type: 'string' },
  'metadata-file': { type: 'string' },
  builder: { type: 'string' },
  'max-parallelism': { type: 'string' },
  'keep-going': { type: 'boolean' },
  invoke: { type: 'string' },
  'on-error': { type: 'boolean' },
  break: { type: 'string', multiple: true },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  detach: { type: 'boolean', short: 'd' },
  'no-build': { type: 'boolean' },
  watch: { type: 'boolean' },
  'prefix-key': { type: 'string' },
  'wait-timeout': { type: 'string' },
  volumes: { type: 'boolean' },
  format: { type: 'string' },
} as const satisfies Record<FlagName, NonNullable<ParseArgsConfig['options']>[string]>;

/** The command a flag is given to: `bake [TARGET…]` or one of bake dev's. */
type Scope = 'bake' | DevAction;

const SCOPE_COMMAND: Readonly<Record<Scope, CommandName>> = { bake: 'bake', up: 'dev', ls: 'dev ls', attach: 'dev attach', stop: 'dev stop' };
const usageOf = (scope: Scope): string => commandLine(SCOPE_COMMAND[scope]);

const EVERYWHERE: readonly Scope[] = ['bake', 'up', 'ls', 'attach', 'stop'];
/** Build flags: the commands that build (an attached client's monitor rebuild sends them to the server). */
const BUILDING: readonly Scope[] = ['bake', 'up', 'attach'];
/** How a build shows in this terminal: the server's rebuild shows its own plain progress, so not for attach. */
const BUILDING_HERE: readonly Scope[] = ['bake', 'up'];

/** Where each flag applies; anywhere else it is a usage error. */
const FLAG_SCOPES: Readonly<Record<FlagName, readonly Scope[]>> = {
  file: [...BUILDING, 'stop'],
  set: BUILDING,
  var: BUILDING,
  print: ['bake', 'up'],
  list: ['bake'],
  // bake dev loads what it builds into the engine it runs on.
  load: ['bake'],
  push: ['bake'],
  'no-cache': BUILDING,
  pull: BUILDING,
  provenance: BUILDING,
  sbom: BUILDING,
  progress: BUILDING_HERE,
  'metadata-file': BUILDING_HERE,
  builder: BUILDING,
  'max-parallelism': BUILDING,
  'keep-going': BUILDING,
  invoke: ['bake'],
  'on-error': ['bake'],
  break: ['bake'],
  debug: EVERYWHERE,
  help: EVERYWHERE,
  version: EVERYWHERE,
  detach: ['up'],
  'no-build': ['up'],
  watch: ['up'],
  'prefix-key': ['up', 'attach'],
  'wait-timeout': ['up', 'attach'],
  volumes: ['stop'],
  format: ['ls'],
};

const DEV_SUBCOMMANDS: ReadonlySet<string> = new Set(['ls', 'attach', 'stop']);

/** `--provenance` and `--sbom` may stand alone, meaning true (as in buildx). */
const OPTIONAL_VALUE_FLAGS = ['--provenance', '--sbom'];

export function parseBakeArgs(argv: readonly string[]): BakeArgs {
  const args = argv.map((a, i) =>
    OPTIONAL_VALUE_FLAGS.includes(a) && (argv[i + 1] === undefined || argv[i + 1]?.startsWith('-') || !/^(true|false|mode=|[a-z-]+=)/.test(argv[i + 1] ?? ''))
      ? `${a}=true`
      : // A bare --invoke never takes the next word (a target): only --invoke=CMD names a command.
        a === '--invoke'
        ? '--invoke='
        : a,
  );
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    throw usageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''), 'Run bake --help for the flags bake takes.');
  }
  const { values, tokens } = parsed;
  // Words after `--` are names, never commands: `bake dev -- ls` runs a service named ls.
  const terminator = tokens.find((t) => t.kind === 'option-terminator')?.index ?? Infinity;
  const words = tokens.flatMap((t) => (t.kind === 'positional' ? [{ text: t.value, command: t.index < terminator }] : []));
  const isDev = words[0]?.command === true && words[0].text === 'dev';
  const action: DevAction | undefined = !isDev
    ? undefined
    : words[1]?.command === true && DEV_SUBCOMMANDS.has(words[1].text)
      ? (words[1].text as DevAction)
      : 'up';
  const scope: Scope = action ?? 'bake';
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const scopes = FLAG_SCOPES[t.name];
    if (!scopes.includes(scope)) {
      throw usageError(`${t.rawName} does not apply to ${usageOf(scope)}`, `Use ${t.rawName} with ${scopes.map(usageOf).join(' or ')}.`);
    }
  }
  // After the command words: targets, services, or a session.
  const rest = words.slice(action === undefined ? 0 : action === 'up' ? 1 : 2).map((w) => w.text);
  const command = values.help ? 'help' : values.version ? 'version' : isDev ? 'dev' : 'bake';
  return {
    command,
    helpTopic: SCOPE_COMMAND[scope],
    names: action === 'up' || action === undefined ? rest : [],
    files: values.file ?? [],
    sets: values.set ?? [],
    vars: values.var ?? [],
    print: values.print ?? false,
    list: values.list === undefined ? undefined : parseList(values.list),
    load: values.load ?? false,
    push: values.push ?? false,
    noCache: values['no-cache'],
    pull: values.pull,
    provenance: values.provenance,
    sbom: values.sbom,
    progress: values.progress,
    metadataFile: values['metadata-file'],
    builder: values.builder,
    maxParallelism: values['max-parallelism'] === undefined ? undefined : parseParallelism(values['max-parallelism']),
    keepGoing: values['keep-going'] ?? false,
    buildDebug: buildDebugArgs(values.invoke, values['on-error'] ?? false, (values.break ?? []).map(parseBreak), action === undefined ? rest : []),
    debug: values.debug ?? false,
    dev: devArgs(action ?? 'up', action === undefined ? [] : rest, values),
  };
}

/** `--invoke[=CMD]`, `--on-error` and `--break`: undefined when none is given. */
function buildDebugArgs(
  invoke: string | undefined,
  onError: boolean,
  breaks: readonly DockerfileBreak[],
  targets: readonly string[],
): BuildDebugArgs | undefined {
  if (invoke === undefined) return onError || breaks.length ? { invoke: undefined, onError, breaks } : undefined;
  if (targets.length > 1)
    throw usageError(`--invoke runs a process in one target's result, got ${targets.join(' ')}`, 'Name one target: bake --invoke TARGET.');
  if (invoke.trim() === '') return { invoke: { command: undefined }, onError, breaks };
  const command = parseShellwords(invoke);
  if (!command?.length) throw usageError(`invalid --invoke command ${JSON.stringify(invoke)}: its quotes do not close`, `Write --invoke='sh -c "..."'.`);
  return { invoke: { command }, onError, breaks };
}

/** `FILE:LINE`, LINE a positive whole number. */
function parseBreak(value: string): DockerfileBreak {
  const m = /^(.+):(\d+)$/.exec(value);
  if (!m || Number(m[2]) < 1)
    throw usageError(
      `invalid --break ${JSON.stringify(value)}: it names a Dockerfile and a line`,
      'Write --break Dockerfile:12 (the line of the step to stop before).',
    );
  return { file: m[1] as string, line: Number(m[2]) };
}

type ParsedValues = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

/** bake dev's request; `words` are the positionals after the action (the services for up). */
function devArgs(action: DevAction, words: readonly string[], values: ParsedValues): DevArgs {
  if (action === 'ls' && words.length > 0)
    throw usageError(`bake dev ls takes no arguments, got ${words.join(' ')}`, 'Run bake dev ls, or bake dev ls --format json.');
  if (action === 'stop' && words.length > 1)
    throw usageError(`bake dev stop takes one session at most, got ${words.join(' ')}`, 'Run bake dev ls for the sessions, then bake dev stop SESSION.');
  if (action === 'attach' && words.length > 2)
    throw usageError(
      `bake dev attach takes a session and a process at most, got ${words.join(' ')}`,
      'Run bake dev ls for the sessions and their processes, then bake dev attach SESSION [PROCESS].',
    );
  const prefixKey = values['prefix-key'];
  if (prefixKey !== undefined) parsePrefixKey(prefixKey);
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json') throw usageError(`invalid --format ${JSON.stringify(format)}`, 'Use --format table or --format json.');
  return {
    action,
    session: action === 'attach' || action === 'stop' ? words[0] : undefined,
    process: action === 'attach' ? words[1] : undefined,
    detach: values.detach ?? false,
    noBuild: values['no-build'] ?? false,
    watch: values.watch ?? false,
    prefixKey,
    waitTimeoutMs: values['wait-timeout'] === undefined ? undefined : parseWaitTimeout(values['wait-timeout']),
    volumes: values.volumes ?? false,
    format,
  };
}

/**
 * A health-wait timeout in milliseconds, written as a Go duration (`90s`,
 * `2m`, `1m30s`); `origin` names the flag or variable it came from in errors.
 */
export function parseWaitTimeout(text: string, origin = '--wait-timeout'): number {
  const fix = 'Write a duration such as 90s, 2m or 1m30s.';
  let nanoseconds: bigint;
  try {
    nanoseconds = parseDuration(text);
  } catch {
    throw usageError(`invalid ${origin} ${JSON.stringify(text)}`, fix);
  }
  if (nanoseconds <= 0n) throw usageError(`${origin} must be longer than 0, got ${JSON.stringify(text)}`, fix);
  return Number(nanoseconds / 1_000_000n);
}

/** `bake server status|stop` (the per-user dev server) and `bake engine status|start|stop` (the embedded engine). */
export type GroupRequest<Action extends string> =
  { readonly action: Action; readonly format: 'table' | 'json' } | { readonly action: 'help'; readonly topic: CommandName };
export type ServerRequest = GroupRequest<'status' | 'stop'>;
export type EngineRequest = GroupRequest<'status' | 'start' | 'stop'>;

const GROUP_OPTIONS = { format: { type: 'string' }, debug: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const satisfies Partial<
  Record<FlagName, NonNullable<ParseArgsConfig['options']>[string]>
>;
/** Only `status` prints something --format could shape. */
const GROUP_FLAGS = (action: string): FlagName[] => (action === 'status' ? ['format', 'debug', 'help'] : ['debug', 'help']);

/** Parses the words after `bake server` (main() hands them over). */
export function parseServerArgs(argv: readonly string[]): ServerRequest {
  return parseGroupArgs('server', ['status', 'stop'], argv);
}

/** Parses the words after `bake engine`. */
export function parseEngineArgs(argv: readonly string[]): EngineRequest {
  return parseGroupArgs('engine', ['status', 'start', 'stop'], argv);
}

function parseGroupArgs<Action extends string>(group: 'server' | 'engine', actions: readonly Action[], argv: readonly string[]): GroupRequest<Action> {
  const fix = `Run ${actions.map((a) => `bake ${group} ${a}`).join(', ')}; bake ${group} --help says what each does.`;
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: GROUP_OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw usageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''), fix);
  }
  const { values, positionals } = parsed;
  const action = positionals[0] as Action | undefined;
  const known = action !== undefined && actions.includes(action) && positionals.length === 1;
  if (values.help && (known || positionals.length === 0)) return { action: 'help', topic: (known ? `${group} ${action}` : group) as CommandName };
  if (!known) throw usageError(`unknown ${group} command ${positionals.join(' ') || '(none)'}`, fix);
  if (values.format !== undefined && !GROUP_FLAGS(action).includes('format')) throw usageError(`--format does not apply to bake ${group} ${action}`, fix);
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json') throw usageError(`invalid --format ${JSON.stringify(format)}`, 'Use --format table or --format json.');
  return { action, format };
}

/** The flags `command` takes, in the order the help lists them. */
export function flagsOf(command: CommandName): FlagName[] {
  const [group, action] = command.split(' ');
  if (group === 'server' || group === 'engine') return GROUP_FLAGS(action ?? '');
  const scope = (Object.keys(SCOPE_COMMAND) as Scope[]).find((s) => SCOPE_COMMAND[s] === command) as Scope;
  return (Object.keys(FLAG_SCOPES) as FlagName[]).filter((flag) => FLAG_SCOPES[flag].includes(scope));
}

/** buildx's --list forms: `targets`, `variables`, or CSV `type=targets,format=json` (buildx's parseList). */
function parseList(input: string): ListRequest {
  let fields: string[];
  try {
    fields = parseCsvFields(input);
  } catch (e) {
    throw usageError(`invalid --list ${input}: ${(e as Error).message}`, 'Use --list targets or --list type=targets,format=json.');
  }
  let type = fields.length === 1 && fields[0] === input && !input.startsWith('type=') ? input : '';
  let format = '';
  if (type === '') {
    for (const field of fields) {
      const eq = field.indexOf('=');
      if (eq < 0) throw usageError(`invalid value ${field}`, 'Write --list type=targets|variables,format=table|json.');
      const key = field.slice(0, eq).trim().toLowerCase();
      if (key === 'type') type = field.slice(eq + 1);
      else if (key === 'format') format = field.slice(eq + 1);
      else throw usageError(`unexpected key '${key}' in '${field}'`, 'Use the keys type and format.');
    }
  }
  format ||= 'table';
  if (type !== 'targets' && type !== 'variables') throw usageError(`invalid list type ${JSON.stringify(type)}`, 'Use --list targets or --list variables.');
  if (format !== 'table' && format !== 'json') throw usageError(`invalid list format ${JSON.stringify(format)}`, 'Use format=table or format=json.');
  return { type, format };
}

function parseParallelism(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw usageError(`invalid --max-parallelism ${text}`, 'Give a whole number of concurrent builds, 1 or more.');
  return n;
}

/** `--var NAME=VALUE` flags as a map (later wins). */
export function parseVars(flags: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw usageError(`invalid --var ${flag}, expected name=value`, 'Write --var NAME=VALUE.');
    out.set(flag.slice(0, eq), flag.slice(eq + 1));
  }
  return out;
}
