/**
 * `--help` for every command, drawn from commands.ts (what each command and
 * flag is) and args.ts (which flags each takes), so no text is written twice.
 */
import { flagsOf } from './args.js';
import { COMMANDS, FLAGS, type CommandName, type FlagName } from './commands.js';

/** What `bake --help` adds to the commands and flags: what holds for all of them. */
const ENVIRONMENT = `Environment: BAKE_* (BAKE_PREFIX_KEY, BAKE_WAIT_TIMEOUT ...) and buildx's variables,
DOCKER_HOST, BUILDKIT_HOST, NO_COLOR.
Exit codes: 0 ok, 1 build failure, 2 usage or bake-file error, 130 interrupted.`;

export function helpText(name: CommandName): string {
  return name === 'bake' ? overview() : commandHelp(name);
}

/** `bake --help`: every command's usage, what bake does, its options and the dev commands' own. */
function overview(): string {
  const bake = COMMANDS.bake;
  const commands = bake.subcommands ?? [];
  const own = flagsOf('bake');
  const devOnly = [...new Set(commands.flatMap((c) => (c.startsWith('dev') ? flagsOf(c) : [])))].filter((f) => !own.includes(f));
  return sections([
    usageLines(['bake', 'dev', 'dev ls', 'dev attach', 'dev stop', 'server', 'engine']),
    [bake.summary, bake.detail ?? ''].filter(Boolean).join('\n'),
    `Commands:\n${table(commands.map((c) => [c, COMMANDS[c].summary]))}`,
    `Options:\n${flagTable(own, [...own, ...devOnly])}`,
    `Dev options (bake dev and its commands):\n${flagTable(devOnly, [...own, ...devOnly])}`,
    'Run bake COMMAND --help (bake dev --help, bake dev ls --help, bake engine start --help ...) for what one command does and its options.',
    ENVIRONMENT,
  ]);
}

function commandHelp(name: CommandName): string {
  const help = COMMANDS[name];
  const subcommands = help.subcommands ?? [];
  const prefix = `bake ${name} `;
  return sections([
    usageLines([name]),
    [help.summary, help.detail ?? ''].filter(Boolean).join('\n'),
    subcommands.length ? `Commands:\n${table(subcommands.map((c) => [c.slice(name.length + 1), COMMANDS[c].summary]))}` : '',
    `Options:\n${flagTable(flagsOf(name))}`,
    subcommands.length ? `Run ${prefix}COMMAND --help for what one command does and its options.` : '',
  ]);
}

/** `Usage: bake dev [OPTIONS] [SERVICE...]`; a group's line names its commands: `bake server status|stop [OPTIONS]`. */
function usageLines(names: readonly CommandName[]): string {
  const lines = names.map((name) => {
    const { operands, subcommands } = COMMANDS[name];
    const words = name === 'bake' ? ['bake'] : ['bake', ...name.split(' ')];
    if (subcommands && operands === 'COMMAND') return [...words, subcommands.map((c) => c.split(' ')[1]).join('|'), '[OPTIONS]'].join(' ');
    return [...words, '[OPTIONS]', operands].filter(Boolean).join(' ');
  });
  return lines.map((line, i) => `${i === 0 ? 'Usage: ' : '       '}${line}`).join('\n');
}

/** `alignedWith`: the flags of every table of the page, so they share one column for the texts. */
function flagTable(flags: readonly FlagName[], alignedWith: readonly FlagName[] = flags): string {
  // Long-only flags line up with the long form of those that have a short one (`-f, --file`).
  const spelling = (f: FlagName): string => (FLAGS[f].spelling.startsWith('--') ? `    ${FLAGS[f].spelling}` : FLAGS[f].spelling);
  return table(
    flags.map((f) => [spelling(f), FLAGS[f].text]),
    Math.max(...alignedWith.map((f) => spelling(f).length)),
  );
}

/** Two columns, the first padded to its widest cell (or `width`). */
function table(rows: readonly (readonly [string, string])[], width = Math.max(0, ...rows.map(([left]) => left.length))): string {
  return rows.map(([left, right]) => `  ${left.padEnd(width + 2)}${right}`).join('\n');
}

function sections(parts: readonly string[]): string {
  return `${parts.filter(Boolean).join('\n\n')}\n`;
}
