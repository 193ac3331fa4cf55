/**
 * Every command and flag bake has, as its help describes them: the one
 * source of the usage lines, summaries and flag texts that `--help` prints
 * and usage errors quote. Which flags a command takes is args.ts's (it
 * parses them); this file only says what they are.
 */

export type CommandName =
  | 'bake'
  | 'dev'
  | 'dev ls'
  | 'dev attach'
  | 'dev stop'
  | 'server'
  | 'server status'
  | 'server stop'
  | 'engine'
  | 'engine status'
  | 'engine start'
  | 'engine stop';

export interface CommandHelp {
  /** What the command takes after its options, as the usage line shows it. */
  readonly operands: string;
  /** What it does, one line. */
  readonly summary: string;
  /** What else a user needs to know to run it. */
  readonly detail?: string;
  /** The commands its help lists. `bake server` and `bake engine` only group theirs: they run nothing themselves. */
  readonly subcommands?: readonly CommandName[];
}

export const COMMANDS: Readonly<Record<CommandName, CommandHelp>> = {
  bake: {
    operands: '[TARGET...]',
    summary: 'Build the targets of a bake file (HCL, JSON, TOML or compose) in parallel, and load their images into the engine.',
    detail: 'Without a TARGET, the group "default" is built. --print and --list only resolve the file: they need no engine.',
    subcommands: ['dev', 'dev ls', 'dev attach', 'dev stop', 'server status', 'server stop', 'engine status', 'engine start', 'engine stop'],
  },
  dev: {
    operands: '[SERVICE...]',
    summary: 'Build what the services use, start them in depends_on order and attach this terminal to the interactive one.',
    detail: [
      'Without a SERVICE, every service runs. The session lives in a per-user bake server, started by the first bake dev,',
      'so closing the terminal loses nothing. Ctrl-a c opens the monitor (help lists its commands), Ctrl-a d detaches.',
      '--print shows the services and the targets they build, without an engine or a server.',
      'Services named like a dev command go after --: bake dev -- ls.',
    ].join('\n'),
    subcommands: ['dev ls', 'dev attach', 'dev stop'],
  },
  'dev ls': {
    operands: '',
    summary: 'List the bake dev sessions: their bake files, engine, services, processes and attached clients.',
    detail: 'It starts no server: with none running, the list is empty.',
  },
  'dev attach': {
    operands: '[SESSION [PROCESS]]',
    summary: "Attach this terminal to a running session, or to one of its processes (an id or a service, as its monitor's ps lists them).",
    detail:
      'Without SESSION: the session of the bake files here (or -f), else the only one. Without PROCESS: the interactive service, else the monitor. A rebuild asked from its monitor runs in the server with the build options given here.',
  },
  'dev stop': {
    operands: '[SESSION]',
    summary: 'End a session: its containers and network are removed, its named volumes kept unless --volumes.',
    detail: 'Without SESSION: the session of the bake files here (or -f), else the only one.',
  },
  server: {
    operands: 'COMMAND',
    summary: 'The per-user background server that owns the bake dev sessions.',
    subcommands: ['server status', 'server stop'],
  },
  'server status': {
    operands: '',
    summary: 'Say whether the bake server runs, and its pid, version, uptime, sessions, socket and log file.',
    detail: 'It starts no server.',
  },
  'server stop': {
    operands: '',
    summary: 'Stop the bake server, ending every session it runs.',
  },
  engine: {
    operands: 'COMMAND',
    summary: 'The Docker engine bake builds and runs on, and the embedded engine bake can start where none runs.',
    subcommands: ['engine status', 'engine start', 'engine stop'],
  },
  'engine status': {
    operands: '',
    summary: 'Say which engine bake uses and why (DOCKER_HOST, the docker context, the embedded engine, the system socket), and whether it answers.',
  },
  'engine start': {
    operands: '',
    summary: "Start the embedded engine: Debian's dockerd with its data under bake's state dir and a socket of its own (as root).",
    detail: 'bake uses it whenever DOCKER_HOST and the docker context name no other engine.',
  },
  'engine stop': {
    operands: '',
    summary: 'Stop the embedded engine.',
  },
};

export type FlagName =
  | 'file'
  | 'set'
  | 'var'
  | 'print'
  | 'list'
  | 'load'
  | 'push'
  | 'no-cache'
  | 'pull'
  | 'provenance'
  | 'sbom'
  | 'progress'
  | 'metadata-file'
  | 'builder'
  | 'max-parallelism'
  | 'keep-going'
  | 'invoke'
  | 'on-error'
  | 'break'
  | 'debug'
  | 'help'
  | 'version'
  | 'detach'
  | 'no-build'
  | 'watch'
  | 'prefix-key'
  | 'wait-timeout'
  | 'volumes'
  | 'format';

export interface FlagHelp {
  /** The flag as the help writes it, with its short form and value. */
  readonly spelling: string;
  readonly text: string;
}

export const FLAGS: Readonly<Record<FlagName, FlagHelp>> = {
  file: { spelling: '-f, --file FILE', text: 'Bake file to read (repeatable; - reads stdin)' },
  set: { spelling: '--set PATTERN.KEY=V', text: 'Override a target attribute (repeatable; KEY+=V appends)' },
  var: { spelling: '--var NAME=VALUE', text: 'Set a variable (repeatable)' },
  print: { spelling: '--print', text: 'Print the resolved definition as JSON, without building' },
  list: { spelling: '--list TYPE', text: 'List targets or variables (type=targets,format=json)' },
  load: { spelling: '--load', text: 'Load the images into the engine (adds a docker output)' },
  push: { spelling: '--push', text: 'Push the images (adds an image output with push=true)' },
  'no-cache': { spelling: '--no-cache', text: 'Do not use the build cache' },
  pull: { spelling: '--pull', text: 'Always pull base images' },
  provenance: { spelling: '--provenance VALUE', text: 'Provenance attestation (true, false, mode=max ...)' },
  sbom: { spelling: '--sbom VALUE', text: 'SBOM attestation (true, false ...)' },
  progress: { spelling: '--progress MODE', text: 'auto, tty, plain, rawjson or quiet' },
  'metadata-file': { spelling: '--metadata-file FILE', text: 'Write build result metadata to FILE' },
  builder: { spelling: '--builder ADDRESS', text: 'BuildKit to use: docker, unix://..., tcp://...' },
  'max-parallelism': { spelling: '--max-parallelism N', text: 'Build at most N targets at once' },
  'keep-going': { spelling: '--keep-going', text: 'On a failure, finish the targets that do not depend on it' },
  invoke: { spelling: '--invoke[=CMD]', text: "Build TARGET, then run CMD (default: the image's shell) in its result; Ctrl-a c: monitor" },
  'on-error': { spelling: '--on-error', text: 'Open a shell at the failed step of any target (its state after the step; Docker 23+)' },
  break: { spelling: '--break FILE:LINE', text: 'Stop before the Dockerfile step at LINE with a shell in its input state; continue goes on' },
  debug: { spelling: '--debug', text: 'Show stack traces for unexpected errors' },
  help: { spelling: '-h, --help', text: 'Show this help' },
  version: { spelling: '--version', text: 'Show the version' },
  detach: { spelling: '-d, --detach', text: 'Start the services and leave them running, without attaching' },
  'no-build': { spelling: '--no-build', text: 'Start the services without building their images first' },
  watch: { spelling: '--watch', text: "Then sync or rebuild services as their files change, by the bake file's watch rules (monitor: watch on|off)" },
  'prefix-key': { spelling: '--prefix-key KEY', text: "Prefix of bake's keys when attached (default ctrl-a; C-b, ^b ...)" },
  'wait-timeout': { spelling: '--wait-timeout TIME', text: 'How long to wait for services to be healthy (default 60s)' },
  volumes: { spelling: '--volumes', text: "Also remove the session's named volumes" },
  format: { spelling: '--format FORMAT', text: 'table or json' },
};

/** How usage errors and help name a command: `bake dev attach [SESSION]`. */
export function commandLine(name: CommandName): string {
  const { operands } = COMMANDS[name];
  return [name === 'bake' ? 'bake' : `bake ${name}`, operands].filter(Boolean).join(' ');
}
