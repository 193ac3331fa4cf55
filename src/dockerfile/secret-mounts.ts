/**
 * Secret mounts that tell targets apart (issue 14, faults and load). A
 * secret's value is not in BuildKit's cache key: two targets running
 * `RUN --mount=type=secret,id=tok cat /run/secrets/tok > out` on one base are
 * one vertex, so the engine merged them and the second target got the first
 * one's output. bake gives each mount an id of its value's own (the caller
 * derives it) and serves that id from the target's own source: the step is
 * shared exactly when the values are equal. The mount keeps the path the
 * frontend would have given it, `/run/secrets/<id>`, so the RUN sees no
 * difference; progress shows each step as written, not rewritten. Pure:
 * text and ids in, text out.
 */
import { goBase } from '../golang/path.js';
import { applyEdits, escapeChar, flags, splitInstructions, type Edit } from './instructions.js';

export interface IsolatedMounts {
  /** The Dockerfile the engine builds. */
  readonly text: string;
  /** A step's name as BuildKit gives it (`[2/3] RUN --mount=… cmd`), with each rewritten mount as the user wrote it. */
  readonly asWritten: (stepName: string) => string;
}

/**
 * The Dockerfile with each secret mount whose id `ids` maps (the id the
 * frontend derives: `id=`, else `source=`, else the target's base name)
 * given the mapped id, and the target path it had; undefined when no mount
 * changed. A mount written with quotes or variables is left as it is: its
 * fields are the frontend's to read.
 */
export function isolateSecretMounts(text: string, ids: ReadonlyMap<string, string>): IsolatedMounts | undefined {
  if (ids.size === 0) return undefined;
  const lines = text.split('\n');
  const edits: Edit[] = [];
  const written = new Map<string, string>();
  for (const ins of splitInstructions(lines, escapeChar(lines))) {
    if (ins.keyword !== 'RUN') continue;
    for (const flag of flags(ins)) {
      const m = /^--mount=(.*)$/is.exec(flag.text);
      const fields = m?.[1];
      if (fields === undefined || /["'$]/.test(fields)) continue;
      const rewritten = isolatedMount(fields, ids);
      if (rewritten === undefined) continue;
      edits.push({ line: flag.line, start: flag.start, end: flag.start + flag.text.length, text: `--mount=${rewritten}` });
      written.set(`--mount=${rewritten}`, flag.text);
    }
  }
  if (!edits.length) return undefined;
  return {
    text: applyEdits(lines, edits),
    asWritten: (stepName) => [...written].reduce((name, [flag, asWritten]) => name.replaceAll(flag, asWritten), stepName),
  };
}

const TARGET_KEYS = new Set(['target', 'dst', 'destination']);
const ID_KEYS = new Set(['id', 'source', 'src']);

/** One mount's fields with the new id, or undefined when it is no secret mount of a mapped id. */
function isolatedMount(fields: string, ids: ReadonlyMap<string, string>): string | undefined {
  const parsed = fields.split(',').map((field) => {
    const eq = field.indexOf('=');
    return { key: (eq < 0 ? field : field.slice(0, eq)).toLowerCase(), value: eq < 0 ? '' : field.slice(eq + 1), field };
  });
  const value = (keys: ReadonlySet<string>): string | undefined => parsed.findLast((f) => keys.has(f.key))?.value;
  if (value(new Set(['type'])) !== 'secret') return undefined;
  const target = value(TARGET_KEYS);
  // dockerfile2llb's dispatchSecret: `source` wins over `id`; with neither, the target's base name.
  const id = parsed.find((f) => f.key === 'source' || f.key === 'src')?.value ?? value(new Set(['id'])) ?? (target ? goBase(target) : undefined);
  const isolated = id === undefined ? undefined : ids.get(id);
  if (id === undefined || isolated === undefined) return undefined;
  const kept = parsed.filter((f) => !ID_KEYS.has(f.key)).map((f) => f.field);
  // Without a target (or an env to expose it as) the frontend mounts the secret at /run/secrets/<base of id>: keep that path.
  const where = target === undefined && value(new Set(['env'])) === undefined ? [`target=/run/secrets/${goBase(id)}`] : [];
  return [...kept, `id=${isolated}`, ...where].join(',');
}
