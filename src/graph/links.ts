/**
 * `target:` edges on a Docker builder (product.md §3): the dependency is
 * loaded into the image store under an internal, content-addressed tag, and
 * the dependant reads it from there, through `context:NAME=docker-image://…`
 * where the frontend has named contexts, else through its Dockerfile with the
 * references rewritten to that tag. Pure: names in, names and text out.
 */

/** Every internal tag lives under this repository prefix, so a run's leftovers are recognisable. */
export const INTERNAL_PREFIX = 'bake-internal/';

export interface InternalTag {
  readonly repo: string;
  readonly tag: string;
  /** `repo:tag`, as FROM and docker-image:// take it. */
  readonly ref: string;
}

/**
 * The internal tag of a built dependency, `bake-internal/<target>:<12 hex of
 * the image ID>`: the same image always gets the same tag, so concurrent runs
 * agree on it. Target names allow characters a repository name does not
 * (upper case, `+`…); those become `-`.
 */
export function internalTag(target: string, imageId: string): InternalTag {
  const hex = /^(?:sha256:)?([0-9a-f]{12})/.exec(imageId)?.[1];
  if (!hex) throw new Error(`internal: ${imageId} is not an image ID`);
  const name = target.toLowerCase().replace(/[^a-z0-9._-]/g, '-').replace(/^[^a-z0-9]+/, '') || 'target';
  const repo = `${INTERNAL_PREFIX}${name}`;
  return { repo, tag: hex, ref: `${repo}:${hex}` };
}

/**
 * Rewrites a Dockerfile's references to `target:` contexts (`refs`: context
 * key → image reference): the image of `FROM [--platform=…] NAME [AS stage]`,
 * `COPY --from=NAME` (and ADD) and `RUN --mount=…,from=NAME`. A name that an
 * earlier `FROM … AS name` defined is that stage, as the frontend reads it,
 * so it stays. Instructions continued with `\` are read as one; each physical
 * line keeps its place, so error line numbers still match the user's file.
 */
export function rewriteDockerfile(text: string, refs: ReadonlyMap<string, string>): string {
  const lines = text.split('\n');
  const stages = new Set<string>();
  const swap = (name: string): string | undefined => (stages.has(name.toLowerCase()) ? undefined : refs.get(name));
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i] as string;
    const keyword = /^\s*([A-Za-z]+)(?=\s|$)/.exec(first)?.[1]?.toUpperCase();
    // The instruction's physical lines: up to the first not ending in a backslash (comment lines inside are skipped as the parser does).
    let end = i;
    while (end + 1 < lines.length && (/\\\s*$/.test(lines[end] as string) || (end > i && /^\s*#/.test(lines[end] as string)))) end++;
    if (keyword === 'FROM') rewriteFrom(lines, i, end, swap, stages);
    else if (keyword === 'COPY' || keyword === 'ADD') rewriteFlag(lines, i, end, /(^|\s)(--from=)([^\s\\]+)/g, swap);
    else if (keyword === 'RUN') rewriteFlag(lines, i, end, /(^|\s)(--mount=)([^\s\\]+)/g, (mount) => rewriteMount(mount, swap));
    i = end;
  }
  return lines.join('\n');
}

type Swap = (name: string) => string | undefined;

function rewriteFrom(lines: string[], start: number, end: number, swap: Swap, stages: Set<string>): void {
  // Words after FROM across the instruction's lines: flags, the image, then optionally AS and the stage name.
  let words = 0;
  let image = false;
  let as = false;
  for (let l = start; l <= end; l++) {
    if (/^\s*#/.test(lines[l] as string)) continue;
    lines[l] = (lines[l] as string).replace(/[^\s\\]+/g, (word) => {
      words++;
      if (l === start && words === 1) return word;
      if (!image) {
        if (word.startsWith('--')) return word;
        image = true;
        return swap(word) ?? word;
      }
      if (as) {
        stages.add(word.toLowerCase());
        as = false;
      } else if (word.toUpperCase() === 'AS') as = true;
      return word;
    });
  }
}

function rewriteFlag(lines: string[], start: number, end: number, flag: RegExp, swap: Swap): void {
  for (let l = start; l <= end; l++) {
    if (/^\s*#/.test(lines[l] as string)) continue;
    lines[l] = (lines[l] as string).replace(flag, (_all: string, space: string, name: string, value: string) => `${space}${name}${swap(value) ?? value}`);
  }
}

/** `type=cache,from=NAME,target=/x` → the same fields with `from` swapped. */
function rewriteMount(mount: string, swap: Swap): string | undefined {
  let changed = false;
  const fields = mount.split(',').map((field) => {
    const m = /^from=(.*)$/.exec(field);
    const to = m ? swap(m[1] as string) : undefined;
    if (to === undefined) return field;
    changed = true;
    return `from=${to}`;
  });
  return changed ? fields.join(',') : undefined;
}
