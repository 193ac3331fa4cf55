/**
 * Compose's `include:` as compose-go applies it when buildx loads compose
 * files (loader/include.go; issue 16, cause 7): each entry names a compose
 * file (or several, the later ones overriding the first), read relative to
 * the including project's working directory, which for the files bake reads
 * is buildx's own working directory. The included files form a project of
 * their own: their directory (or `project_directory`) is where their
 * relative paths start, and their variables come from the environment and
 * then their `.env` (or `env_file`). Their services and secrets join the
 * including file's; a name defined differently on both sides is an error.
 * Includes nest, and a file that includes itself is a cycle.
 *
 * The host's files arrive as HostFiles (the core reads nothing itself).
 */
import { bakeError, fileStart, type SourceRange } from '../../../core/diagnostics.js';
import { goDir, goJoin } from '../../../golang/path.js';
import type { HostFiles } from '../../host.js';
import { isHostFileError } from '../../host.js';
import { parseDotenv } from '../dotenv.js';
import type { Lookup } from '../interpolate.js';
import { buildMap, dictMap, requireScalar, sshMap, typeError } from './fields.js';
import { contextPath, unixPath } from './golibs.js';
import { mergeMaps } from './merge.js';
import { TreeBuilder, isNull, parseDocuments, type Field, type MapNode, type Path, type ScalarNode, type Tree } from './tree.js';

/** Where a compose file's relative paths start and where its variables come from. */
export interface ComposeProject {
  /** "" for the files bake reads (buildx's working directory), the included project's directory otherwise. */
  readonly workingDir: string;
  readonly lookup: Lookup;
  /** The files that included this one, outermost first: a file met again is a cycle. */
  readonly includedBy: readonly string[];
}

/** One `include:` entry, read. */
interface IncludeEntry {
  readonly paths: readonly ScalarNode[];
  readonly envFiles: readonly ScalarNode[] | undefined;
  readonly projectDirectory: ScalarNode | undefined;
}

const ENTRY_KEYS = new Set(['path', 'env_file', 'project_directory']);

/** The model of one compose document with its `include:` applied (and removed). */
export function applyIncludes(tree: MapNode, project: ComposeProject, files: HostFiles | undefined): MapNode {
  const field = tree.fields.get('include');
  if (!field) return tree;
  const entries = includeEntries(field.value);
  let services = tree.fields.get('services');
  let secrets = tree.fields.get('secrets');
  for (const entry of entries) {
    if (!files)
      throw bakeError('include needs the included files, and none can be read here', field.keyRange, 'Run bake from the command line, which reads them.');
    const imported = loadIncluded(entry, project, files);
    services = importSection('services', services, imported.fields.get('services'), field.keyRange);
    secrets = importSection('secrets', secrets, imported.fields.get('secrets'), field.keyRange);
  }
  const fields = new Map([...tree.fields].filter(([key]) => key !== 'include'));
  if (services) fields.set('services', services);
  if (secrets) fields.set('secrets', secrets);
  return { ...tree, fields };
}

function includeEntries(node: Tree): IncludeEntry[] {
  if (isNull(node)) return [];
  if (node.kind !== 'seq') {
    const shown = node.kind === 'scalar' ? node.text : node.kind === 'map' ? 'a mapping' : 'a list';
    throw bakeError(`\`include\` must be a list, got ${shown}`, node.range, 'Write include as a list: include:\n  - other/compose.yaml');
  }
  return node.items.map((item, i) => {
    const path: Path = ['include', String(i)];
    if (item.kind === 'scalar' && item.value !== null) return { paths: [requireScalar(item, path)], envFiles: undefined, projectDirectory: undefined };
    if (item.kind !== 'map') throw typeError(path, item, 'string or mapping');
    for (const [key, f] of item.fields) {
      if (!ENTRY_KEYS.has(key))
        throw bakeError(
          `validating : include.${i} Additional property ${key} is not allowed`,
          f.keyRange,
          'An include entry takes path, env_file and project_directory.',
        );
    }
    const paths = item.fields.get('path');
    if (!paths || isNull(paths.value))
      throw bakeError(`validating : include.${i} path is required`, item.range, 'Name the compose file to include with path:.');
    const projectDirectory = item.fields.get('project_directory');
    return {
      paths: scalarList(paths.value, [...path, 'path']),
      envFiles: item.fields.has('env_file') ? scalarList((item.fields.get('env_file') as Field).value, [...path, 'env_file']) : undefined,
      projectDirectory: projectDirectory && !isNull(projectDirectory.value) ? requireScalar(projectDirectory.value, [...path, 'project_directory']) : undefined,
    };
  });
}

/** A string, or a list of strings (compose's StringList). */
function scalarList(node: Tree, path: Path): ScalarNode[] {
  if (node.kind === 'seq') return node.items.map((item) => requireScalar(item, [...path, '[]']));
  return [requireScalar(node, path)];
}

/** compose-go's local resource loader: a relative path joins the working directory. */
function resolvePath(workingDir: string, path: string): string {
  return path.startsWith('/') ? path : goJoin(workingDir, path) || '.';
}

/** Loads one include entry as a project of its own, with its paths already resolved against its directory. */
function loadIncluded(entry: IncludeEntry, project: ComposeProject, files: HostFiles): MapNode {
  const paths = entry.paths.map((p) => ({ node: p, path: resolvePath(project.workingDir, p.text) }));
  const main = paths[0] as (typeof paths)[number];
  if (project.includedBy.includes(main.path)) {
    const chain = [...project.includedBy, main.path];
    throw bakeError(
      `include cycle detected:\n${chain[0]}\n include ${chain.slice(1).join('\n include ')}`,
      main.node.range,
      'Remove one of these includes so the chain ends.',
    );
  }
  const workingDir = entry.projectDirectory ? resolvePath(project.workingDir, entry.projectDirectory.text) : goDir(main.path);
  const lookup = includedLookup(entry, project, workingDir, files);
  const included: ComposeProject = { workingDir, lookup, includedBy: [...project.includedBy, main.path] };
  let model: MapNode | undefined;
  for (const { node, path } of paths) {
    const read = files.read(path);
    if (isHostFileError(read))
      throw bakeError(
        `open ${path}: ${read.error}`,
        node.range,
        `Check the include path: it is relative to ${project.workingDir === '' ? 'the working directory' : project.workingDir}.`,
      );
    for (const parsed of parseDocuments({ filename: path, text: read.text })) {
      const contents = parsed.doc.contents;
      if (contents === null) continue;
      const tree = new TreeBuilder(parsed, lookup).build(contents, [], fileStart(path));
      if (tree.kind !== 'map') throw bakeError('Top-level object must be a mapping', tree.range, 'Start the file with keys such as services:.');
      // Its own paths first: what it includes in turn arrives resolved against its own project already.
      const applied = applyIncludes(rebaseProject(tree, workingDir, lookup('HOME')), included, files);
      model = model ? mergeMaps(model, applied, []) : applied;
    }
  }
  return defaultBuildContexts(model ?? { kind: 'map', fields: new Map(), range: fileStart(main.path) }, workingDir);
}

/**
 * The included project's variables: the including project's first, then its
 * env files (compose-go merges without overriding), later files winning among
 * them. Without env_file, the project directory's `.env` if there is one.
 */
function includedLookup(entry: IncludeEntry, project: ComposeProject, workingDir: string, files: HostFiles): Lookup {
  const envFiles: Array<{ path: string; range: SourceRange | undefined }> = [];
  if (entry.envFiles === undefined) {
    const path = goJoin(workingDir, '.env');
    const stat = files.stat(path);
    if (!isHostFileError(stat) && stat.kind !== 'directory') envFiles.push({ path, range: undefined });
  } else {
    for (const f of entry.envFiles) {
      const path = resolvePath(project.workingDir, f.text);
      const stat = files.stat(path);
      if (isHostFileError(stat))
        throw bakeError(`stat ${path}: ${stat.error}`, f.range, "Name an env file that exists, relative to the including file's project.");
      if (stat.kind === 'directory') throw bakeError(`${path} is not a file`, f.range, 'Name an env file, not a directory.');
      envFiles.push({ path, range: f.range });
    }
  }
  const fromFiles = new Map<string, string>();
  for (const { path, range } of envFiles) {
    const read = files.read(path);
    if (isHostFileError(read)) throw bakeError(`open ${path}: ${read.error}`, range, 'Make the env file readable.');
    for (const [k, v] of parseDotenv(read.text, { lookup: project.lookup, filename: path })) fromFiles.set(k, v);
  }
  return (name) => project.lookup(name) ?? fromFiles.get(name);
}

/**
 * compose-go resolves an included project's relative paths against its
 * directory as it loads it, so they reach the including project as paths
 * from buildx's working directory: build contexts, additional contexts, SSH
 * keys and secret files. (buildx 0.13.1's compose-go resolved them again in
 * each enclosing project, `inner/inner/…`; they are resolved once here.)
 */
function rebaseProject(model: MapNode, dir: string, home: string | undefined): MapNode {
  const services = model.fields.get('services');
  const secrets = model.fields.get('secrets');
  const fields = new Map(model.fields);
  if (services?.value.kind === 'map')
    fields.set('services', { ...services, value: mapFields(services.value, (name, service) => rebaseService(service, ['services', name], dir, home)) });
  if (secrets?.value.kind === 'map') {
    fields.set('secrets', {
      ...secrets,
      value: mapFields(secrets.value, (_name, secret) =>
        secret.kind === 'map' ? mapFields(secret, (key, v) => (key === 'file' ? rebaseScalar(v, (t) => unixPath(t, home, dir)) : v)) : secret,
      ),
    });
  }
  return { ...model, fields };
}

function rebaseService(service: Tree, path: Path, dir: string, home: string | undefined): Tree {
  if (service.kind !== 'map') return service;
  const buildField = service.fields.get('build');
  if (!buildField || isNull(buildField.value)) return service;
  const buildPath = [...path, 'build'];
  const build = buildMap(buildField.value, buildPath);
  const fields = new Map(build.fields);
  const context = fields.get('context');
  if (context) fields.set('context', { ...context, value: rebaseScalar(context.value, (t) => contextPath(t, home, dir)) });
  const additional = fields.get('additional_contexts');
  if (additional && !isNull(additional.value)) {
    fields.set('additional_contexts', {
      ...additional,
      value: mapFields(dictMap(additional.value, [...buildPath, 'additional_contexts']), (_k, v) => rebaseScalar(v, (t) => contextPath(t, home, dir))),
    });
  }
  const ssh = fields.get('ssh');
  if (ssh && !isNull(ssh.value)) {
    // An id without a path is the default agent, not a file.
    fields.set('ssh', {
      ...ssh,
      value: mapFields(sshMap(ssh.value, [...buildPath, 'ssh']), (_k, v) => (isNull(v) ? v : rebaseScalar(v, (t) => unixPath(t, home, dir)))),
    });
  }
  return { ...service, fields: new Map([...service.fields, ['build', { ...buildField, value: { ...build, fields } }]]) };
}

/** A build without a context builds its project's directory: once the project's files are merged, as compose-go sets defaults. */
function defaultBuildContexts(model: MapNode, dir: string): MapNode {
  const services = model.fields.get('services');
  if (services?.value.kind !== 'map') return model;
  const value = mapFields(services.value, (name, service) => {
    if (service.kind !== 'map') return service;
    const buildField = service.fields.get('build');
    if (!buildField || isNull(buildField.value)) return service;
    const build = buildMap(buildField.value, ['services', name, 'build']);
    const context = build.fields.get('context');
    if (context && !isNull(context.value)) return service;
    const fields = new Map([...build.fields, ['context', { keyRange: build.range, value: scalarAt(dir, build.range) }]]);
    return { ...service, fields: new Map([...service.fields, ['build', { ...buildField, value: { ...build, fields } }]]) };
  });
  return { ...model, fields: new Map([...model.fields, ['services', { ...services, value }]]) };
}

function rebaseScalar(node: Tree, rebase: (text: string) => string): Tree {
  if (node.kind !== 'scalar' || node.value === null) return node;
  const text = rebase(node.text);
  return { ...node, value: text, text };
}

function scalarAt(text: string, range: SourceRange): ScalarNode {
  return { kind: 'scalar', value: text, text, range };
}

function mapFields(map: MapNode, f: (key: string, value: Tree) => Tree): MapNode {
  return { ...map, fields: new Map([...map.fields].map(([key, field]) => [key, { ...field, value: f(key, field.value) }])) };
}

/** compose-go's importResource: imported names join the section; one defined differently on both sides is an error. */
function importSection(section: string, own: Field | undefined, imported: Field | undefined, at: SourceRange): Field | undefined {
  if (!imported || imported.value.kind !== 'map') return own;
  if (own && own.value.kind !== 'map' && !isNull(own.value)) return own;
  const fields = new Map(own && own.value.kind === 'map' ? own.value.fields : []);
  for (const [name, field] of imported.value.fields) {
    const existing = fields.get(name);
    if (existing) {
      if (sameTree(existing.value, field.value)) continue;
      throw bakeError(
        `${section}.${name} conflicts with imported resource`,
        existing.keyRange,
        `Rename one of the two ${section}.${name}, or remove it here and use the included one.`,
      );
    }
    fields.set(name, field);
  }
  return { keyRange: own?.keyRange ?? at, value: { kind: 'map', fields, range: own?.value.range ?? imported.value.range } };
}

/** reflect.DeepEqual of two decoded values: the same shape and scalars, wherever they were written. */
function sameTree(a: Tree, b: Tree): boolean {
  if (a.kind === 'scalar' || b.kind === 'scalar') return a.kind === 'scalar' && b.kind === 'scalar' && a.value === b.value;
  if (a.kind === 'seq' || b.kind === 'seq')
    return a.kind === 'seq' && b.kind === 'seq' && a.items.length === b.items.length && a.items.every((x, i) => sameTree(x, b.items[i] as Tree));
  return a.fields.size === b.fields.size && [...a.fields].every(([k, f]) => b.fields.has(k) && sameTree(f.value, (b.fields.get(k) as Field).value));
}
