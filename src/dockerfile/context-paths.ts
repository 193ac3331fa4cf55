/**
 * The paths of the build context a Dockerfile reads (issue 14, defect 3), as
 * BuildKit's dockerfile frontend collects them for the context's
 * followpaths (dockerfile2llb `ctxPaths`): the sources of COPY without
 * `--from` and of ADD (URLs left out), and the source of each `RUN
 * --mount=type=bind` without `from`, ONBUILD triggers of the same file
 * included (a base image's ONBUILD cannot be read here: the step that
 * misses its path is solved again with the whole context, buildkit/build.ts).
 * Each is cleaned against the context's root; the daemon then asks for
 * those paths only, globs and symlinks resolved by the walk.
 *
 * Never too little: wherever the path cannot be known here, the answer is
 * the whole context (undefined). That is: a word with a variable, quote or
 * escape in it (the frontend expands those with ENV values that may come
 * from the base image), a JSON form with spaces inside a string, a source
 * that is the root itself, and a Dockerfile read by another frontend than
 * docker/dockerfile (`# syntax=`, BUILDKIT_SYNTAX). Every stage counts, not
 * only those the target reaches: more than needed, never less. Pure.
 */
import { goClean } from '../golang/path.js';
import { escapeChar, flags, splitInstructions, type Instruction } from './instructions.js';

/**
 * The context paths `text` reads, sorted by bytes and without duplicates,
 * in the form `local.followpaths` takes (`dir/file`, globs kept); an empty
 * list when it reads none; undefined when it may read anything.
 */
export function contextPaths(text: string, args: Readonly<Record<string, string>> = {}): string[] | undefined {
  const lines = text.split('\n');
  if (!dockerfileFrontend(syntaxDirective(lines) ?? args['BUILDKIT_SYNTAX'])) return undefined;
  const escape = escapeChar(lines);
  const paths = new Set<string>();
  for (const ins of splitInstructions(lines, escape)) {
    const used = instructionPaths(ins.keyword === 'ONBUILD' ? onbuildTrigger(ins) : ins, escape);
    if (used === undefined) return undefined;
    for (const p of used) paths.add(p);
  }
  return [...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Union of several users' paths of one directory: undefined (everything) wins. */
export function unionPaths(lists: Iterable<readonly string[] | undefined>): string[] | undefined {
  const paths = new Set<string>();
  for (const list of lists) {
    if (list === undefined) return undefined;
    for (const p of list) paths.add(p);
  }
  return [...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** ONBUILD's trigger as an instruction of its own. */
function onbuildTrigger(ins: Instruction): Instruction {
  const words = ins.words.slice(1);
  return { ...ins, keyword: (words[0]?.text ?? '').toUpperCase(), words };
}

/** The context paths one instruction reads; undefined when they cannot be known. */
function instructionPaths(ins: Instruction, escape: string): string[] | undefined {
  const flagWords = flags(ins).map((w) => w.text);
  switch (ins.keyword) {
    case 'COPY':
    case 'ADD': {
      if (ins.keyword === 'COPY' && flagWords.some((f) => /^--from=/i.test(f))) return [];
      const sources = copySources(ins.words.slice(1 + flagWords.length).map((w) => w.text));
      if (sources === undefined) return undefined;
      const fromContext = ins.keyword === 'ADD' ? sources.filter((s) => !/^https?:\/\//.test(s)) : sources;
      return cleaned(fromContext, escape);
    }
    case 'RUN': {
      const out: string[] = [];
      for (const f of flagWords) {
        if (!f.startsWith('--mount=')) continue;
        const source = bindSource(f.slice('--mount='.length));
        if (source === null) return undefined;
        if (source !== undefined) out.push(source);
      }
      return cleaned(out, escape);
    }
    default:
      return [];
  }
}

/** COPY/ADD's sources: every argument but the destination, heredocs left out (their content is inline). */
function copySources(args: readonly string[]): string[] | undefined {
  let list: readonly string[] = args;
  if (args[0]?.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(args.join(' '));
      if (Array.isArray(parsed) && parsed.every((s): s is string => typeof s === 'string' && !/\s/.test(s))) list = parsed;
      else if (Array.isArray(parsed)) return undefined;
    } catch {
      // Not JSON: the frontend reads the words as they are.
    }
  }
  return list.slice(0, -1).filter((s) => !/^<<-?(["']?)\w+\1$/.test(s));
}

/**
 * The context path of one `--mount` spec: undefined when it does not mount
 * the context, null when it does but the path cannot be known here.
 */
function bindSource(spec: string): string | undefined | null {
  // A variable may name the type or the source; the frontend may expand it.
  if (/[$"']/.test(spec)) return null;
  const fields = new Map<string, string>();
  for (const field of spec.split(',')) {
    const eq = field.indexOf('=');
    fields.set((eq < 0 ? field : field.slice(0, eq)).toLowerCase(), eq < 0 ? '' : field.slice(eq + 1));
  }
  if ((fields.get('type') ?? 'bind') !== 'bind' || fields.has('from')) return undefined;
  return fields.get('source') ?? fields.get('src') ?? '';
}

/** Each path cleaned against the context root; undefined when one is the root or cannot be known (a variable, quote or escape). */
function cleaned(paths: readonly string[], escape: string): string[] | undefined {
  const out: string[] = [];
  for (const p of paths) {
    if (/[$"']/.test(p) || p.includes(escape)) return undefined;
    const rel = goClean(`/${p}`).slice(1);
    if (rel === '') return undefined;
    out.push(rel);
  }
  return out;
}

/** The `# syntax=` directive among the comment lines that open the file. */
function syntaxDirective(lines: readonly string[]): string | undefined {
  for (const line of lines) {
    const d = /^\s*#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/.exec(line);
    if (!d) return undefined;
    if (d[1]?.toLowerCase() === 'syntax') return d[2];
  }
  return undefined;
}

/** Whether the Dockerfile is read by Docker's own frontend (built in, or an image of docker/dockerfile), whose rules this module follows. */
function dockerfileFrontend(syntax: string | undefined): boolean {
  return syntax === undefined || /^(docker\.io\/)?docker\/dockerfile(-upstream)?(:[\w.-]+)?(@sha256:[0-9a-f]{64})?$/.test(syntax);
}
