/**
 * buildx's mapping of the model to bake targets (ParseCompose): compose-go's
 * consistency check first, then a target for every service with `build:`,
 * each field translated as buildx translates it (contexts and paths cleaned,
 * sizes and ulimits as docker/go-units prints them, secrets and ssh keys as
 * entries) and the `x-bake` extension applied last. Errors of this step
 * carry buildx's wrapping, as its messages do.
 */
import { BakeFileError, bakeError, type SourceRange } from '../../../core/diagnostics.js';
import { EntryError, canonicalAttest, entriesFromValue, entryFromObject, mergeEntries, sshPaths, type EntryKind } from '../../entries.js';
import { dedupe } from '../../../core/collections.js';
import { compareStrings, makeObject } from '../../expr/value.js';
import { goQuote } from '../../../golang/strconv.js';
import { goFields } from '../../../golang/strings.js';
import { sanitizeTargetName, type Entry, type Target } from '../../model.js';
import type { Lookup } from '../interpolate.js';
import {
  buildMap,
  hostItems,
  optionalBool,
  optionalDict,
  optionalInt,
  optionalItems,
  optionalList,
  optionalMap,
  optionalText,
  requireInt,
  requireScalar,
  requireString,
  sshMap,
  typeError,
  type TextItem,
} from './fields.js';
import { bytesSize, contextPath, ramInBytes, unixPath } from './golibs.js';
import type { ComposeModel } from './model.js';
import { dotted, isNull, type MapNode, type Path, type Tree } from './tree.js';

/** compose-go's checkConsistency, on what buildx keeps of each service. */
export function checkConsistency(services: readonly (readonly [string, MapNode])[], secrets: MapNode | undefined): void {
  for (const [name, service] of services) {
    const build = service.fields.get('build');
    const image = optionalText(service, 'image', ['services', name]);
    if (!build && !image)
      throw invalidProject(
        `service ${goQuote(name)} has neither an image nor a build context specified`,
        service.range,
        'Add build: or image: to the service.',
      );
    if (!build) continue;
    const buildNode = buildMap(build.value, ['services', name, 'build']);
    const path = ['services', name, 'build'];
    if (optionalText(buildNode, 'dockerfile', path) && optionalText(buildNode, 'dockerfile_inline', path)) {
      throw invalidProject(
        `service ${goQuote(name)} declares mutualy exclusive dockerfile and dockerfile_inline`,
        buildNode.range,
        'Keep either dockerfile or dockerfile_inline.',
      );
    }
    for (const secret of buildSecrets(buildNode, path)) {
      if (!secrets?.fields.has(secret.source))
        throw invalidProject(
          `service ${goQuote(name)} refers to undefined build secret ${secret.source}`,
          secret.range,
          'Define the secret under the top-level secrets:.',
        );
    }
  }
  for (const [name, field] of secrets?.fields ?? []) {
    const secret = field.value.kind === 'map' ? field.value : undefined;
    const path = ['secrets', name];
    if (secret && optionalBool(secret, 'external', path)) continue;
    if (!secret || (!optionalText(secret, 'file', path) && !optionalText(secret, 'environment', path))) {
      throw invalidProject(
        `secret ${goQuote(name)} must declare either \`file\` or \`environment\``,
        field.value.range,
        'Give the secret a file: or an environment:.',
      );
    }
  }
}

function invalidProject(summary: string, range: SourceRange, fix: string): BakeFileError {
  return mappingError(`${summary}: invalid compose project`, range, fix);
}

/** Errors of buildx's mapping step carry its wrapping. */
function mappingError(summary: string, range: SourceRange, fix: string): BakeFileError {
  return bakeError(`failed to parse compose file: ${summary}`, range, fix);
}

function buildSecrets(build: MapNode, path: Path): { source: string; range: SourceRange }[] {
  const field = build.fields.get('secrets');
  if (field === undefined || isNull(field.value)) return [];
  if (field.value.kind !== 'seq') throw typeError([...path, 'secrets'], field.value, 'list');
  return field.value.items.map((item) => {
    if (item.kind === 'map') {
      const source = item.fields.get('source');
      if (!source) throw bakeError(`${dotted([...path, 'secrets'])} entries must have a source`, item.range, 'Name the secret with source:.');
      return { source: requireString(source.value, [...path, 'secrets', 'source']), range: item.range };
    }
    return { source: requireString(item, [...path, 'secrets', '[]']), range: item.range };
  });
}

export function buildTarget(name: string, service: MapNode, build: MapNode, model: ComposeModel): Target {
  const path = ['services', name, 'build'];
  const target: Target = { name: sanitizeTargetName(name) };
  const home = model.lookup('HOME');
  // compose-go defaults a long-syntax build's context to ".".
  const context = build.fields.has('context') ? optionalText(build, 'context', path) : '.';
  if (context) target.context = contextPath(context, home);
  const dockerfile = optionalText(build, 'dockerfile', path);
  if (dockerfile) target.dockerfile = dockerfile;
  const inline = optionalText(build, 'dockerfile_inline', path);
  if (inline) target['dockerfile-inline'] = inline;
  const contexts = optionalDict(build, 'additional_contexts', path);
  if (contexts?.size) target.contexts = namedContexts(new Map([...contexts].map(([k, v]) => [k, contextPath(v ?? '', home)])));
  const shmSize = shmSizeOf(build, path);
  if (shmSize) target['shm-size'] = shmSize;
  const network = optionalText(build, 'network', path);
  if (network) target.network = network;
  const ulimits = ulimitsOf(build, path);
  if (ulimits.length) target.ulimits = ulimits;
  const extraHosts = extraHostsOf(build, path);
  if (Object.keys(extraHosts).length) target['extra-hosts'] = extraHosts;
  const ssh = sshOf(build, path, home);
  if (ssh.length) target.ssh = ssh;
  const secrets = buildSecrets(build, path).map((s) => secretEntry(s.source, s.range, model.secrets, home));
  if (secrets.length) target.secret = secrets;
  const labels = optionalDict(build, 'labels', path);
  if (labels?.size) target.labels = Object.fromEntries([...labels].map(([k, v]) => [k, v ?? '']));
  const cacheFrom = entriesOf('cache-from', optionalItems(build, 'cache_from', path));
  if (cacheFrom?.length) target['cache-from'] = cacheFrom;
  const cacheTo = entriesOf('cache-to', optionalItems(build, 'cache_to', path));
  if (cacheTo?.length) target['cache-to'] = cacheTo;
  const attest = attestsOf(build, path);
  if (attest?.length) target.attest = attest;
  if (optionalBool(build, 'no_cache', path)) target['no-cache'] = true;
  if (optionalBool(build, 'pull', path)) target.pull = true;
  const tags = optionalList(build, 'tags', path);
  if (tags?.length) target.tags = dedupe(tags);
  const args = argsOf(build, service, path, model.lookup);
  if (args && Object.keys(args).length) target.args = args;
  const platforms = optionalList(build, 'platforms', path);
  if (platforms?.length) target.platforms = platforms;
  const xbake = build.fields.get('x-bake');
  if (xbake && !isNull(xbake.value)) applyXBake(target, xbake.value, [...path, 'x-bake']);
  const stage = optionalText(build, 'target', path);
  if (stage) target.target = stage;
  const image = optionalText(service, 'image', ['services', name]);
  if (!target.tags?.length && image) target.tags = [image];
  return target;
}

/** Build args: `KEY` alone takes the service's environment, then the project environment, or is dropped. */
function argsOf(build: MapNode, service: MapNode, path: Path, lookup: Lookup): Record<string, string | null> | undefined {
  const args = optionalDict(build, 'args', path);
  if (!args) return undefined;
  const environment = optionalDict(service, 'environment', path.slice(0, 2));
  const out: Record<string, string | null> = {};
  for (const [key, value] of args) {
    const resolved = value ?? environment?.get(key) ?? lookup(key);
    if (resolved !== undefined && resolved !== null) out[key] = resolved;
  }
  return out;
}

/** buildx's composeToBuildkitNamedContexts: `service:x` and `target:x` name a target. */
function namedContexts(contexts: ReadonlyMap<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of contexts) {
    const colon = value.indexOf(':');
    const scheme = value.slice(0, colon);
    out[key] = colon > 0 && (scheme === 'service' || scheme === 'target') ? `target:${sanitizeTargetName(value.slice(colon + 1))}` : value;
  }
  return out;
}

function shmSizeOf(build: MapNode, path: Path): string | undefined {
  const field = build.fields.get('shm_size');
  if (field === undefined || isNull(field.value)) return undefined;
  const node = requireScalar(field.value, [...path, 'shm_size']);
  let bytes: number;
  try {
    bytes = typeof node.value === 'number' ? Math.trunc(node.value) : ramInBytes(node.text);
  } catch (e) {
    throw bakeError((e as Error).message, node.range, 'Write the size as a number of bytes or with a unit, like 128m or 1g.');
  }
  return bytes > 0 ? bytesSize(bytes) : undefined;
}

const ULIMIT_NAMES = new Set([
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
]);

/** `name=soft:hard` strings as docker/go-units prints them; a single number sets both limits. */
function ulimitsOf(build: MapNode, path: Path): string[] {
  const ulimits = optionalMap(build, 'ulimits', path);
  if (!ulimits) return [];
  const out: string[] = [];
  for (const [name, field] of [...ulimits.fields].sort(([a], [b]) => compareStrings(a, b))) {
    const at = [...path, 'ulimits', name];
    const node = field.value;
    let soft: number;
    let hard: number;
    if (node.kind === 'map') {
      soft = optionalInt(node, 'soft', at) ?? 0;
      hard = optionalInt(node, 'hard', at) ?? 0;
    } else soft = hard = requireInt(node, at);
    if (!ULIMIT_NAMES.has(name)) throw mappingError(`invalid ulimit type: ${name}`, field.keyRange, `Use one of ${[...ULIMIT_NAMES].join(', ')}.`);
    if (hard !== -1 && soft > hard)
      throw mappingError(
        `ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`,
        node.range,
        'Raise the hard limit or lower the soft one.',
      );
    out.push(`${name}=${soft}:${hard}`);
  }
  return out;
}

/** compose's HostsList: `host=ip` or `host:ip` items (ips comma-separated, brackets dropped), joined back with commas. */
function extraHostsOf(build: MapNode, path: Path): Record<string, string | null> {
  const field = build.fields.get('extra_hosts');
  if (field === undefined || isNull(field.value)) return {};
  const hosts = new Map<string, string[]>();
  for (const item of hostItems(field.value, [...path, 'extra_hosts'])) {
    const cut = cutAny(item.text, ['=', ':']);
    if (!cut) throw bakeError(`invalid additional host, missing IP: ${item.text}`, item.range, 'Write extra hosts as host=ip.');
    const [host, ips] = cut;
    if (host === '' || /[:=]/.test(host)) throw bakeError(`bad host name '${host}'`, item.range, 'Write extra hosts as host=ip.');
    const list = ips.split(',').map((ip) => (ip.length > 2 && ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip));
    hosts.set(host, [...(hosts.get(host) ?? []), ...list]);
  }
  return Object.fromEntries([...hosts].map(([host, ips]) => [host, ips.join(',')]));
}

/** Cuts at the first of the separators that occurs, trying them in order. */
function cutAny(text: string, separators: readonly string[]): [string, string] | undefined {
  for (const sep of separators) {
    const at = text.indexOf(sep);
    if (at >= 0) return [text.slice(0, at), text.slice(at + sep.length)];
  }
  return undefined;
}

function sshOf(build: MapNode, path: Path, home: string | undefined): Entry[] {
  const field = build.fields.get('ssh');
  if (field === undefined || isNull(field.value)) return [];
  const keys = sshMap(field.value, [...path, 'ssh']);
  const entries = [...keys.fields].map(([id, { value }]) => {
    const keyPath = value.kind === 'scalar' && value.value !== null ? unixPath(value.text, home) : '';
    return entryFromObject(
      'ssh',
      makeObject([
        ['id', id],
        ['paths', keyPath === '' ? [] : [keyPath]],
      ]),
    );
  });
  return sortSSH(entries);
}

/** buildx sorts ssh keys by id, then paths (SSH.Less). */
function sortSSH(entries: readonly Entry[]): Entry[] {
  const comparePaths = (a: readonly string[], b: readonly string[]): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareStrings(a[i] as string, b[i] as string);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  };
  return [...entries].sort((a, b) => compareStrings(a['id'] ?? '', b['id'] ?? '') || comparePaths(sshPaths(a), sshPaths(b)));
}

/** buildx's composeToBuildkitSecret: the top-level secret's file (cleaned) or environment variable. */
function secretEntry(source: string, range: SourceRange, secrets: MapNode | undefined, home: string | undefined): Entry {
  const field = secrets?.fields.get(source);
  const definition = field?.value.kind === 'map' ? field.value : undefined;
  const path = ['secrets', source];
  if (definition && optionalBool(definition, 'external', path)) {
    throw mappingError(
      `unsupported external secret ${optionalText(definition, 'name', path) ?? source}`,
      range,
      'Give the secret a file: or an environment: for builds.',
    );
  }
  const file = definition ? optionalText(definition, 'file', path) : undefined;
  const env = definition ? optionalText(definition, 'environment', path) : undefined;
  const attributes: [string, string][] = [['id', source]];
  if (file) attributes.push(['src', unixPath(file, home)]);
  if (env) attributes.push(['env', env]);
  return entryFromObject('secret', makeObject(attributes));
}

/** Parses entry texts as buildx does (ParseCacheEntry, parseArrValue), pointing an error at its item. */
function entriesOf(kind: EntryKind, items: readonly TextItem[] | undefined): Entry[] | undefined {
  if (!items?.length) return undefined;
  return items.flatMap((item) => {
    try {
      return entriesFromValue(kind, [item.text]);
    } catch (e) {
      if (e instanceof EntryError) throw mappingError(e.message, item.range, `Fix this ${kind} entry.`);
      throw e;
    }
  });
}

/** `sbom:` and `provenance:` become attest entries (CanonicalizeAttest). */
function attestsOf(build: MapNode, path: Path): Entry[] | undefined {
  const items: TextItem[] = [];
  for (const type of ['sbom', 'provenance'] as const) {
    const field = build.fields.get(type);
    if (field === undefined || isNull(field.value)) continue;
    const { text, range } = requireScalar(field.value, [...path, type]);
    const attest = canonicalAttest(type, text);
    if (attest !== '') items.push({ text: attest, range });
  }
  return entriesOf('attest', items);
}

/**
 * The `x-bake` extension (buildx's composeExtTarget): list fields accept a
 * list or one whitespace-separated string and add to what `build:` set;
 * `pull` and `no-cache` replace; `contexts` adds names `build:` lacks.
 */
function applyXBake(target: Target, node: Tree, path: Path): void {
  if (node.kind !== 'map') throw mappingError(`${dotted(path)} must be a mapping`, node.range, 'Write x-bake as a mapping of bake attributes.');
  const list = (key: string): string[] | undefined => xbakeItems(node, key, path)?.map((item) => item.text);
  // The x-bake keys of entry lists are the entry kinds' names.
  const merge = (kind: EntryKind, current: Entry[] | undefined): Entry[] | undefined => {
    const parsed = entriesOf(kind, xbakeItems(node, kind, path));
    return parsed?.length ? mergeEntries(kind, current, parsed) : current;
  };
  const tags = list('tags');
  if (tags?.length) target.tags = dedupe([...(target.tags ?? []), ...tags]);
  setEntries(target, 'cache-from', merge('cache-from', target['cache-from']));
  setEntries(target, 'cache-to', merge('cache-to', target['cache-to']));
  setEntries(target, 'secret', merge('secret', target.secret));
  const ssh = merge('ssh', target.ssh);
  setEntries(target, 'ssh', ssh && sortSSH(ssh));
  const platforms = list('platforms');
  if (platforms?.length) target.platforms = dedupe([...(target.platforms ?? []), ...platforms]);
  setEntries(target, 'output', merge('output', target.output));
  const pull = xbakeBool(node, 'pull', path);
  if (pull !== undefined) target.pull = pull;
  const noCache = xbakeBool(node, 'no-cache', path);
  if (noCache !== undefined) target['no-cache'] = noCache;
  const filters = list('no-cache-filter');
  if (filters?.length) target['no-cache-filter'] = dedupe([...(target['no-cache-filter'] ?? []), ...filters]);
  const contexts = node.fields.get('contexts');
  if (contexts && !isNull(contexts.value)) {
    if (contexts.value.kind !== 'map')
      throw mappingError(
        `${dotted([...path, 'contexts'])}: cannot unmarshal into map[string]string`,
        contexts.value.range,
        'Write contexts as a mapping of name to context.',
      );
    const added = new Map([...contexts.value.fields].map(([k, f]) => [k, requireString(f.value, [...path, 'contexts', k])]));
    if (added.size) target.contexts = { ...namedContexts(added), ...target.contexts };
  }
}

function setEntries(target: Target, key: 'cache-from' | 'cache-to' | 'secret' | 'ssh' | 'output', entries: Entry[] | undefined): void {
  if (entries?.length) target[key] = entries;
}

/** buildx's stringArray: a list of strings, or one string split at whitespace (strings.Fields). */
function xbakeItems(node: MapNode, key: string, path: Path): TextItem[] | undefined {
  const field = node.fields.get(key);
  if (field === undefined || isNull(field.value)) return undefined;
  const value = field.value;
  if (value.kind === 'scalar') {
    return goFields(value.text).map((text) => ({ text, range: value.range }));
  }
  if (value.kind === 'seq') return value.items.map((item) => requireScalar(item, [...path, key, '[]']));
  throw mappingError(`${dotted([...path, key])}: cannot unmarshal !!map into string`, value.range, `Write ${key} as a string or a list of strings.`);
}

function xbakeBool(node: MapNode, key: string, path: Path): boolean | undefined {
  try {
    return optionalBool(node, key, path);
  } catch (e) {
    if (e instanceof BakeFileError)
      throw mappingError(e.diagnostics[0]?.summary ?? key, node.fields.get(key)?.value.range ?? node.range, `Set ${key} to true or false.`);
    throw e;
  }
}
