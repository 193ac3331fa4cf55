/**
 * What buildx's schema validation of its filtered model checks: service and
 * secret names, that each is a mapping, the kinds of `image` and `build`,
 * and the keys `build:` and a secret may have. buildx validates only what it keeps of the model, so
 * everything else passes here unchecked, as it does there.
 */
import { bakeError, type BakeFileError, type SourceRange } from '../../../core/diagnostics.js';
import { requireString, typeError } from './fields.js';
import { dotted, isNull, type MapNode, type Path, type Tree } from './tree.js';

const SERVICE_NAME = /^[a-zA-Z0-9._-]+$/;
const BUILD_KEYS = new Set([
  'context',
  'dockerfile',
  'dockerfile_inline',
  'args',
  'additional_contexts',
  'cache_from',
  'cache_to',
  'entitlements',
  'extra_hosts',
  'isolation',
  'labels',
  'network',
  'no_cache',
  'pull',
  'provenance',
  'sbom',
  'secrets',
  'shm_size',
  'ssh',
  'tags',
  'target',
  'ulimits',
  'platforms',
  'privileged',
]);
const SECRET_KEYS = new Set(['name', 'environment', 'file', 'external', 'labels', 'driver', 'driver_opts', 'template_driver']);

export function validateServices(services: MapNode): MapNode {
  for (const [name, service] of sectionEntries('services', services)) {
    const image = service.fields.get('image');
    if (image && !isNull(image.value)) requireString(image.value, ['services', name, 'image']);
    const build = service.fields.get('build');
    if (build) validateBuild(build.value, ['services', name, 'build']);
  }
  return services;
}

function validateBuild(build: Tree, path: Path): void {
  if (build.kind === 'scalar' && typeof build.value === 'string') return;
  if (build.kind !== 'map') throw typeError(path, build, 'string or mapping');
  checkKeys(build, BUILD_KEYS, path);
}

export function validateSecrets(secrets: MapNode): MapNode {
  for (const [name, secret] of sectionEntries('secrets', secrets)) checkKeys(secret, SECRET_KEYS, ['secrets', name]);
  return secrets;
}

/**
 * The entries of a top-level section, checked as they come: a name the schema
 * allows, then a mapping. An empty entry (`foo:`) is refused by the schema
 * (buildx's TestValidateComposeFile "empty service"); any other non-mapping
 * by compose-go's loader before it, hence the two wordings.
 */
function* sectionEntries(section: string, map: MapNode): Generator<[name: string, entry: MapNode]> {
  for (const [name, field] of map.fields) {
    if (!SERVICE_NAME.test(name)) throw additionalProperty([section], name, field.keyRange);
    const entry = field.value;
    if (isNull(entry))
      throw bakeError(
        `${SCHEMA_ERROR_PREFIX}${section}.${name} must be a mapping`,
        field.keyRange,
        `Give ${section}.${name} its keys (for a service, at least image: or build:), or remove it.`,
      );
    if (entry.kind !== 'map') throw typeError([section, name], entry, 'mapping');
    yield [name, entry];
  }
}

/** The schema's keys, plus extensions (`x-`), are the only keys a mapping may have. */
function checkKeys(map: MapNode, allowed: ReadonlySet<string>, path: Path): void {
  for (const [key, field] of map.fields) {
    if (!allowed.has(key) && !key.startsWith('x-')) throw additionalProperty(path, key, field.keyRange);
  }
}

/**
 * How buildx reports what the compose schema refuses: compose-go's
 * "validating FILENAME: " (buildx passes no file name) before
 * gojsonschema's sentence (issue 16, cause 8).
 */
const SCHEMA_ERROR_PREFIX = 'validating : ';

function additionalProperty(path: Path, key: string, range: SourceRange): BakeFileError {
  return bakeError(
    `${SCHEMA_ERROR_PREFIX}${dotted(path)} Additional property ${key} is not allowed`,
    range,
    'Remove it or check its spelling; extensions must start with x-.',
  );
}
