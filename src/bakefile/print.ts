/**
 * `bake --print` output, byte for byte what buildx prints: Go's
 * json.MarshalIndent (two-space indent, map keys sorted, struct fields in
 * declaration order, `omitempty`, and HTML-safe escaping of < > &).
 */
import { goJsonString } from '../golang/json.js';
import { setOwn } from '../core/own-property.js';
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
  const out: Target = { ...t };
  if (t.args) out.args = escapeMap(t.args);
  if (t.labels) out.labels = escapeMap(t.labels);
  if (t['extra-hosts']) out['extra-hosts'] = escapeMap(t['extra-hosts']);
  if (t.annotations) out.annotations = t.annotations.map(escapeTemplate);
  if (t['dockerfile-inline'] !== undefined) out['dockerfile-inline'] = escapeTemplate(t['dockerfile-inline']);
  return out;
}

const TEMPLATE_START = /([$%])\{/g;

function escapeTemplate(s: string): string {
  return s.includes('{') ? s.replace(TEMPLATE_START, '$1$1{') : s;
}

/** `m` itself when no value needs escaping (nearly always): a copy for each target's maps was most of this step's garbage. */
function escapeMap(m: Record<string, string | null>): Record<string, string | null> {
  let out: Record<string, string | null> | undefined;
  for (const k in m) {
    const v = m[k] as string | null;
    if (v === null || !v.includes('{')) continue;
    out ??= { ...m };
    setOwn(out, k, escapeTemplate(v));
  }
  return out ?? m;
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

/**
 * Fields in schema order, skipping what Go's omitempty would skip. An indexed
 * loop: it runs for every attribute of every target, mostly before the JIT
 * warms up, where destructuring each spec allocated.
 */
function structJSON(fields: Record<string, unknown>, specs: readonly AttributeSpec[]): Map<string, GoJSON> {
  const m = new Map<string, GoJSON>();
  for (let i = 0; i < specs.length; i++) {
    const { name, kind } = specs[i] as AttributeSpec;
    const v = fields[name];
    if (v === undefined || v === null) continue;
    if (name === 'description' && v === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    // Go's omitempty skips an empty map but not a pointer to an empty struct: `resources = {}` prints.
    if (kind !== 'resources' && typeof v === 'object' && !Array.isArray(v) && !hasKeys(v)) continue;
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

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

/** ResourcesConfig as a struct: its fields in declaration order, unset ones omitted. */
function resourcesJSON(r: Resources): GoJSON {
  const m = new Map<string, GoJSON>();
  for (const [key] of RESOURCE_FIELDS) if (r[key] !== undefined) m.set(key, r[key]);
  return m;
}

/**
 * Go's json.MarshalIndent(v, "", "  "). One string grown by appending (V8
 * keeps it as a rope until written): joining each level's parts made every
 * nested level copy its text again (--print of 1,000 targets: 12 MB
 * allocated here before, 6 MB now).
 */
export function encodeGoJSON(value: GoJSON, indent = ''): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return goJsonString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const inner = `${indent}  `;
  let out: string;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    out = '[';
    for (let i = 0; i < value.length; i++) out += `${i === 0 ? '\n' : ',\n'}${inner}${encodeGoJSON(value[i] as GoJSON, inner)}`;
    return `${out}\n${indent}]`;
  }
  const isStruct = value instanceof Map;
  const keys = isStruct ? [...(value as ReadonlyMap<string, GoJSON>).keys()] : Object.keys(value).sort(compareStrings);
  if (keys.length === 0) return '{}';
  out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const v = isStruct ? (value as ReadonlyMap<string, GoJSON>).get(k) : (value as { [key: string]: GoJSON })[k];
    out += `${i === 0 ? '\n' : ',\n'}${inner}${goJsonString(k)}: ${encodeGoJSON(v as GoJSON, inner)}`;
  }
  return `${out}\n${indent}}`;
}
