/**
 * Command-line parsing (node's util.parseArgs: no dependency to load) for the
 * flags users know from `docker buildx bake`, plus ours.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseCsvFields } from '../bakefile/entries.js';
import { usageError } from '../bakefile/overrides.js';

export interface BakeArgs {
  readonly command: 'bake' | 'dev' | 'help' | 'version';
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
  readonly debug: boolean;
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
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/** `--provenance` and `--sbom` may stand alone, meaning true (as in buildx). */
const OPTIONAL_VALUE_FLAGS = ['--provenance', '--sbom'];

export function parseBakeArgs(argv: readonly string[]): BakeArgs {
  const args = argv.map((a, i) => (OPTIONAL_VALUE_FLAGS.includes(a) && (argv[i + 1] === undefined || argv[i + 1]?.startsWith('-') || !/^(true|false|mode=|[a-z-]+=)/.test(argv[i + 1] ?? '')) ? `${a}=true` : a));
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw usageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''), 'Run bake --help for the flags bake takes.');
  }
  const { values, positionals } = parsed;
  const isDev = positionals[0] === 'dev';
  const command = values.help ? 'help' : values.version ? 'version' : isDev ? 'dev' : 'bake';
  return {
    command,
    names: isDev ? positionals.slice(1) : positionals,
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
    debug: values.debug ?? false,
  };
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

export const HELP = `Usage: bake [OPTIONS] [TARGET...]
       bake dev --print [SERVICE...]
       bake engine status|start|stop [--format json]

Build the targets of a bake file (HCL, JSON, TOML or compose) in parallel.

Options:
  -f, --file FILE          Bake file to read (repeatable; - reads stdin)
      --set PATTERN.KEY=V  Override a target attribute (repeatable; KEY+=V appends)
      --var NAME=VALUE     Set a variable (repeatable)
      --print              Print the resolved definition as JSON, without building
      --list TYPE          List targets or variables (type=targets,format=json)
      --load               Load the images into the engine (adds a docker output)
      --push               Push the images (adds an image output with push=true)
      --no-cache           Do not use the build cache
      --pull               Always pull base images
      --provenance VALUE   Provenance attestation (true, false, mode=max ...)
      --sbom VALUE         SBOM attestation (true, false ...)
      --progress MODE      auto, tty, plain, rawjson or quiet
      --metadata-file FILE Write build result metadata to FILE
      --builder ADDRESS    BuildKit to use: docker, unix://..., tcp://...
      --max-parallelism N  Build at most N targets at once
      --keep-going         On a failure, finish the targets that do not depend on it
      --debug              Show stack traces for unexpected errors
  -h, --help               Show this help
      --version            Show the version

Environment: BAKE_* and buildx's variables, DOCKER_HOST, BUILDKIT_HOST, NO_COLOR.
Exit codes: 0 ok, 1 build failure, 2 usage or bake-file error, 130 interrupted.
`;
