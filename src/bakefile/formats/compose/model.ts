/**
 * The compose model as compose-go's loader builds it: the project name
 * (exported to interpolation), every document turned into an interpolated
 * tree and merged in order, same-file `extends` resolved, and the result
 * cut down to what buildx keeps (`services` and `secrets`) and validated.
 */
import { isMap, isScalar } from 'yaml';
import { bakeError, fileStart, type SourceRange } from '../../../core/diagnostics.js';
import { goQuote } from '../../../golang/strconv.js';
import { interpolate, type Lookup } from '../interpolate.js';
import type { HostFiles } from '../../host.js';
import { requireString, typeError } from './fields.js';
import { applyIncludes } from './include.js';
import { mergeMaps } from './merge.js';
import { TreeBuilder, dotted, isNull, parseDocuments, rangeOf, type ComposeSource, type MapNode, type ParsedDocument, type Path, type Tree } from './tree.js';
import { validateSecrets, validateServices } from './validate.js';

/** The environment compose interpolates with: the process environment first, then `.env`; and the host's files, for `include:`. */
export interface ComposeEnvironment {
  lookup(name: string): string | undefined;
  readonly dotenv?: ReadonlyMap<string, string>;
  readonly files?: HostFiles;
}

export interface ComposeModel {
  readonly services: MapNode | undefined;
  readonly secrets: MapNode | undefined;
  readonly lookup: Lookup;
}

export function loadModel(files: readonly ComposeSource[], env: ComposeEnvironment): ComposeModel {
  const documents = files.flatMap(parseDocuments);
  const environment: Lookup = (name) => env.lookup(name) ?? env.dotenv?.get(name);
  const project = projectName(documents, environment);
  // compose-go exports the project name to interpolation (`bake` unless set).
  const lookup: Lookup = (name) => (name === 'COMPOSE_PROJECT_NAME' ? project : environment(name));

  let model: MapNode | undefined;
  for (const parsed of documents) {
    const contents = parsed.doc.contents;
    if (contents === null || (isScalar(contents) && contents.value === null)) continue;
    const start = fileStart(parsed.filename);
    const built = new TreeBuilder(parsed, lookup).build(contents, [], start);
    if (built.kind !== 'map') throw bakeError('Top-level object must be a mapping', built.range, 'Start the file with keys such as services:.');
    // compose-go applies a file's includes before merging it with the other files.
    const tree = applyIncludes(built, { workingDir: '', lookup, includedBy: [parsed.filename] }, env.files);
    model = model ? mergeMaps(model, tree, []) : tree;
  }
  const first = files[0]?.filename ?? '-';
  const servicesField = model?.fields.get('services');
  // compose-go's loader refuses a services section that is not a mapping (null, a list, a scalar) before anything else.
  if (servicesField && servicesField.value.kind !== 'map')
    throw bakeError(
      'services must be a mapping',
      isNull(servicesField.value) ? servicesField.keyRange : servicesField.value.range,
      'Write services as a mapping of service names to services: services:\n  app:\n    build: .',
    );
  const services = servicesField?.value;
  const secrets = model?.fields.get('secrets')?.value;
  // buildx keeps only `services` (when a mapping) and `secrets`; with neither, the file is empty.
  if (services?.kind !== 'map' && secrets === undefined) throw bakeError('empty compose file', model?.range ?? fileStart(first), 'Add a services: section.');
  if (secrets !== undefined && secrets.kind !== 'map' && !isNull(secrets)) throw typeError(['secrets'], secrets, 'mapping');
  return {
    services: services?.kind === 'map' ? validateServices(resolveExtends(services)) : undefined,
    secrets: secrets?.kind === 'map' ? validateSecrets(secrets) : undefined,
    lookup,
  };
}

const INVALID_PROJECT_NAME = 'must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number';

/**
 * buildx names the project COMPOSE_PROJECT_NAME or `bake`, without insisting,
 * so a top-level `name:` (interpolated, normalized) wins over both.
 */
function projectName(documents: readonly ParsedDocument[], lookup: Lookup): string {
  let name = lookup('COMPOSE_PROJECT_NAME') || 'bake';
  let range: SourceRange | undefined;
  for (const parsed of documents) {
    const contents = parsed.doc.contents;
    if (!isMap(contents)) continue;
    const pair = contents.items.find((p) => isScalar(p.key) && p.key.value === 'name');
    if (!pair || !isScalar(pair.value) || typeof pair.value.value !== 'string') continue;
    const [from, to] = pair.value.range ?? [0, 0];
    range = rangeOf(parsed.filename, parsed.lines, from, to);
    const normalized = normalizeProjectName(interpolate(pair.value.value, lookup, { range, path: 'name' }));
    if (normalized !== '') name = normalized;
  }
  if (normalizeProjectName(name) !== name) {
    throw bakeError(
      `invalid project name ${goQuote(name)}: ${INVALID_PROJECT_NAME}`,
      range ?? fileStart(documents[0]?.filename ?? '-'),
      'Set COMPOSE_PROJECT_NAME to a lowercase name.',
    );
  }
  return name;
}

function normalizeProjectName(name: string): string {
  return (name.toLowerCase().match(/[a-z0-9_-]/g) ?? []).join('').replace(/^[_-]+/, '');
}

/** Same-file `extends`: the base service merged under the extending one, as compose-go's ExtendService does. */
function resolveExtends(services: MapNode): MapNode {
  const resolved = new Map<string, Tree>();
  const resolve = (name: string, chain: readonly string[]): Tree => {
    const done = resolved.get(name);
    if (done) return done;
    const service = services.fields.get(name)?.value as Tree;
    const extendsField = service.kind === 'map' ? service.fields.get('extends') : undefined;
    if (service.kind !== 'map' || !extendsField) return service;
    const path = ['services', name, 'extends'];
    const base = extendsService(extendsField.value, path);
    if (chain.includes(base))
      throw bakeError(`circular reference: ${[...chain, name, base].join(' -> ')}`, extendsField.value.range, 'Break the extends cycle.');
    if (!services.fields.has(base))
      throw bakeError(
        `cannot extend service ${goQuote(name)}: service ${goQuote(base)} not found`,
        extendsField.value.range,
        'Name a service defined in this project.',
      );
    const own: MapNode = { ...service, fields: new Map([...service.fields].filter(([key]) => key !== 'extends')) };
    const baseTree = resolve(base, [...chain, name]);
    const merged = baseTree.kind === 'map' ? mergeMaps(baseTree, own, ['services', name]) : own;
    resolved.set(name, merged);
    return merged;
  };
  return { ...services, fields: new Map([...services.fields].map(([name, field]) => [name, { ...field, value: resolve(name, []) }])) };
}

function extendsService(node: Tree, path: Path): string {
  if (node.kind === 'scalar' && typeof node.value === 'string') return node.value;
  if (node.kind !== 'map') throw typeError(path, node, 'string or mapping');
  if (node.fields.has('file'))
    throw bakeError(
      'extends with file is not supported',
      node.fields.get('file')?.keyRange,
      'Pass the other compose file with -f, or copy the base service here.',
    );
  const service = node.fields.get('service');
  if (!service) throw bakeError(`${dotted(path)} must have a service`, node.range, 'Name the service to extend with service:.');
  return requireString(service.value, [...path, 'service']);
}
