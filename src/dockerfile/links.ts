/**
 * `target:` edges on a Docker builder (product.md §3): the dependency is
 * loaded into the image store under an internal tag of the run, and the
 * dependant reads it from there, through `context:NAME=docker-image://…`
 * where the frontend has named contexts, else through its Dockerfile with the
 * references rewritten to that tag. Pure: names in, names and text out.
 */
import { escapeChar, flags, SKIPPED, splitInstructions, type Instruction, type Word } from './instructions.js';

/** Every internal tag lives under this repository prefix, so a run's leftovers are recognisable. */
export const INTERNAL_PREFIX = 'bake-internal/';

export interface InternalTag {
  readonly repo: string;
  readonly tag: string;
  /** `repo:tag`, as FROM and docker-image:// take it. */
  readonly ref: string;
}

/**
 * The internal tag of a built dependency for one run,
 * `bake-internal/<target>:<12 hex of the image ID>-<run>`. The run id keeps
 * concurrent runs apart: each removes only its own tags when it ends, so one
 * run's cleanup never untags an image another still reads (issue #4). Target
 * names allow characters a repository name does not (upper case, `+`…);
 * those become `-`.
 */
export function internalTag(target: string, imageId: string, run: string): InternalTag {
  const hex = /^(?:sha256:)?([0-9a-f]{12})/.exec(imageId)?.[1];
  if (!hex) throw new Error(`internal: ${imageId} is not an image ID`);
  const name =
    target
      .toLowerCase()
      .replace(/[^a-z0-9._-]/g, '-')
      .replace(/^[^a-z0-9]+/, '') || 'target';
  const repo = `${INTERNAL_PREFIX}${name}`;
  const tag = `${hex}-${run}`;
  return { repo, tag, ref: `${repo}:${tag}` };
}

/**
 * The name a Dockerfile reference or a context key stands for, as BuildKit's
 * frontend looks named contexts up (dockerui NamedContext; buildx
 * --build-context keys alike): ParseNormalizedNamed, FamiliarString, then
 * `:latest` dropped, so `docker.io/library/alpine:latest` is `alpine`.
 * Undefined for what is no valid reference, and for `scratch` and `context`,
 * which never name a context.
 */
export function contextName(ref: string): string | undefined {
  const slash = ref.indexOf('/');
  const first = slash > 0 ? ref.slice(0, slash) : '';
  const hasDomain = /[.:A-Z]/.test(first) || first === 'localhost';
  const domain = hasDomain ? first.replace(/^index\.docker\.io$/, 'docker.io') : 'docker.io';
  const path = hasDomain ? ref.slice(slash + 1) : ref;
  const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
  if (!new RegExp(`^${component}(?:/${component})*(?::\\w[\\w.-]{0,127})?(?:@[a-z0-9]+:[0-9a-f]{32,})?$`).test(path)) return undefined;
  const familiar = (domain === 'docker.io' ? path.replace(/^library\/(?=[^/]+$)/, '') : `${domain}/${path}`).replace(/:latest$/, '');
  return familiar === 'scratch' || familiar === 'context' ? undefined : familiar;
}

export interface LinkedDockerfile {
  /** The Dockerfile with its references to contexts swapped for their tags; every line keeps its place, so error line numbers still match the user's file. */
  readonly text: string;
  /** The images it still reads from outside (bases, COPY --from, RUN --mount from=), variables expanded: what `--pull` must pull. */
  readonly images: readonly string[];
}

/**
 * Rewrites a Dockerfile's references to `target:` contexts (`refs`: context
 * key → image reference) the way BuildKit's frontend would resolve them to
 * named contexts (dockerfile2llb): names compare as contextName() says;
 * `FROM [--platform=…] NAME` takes its ARG-expanded name (ARGs before the
 * first FROM, their defaults overridden by the target's `args`) unless an
 * earlier stage has that name; `COPY --from=NAME` and `RUN --mount=…,from=NAME`
 * take the name as written unless any stage has it; a stage whose own name
 * is a context is replaced by it whole (`FROM <tag> AS name`, its
 * instructions commented out). Parsed like the frontend's parser: the
 * `# escape=` directive, continuations (with comment and blank lines inside),
 * heredoc bodies (never read as instructions), keywords in any case.
 */
export function rewriteDockerfile(text: string, refs: ReadonlyMap<string, string>, args: Readonly<Record<string, string | null>> = {}): LinkedDockerfile {
  const lines = text.split('\n');
  const instructions = splitInstructions(lines, escapeChar(lines));
  const byName = new Map(
    [...refs].flatMap(([key, ref]) => {
      const name = contextName(key);
      return name === undefined ? [] : [[name, ref] as const];
    }),
  );
  const context = (ref: string): string | undefined => {
    const name = contextName(ref);
    return name === undefined ? undefined : byName.get(name);
  };
  const froms = instructions.filter((i) => i.keyword === 'FROM').map(fromParts);
  const allStages = new Set(froms.flatMap((f) => (f.stage === undefined ? [] : [f.stage])));
  const vars = metaArgs(
    instructions.slice(
      0,
      Math.max(
        0,
        instructions.findIndex((i) => i.keyword === 'FROM'),
      ),
    ),
    args,
  );
  const edits: Edit[] = [];
  const images = new Set<string>();
  // A reference that is no stage: a context becomes its tag, anything else is an image read from outside.
  const read = (word: Word, offset: number, name: string, length = name.length): void => {
    const ref = context(name);
    if (ref !== undefined) edits.push({ line: word.line, start: word.start + offset, end: word.start + offset + length, text: ref });
    else if (name && name.toLowerCase() !== 'scratch') images.add(name);
  };
  const stages = new Set<string>();
  let replaced = false;
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const { image, stage } = froms.shift() as FromParts;
      const whole = stage === undefined ? undefined : context(stage);
      replaced = whole !== undefined;
      if (image && whole !== undefined) edits.push({ line: image.line, start: image.start, end: image.start + image.text.length, text: whole });
      else if (image) {
        const name = expand(image.text, vars);
        // The expanded name's tag replaces the whole word, `${BASE}` included.
        if (name && !stages.has(name.toLowerCase())) read(image, 0, name, image.text.length);
      }
      if (stage !== undefined) stages.add(stage);
    } else if (replaced) {
      for (let l = ins.start; l <= ins.end; l++) if (!SKIPPED.test(lines[l] as string)) edits.push({ line: l, start: 0, end: 0, text: '# ' });
    } else {
      const fromStage = (name: string): boolean => /^\d+$/.test(name) || allStages.has(name.toLowerCase());
      for (const flag of flags(ins)) {
        if ((ins.keyword === 'COPY' || ins.keyword === 'ADD') && flag.text.startsWith('--from=')) {
          const name = flag.text.slice('--from='.length);
          if (!fromStage(name)) read(flag, '--from='.length, name);
        } else if (ins.keyword === 'RUN' && flag.text.startsWith('--mount=')) {
          let offset = '--mount='.length;
          for (const field of flag.text.slice(offset).split(',')) {
            const name = field.startsWith('from=') ? field.slice('from='.length) : undefined;
            if (name !== undefined && !fromStage(name)) read(flag, offset + 'from='.length, name);
            offset += field.length + 1;
          }
        }
      }
    }
  }
  edits.sort((a, b) => b.line - a.line || b.start - a.start);
  for (const e of edits) lines[e.line] = `${(lines[e.line] as string).slice(0, e.start)}${e.text}${(lines[e.line] as string).slice(e.end)}`;
  return { text: lines.join('\n'), images: [...images] };
}

interface Edit {
  readonly line: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

interface FromParts {
  readonly image: Word | undefined;
  /** Lower case, as the frontend compares stage names. */
  readonly stage: string | undefined;
}

/** `FROM [--flags] IMAGE [AS NAME]`. */
function fromParts(ins: Instruction): FromParts {
  const rest = ins.words.slice(1 + flags(ins).length);
  const stage = rest[1]?.text.toUpperCase() === 'AS' ? rest[2]?.text.toLowerCase() : undefined;
  return { image: rest[0], stage };
}

/** BuildKit's built-in platform ARGs: FROM may use them, but their values are the builder's, unknown here. */
const PLATFORM_ARGS = ['BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT', 'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT'];

/**
 * The variables FROM expands: the ARGs before the first FROM (a build arg
 * overrides a default; each default may use the ones before it), and the
 * platform ARGs as unknown (null).
 */
function metaArgs(instructions: readonly Instruction[], args: Readonly<Record<string, string | null>>): Map<string, string | null> {
  const vars = new Map<string, string | null>(PLATFORM_ARGS.map((name) => [name, null]));
  for (const ins of instructions) {
    if (ins.keyword !== 'ARG') continue;
    for (const { text } of ins.words.slice(1)) {
      const [name = '', value] = text.split(/=(.*)/s);
      const given = args[name];
      if (typeof given === 'string') vars.set(name, given);
      else if (value !== undefined) vars.set(name, expand(value.replace(/^(["'])(.*)\1$/s, '$2'), vars) ?? null);
      else if (!vars.has(name)) vars.set(name, '');
    }
  }
  return vars;
}

/**
 * Shell-style expansion as FROM does it: `$X`, `${X}`, `${X:-word}`,
 * `${X-word}`, `${X:+word}`, `${X+word}`; an undeclared variable is empty.
 * Undefined when the word uses a variable whose value is unknown here.
 */
function expand(word: string, vars: ReadonlyMap<string, string | null>): string | undefined {
  let unknown = false;
  const out = word.replace(
    /\$(?:\{(\w+)(?:(:?[-+])([^}]*))?\}|(\w+))/g,
    (_all, braced: string | undefined, op: string | undefined, alt: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bare) as string;
      const value = vars.get(name);
      if (value === null) unknown = true;
      const set = value !== undefined;
      switch (op) {
        case ':-':
          return value ? value : (alt ?? '');
        case '-':
          return set ? (value ?? '') : (alt ?? '');
        case ':+':
          return value ? (alt ?? '') : '';
        case '+':
          return set ? (alt ?? '') : '';
        default:
          return value ?? '';
      }
    },
  );
  return unknown ? undefined : out;
}
