/**
 * `bake --print` output, byte for byte what buildx prints: Go's
 * json.MarshalIndent (two-space indent, map keys sorted, struct fields in
 * declaration order, `omitempty`, and HTML-safe escaping of < > &).
 */
import { goJsonString } from '../golang/json.js';
import { entryToJSON, type EntryKind } from './entries.js';
import { compareStrings } from './expr/value.js';
import {
  HEALTHCHECK_ATTRIBUTES,
  WATCH_ATTRIBUTES,
  SERVICE_ATTRIBUTES,
  TARGET_ATTRIBUTES,
  type AttributeSpec,
  type Group,
  type Resources,
  type Service,
  type Target,
} from './model.js';
import { RESOURCE_FIELDS } from './resources.js';
import type { ResolvedConfig } from './resolve.js';

/** A JSON value for the Go-style encoder: a Map is a struct (ordered fields), a plain object is a Go map (sorted keys). */
export type GoJSON = null | boolean | number | string | readonly GoJSON[] | ReadonlyMap<string, GoJSON> | { readonly [key: string]: GoJSON };

export function printResolved(config: ResolvedConfig, services?: readonly Service[]): string {
  const root = new Map<string, GoJSON>();
  if (config.groups.size) root.set('group', goMap(config.groups, groupJSON));
  root.set('target', goMap(config.targets, targetJSON));
  if (services) root.set('service', goMap(new Map(services.map((s) => [s.name, s])), serviceJSON));
  return encodeGoJSON(root);
}

function goMap<T>(items: ReadonlyMap<string, T>, toJSON: (item: T) => GoJSON): { [key: string]: GoJSON } {
  const out: { [key: string]: GoJSON } = Object.create(null) as { [key: string]: GoJSON };
  for (const [name, item] of items) out[name] = toJSON(item);
  return out;
}

function groupJSON(g: Group): GoJSON {
  const m = new Map<string, GoJSON>();
  if (g.description) m.set('description', g.description);
  m.set('targets', [...g.targets]);
  return m;
}

function targetJSON(t: Target): GoJSON {
  return structJSON(escapeTemplates(t) as unknown as Record<string, unknown>, TARGET_ATTRIBUTES);
}

/**
 * buildx (PR 3097) re-escapes `${` and `%{` in args, labels, annotations,
 * dockerfile-inline and extra-hosts (its Target.MarshalJSON) so that the
 * printed JSON reads back as the same definition.
 */
function escapeTemplates(t: Target): Target {
  const esc = (s: string): string => s.replace(/([$%])\{/g, (_m, c: string) => `${c}${c}{`);
  const escMap = (m: Record<string, string | null> | undefined): Record<string, string | null> | undefined =>
    m && Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v === null ? v : esc(v)]));
  const out: Target = { ...t };
  if (t.args) out.args = escMap(t.args) as Record<string, string | null>;
  if (t.labels) out.labels = escMap(t.labels) as Record<string, string | null>;
  if (t['extra-hosts']) out['extra-hosts'] = escMap(t['extra-hosts']) as Record<string, string | null>;
  if (t.annotations) out.annotations = t.annotations.map(esc);
  if (t['dockerfile-inline'] !== undefined) out['dockerfile-inline'] = esc(t['dockerfile-inline']);
  return out;
}

function serviceJSON(s: Service): GoJSON {
  const m = structJSON(s as unknown as Record<string, unknown>, SERVICE_ATTRIBUTES);
  if (s.healthcheck) m.set('healthcheck', structJSON(s.healthcheck as Record<string, unknown>, HEALTHCHECK_ATTRIBUTES));
  if (s.watch)
    m.set(
      'watch',
      s.watch.map((rule) => structJSON(rule as Record<string, unknown>, WATCH_ATTRIBUTES)),
    );
  return m;
}

/** Fields in schema order, skipping what Go's omitempty would skip. */
function structJSON(fields: Record<string, unknown>, specs: readonly AttributeSpec[]): Map<string, GoJSON> {
  const m = new Map<string, GoJSON>();
  for (const { name, kind } of specs) {
    const v = fields[name];
    if (v === undefined || v === null) continue;
    if (name === 'description' && v === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    // Go's omitempty skips an empty map but not a pointer to an empty struct: `resources = {}` prints.
    if (kind !== 'resources' && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    if (kind === 'entries')
      m.set(
        name,
        (v as Array<Record<string, string>>).map((e) => entryToJSON(name as EntryKind, e) as GoJSON),
      );
    else if (kind === 'resources') m.set(name, resourcesJSON(v));
    else m.set(name, v as GoJSON);
  }
  return m;
}

/** ResourcesConfig as a struct: its fields in declaration order, unset ones omitted. */
function resourcesJSON(r: Resources): GoJSON {
  const m = new Map<string, GoJSON>();
  for (const [key] of RESOURCE_FIELDS) if (r[key] !== undefined) m.set(key, r[key]);
  return m;
}

/** Go's json.MarshalIndent(v, "", "  "). */
export function encodeGoJSON(value: GoJSON, indent = ''): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return goJsonString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v: GoJSON) => inner + encodeGoJSON(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries: Array<[string, GoJSON]> =
    value instanceof Map
      ? [...(value as ReadonlyMap<string, GoJSON>)]
      : Object.keys(value)
          .sort(compareStrings)
          .map((k) => [k, (value as { [key: string]: GoJSON })[k] as GoJSON]);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${goJsonString(k)}: ${encodeGoJSON(v, inner)}`).join(',\n')}\n${indent}}`;
}
