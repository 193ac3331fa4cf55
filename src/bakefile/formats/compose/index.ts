/**
 * Compose files as `docker buildx bake` reads them (buildx v0.36.1
 * bake/compose.go on compose-go v2): every service with `build:` becomes a
 * target (plus the `x-bake` extension), the `default` group holds them all,
 * and — our addition — every service becomes a `Service` for `bake dev`.
 *
 * The pipeline follows compose-go's loader: YAML (yaml.v3's scalar typing)
 * → interpolation of every string value → merge of the files (and of the
 * documents of one file) with compose's override rules → same-file `extends`
 * → the checks buildx's filtered schema validation and consistency check
 * make → buildx's mapping. Relative paths are cleaned the way compose-go
 * joins them onto buildx's empty working directory (`./dir` → `dir`).
 *
 * Each step has its module: tree.ts (YAML → tree, with scalars.ts for
 * yaml.v3's typing), model.ts (project name, documents merged by merge.ts,
 * extends, checks from validate.ts), fields.ts (typed reads), targets.ts and
 * services.ts (the mapping), golibs.ts (the Go libraries they follow). This
 * module is the public API and runs the steps in order.
 *
 * Every error is a BakeFileError pointing at the YAML node at fault.
 */
import { BakeFileError } from '../../../core/diagnostics.js';
import { compareStrings } from '../../expr/value.js';
import { mergeTarget } from '../../merge.js';
import type { Group, Service, Target } from '../../model.js';
import { buildMap } from './fields.js';
import { loadModel, type ComposeEnvironment, type ComposeModel } from './model.js';
import { composeService } from './services.js';
import { buildTarget, checkConsistency } from './targets.js';
import type { ComposeSource, MapNode } from './tree.js';

export type { ComposeEnvironment } from './model.js';
export type { ComposeSource } from './tree.js';

export interface ComposeConfig {
  groups: Group[];
  targets: Target[];
  services: Service[];
}

const NO_ENVIRONMENT: ComposeEnvironment = { lookup: () => undefined };

/**
 * buildx's validateComposeFile: `.yml`/`.yaml` files are compose (errors come
 * later, from readCompose), `.json`/`.hcl` files are not, and any other file
 * is compose when it loads as one.
 */
export function isComposeFile(filename: string, text: string, env: ComposeEnvironment = NO_ENVIRONMENT): boolean {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.yml') || lower.endsWith('.yaml')) return true;
  if (lower.endsWith('.json') || lower.endsWith('.hcl')) return false;
  try {
    // The consistency check is skipped here, as buildx skips it when validating one file.
    mapModel(loadModel([{ filename, text }], env), false);
    return true;
  } catch (e) {
    if (e instanceof BakeFileError) return false;
    throw e;
  }
}

/** Reads compose files (later files override earlier ones) into groups, targets and services. */
export function readCompose(files: readonly ComposeSource[], env: ComposeEnvironment): ComposeConfig {
  return mapModel(loadModel(files, env), true);
}

/** buildx's ParseCompose (its targets and the `default` group holding them), then our services. */
function mapModel(model: ComposeModel, consistency: boolean): ComposeConfig {
  const services = [...(model.services?.fields ?? [])].map(([name, field]): [string, MapNode] => [
    name,
    field.value.kind === 'map' ? field.value : { kind: 'map', fields: new Map(), range: field.value.range },
  ]);
  if (consistency) checkConsistency(services, model.secrets);
  // Services whose names differ only by `.` and `_` (web.app, web_app) make one target, the later
  // merged over the earlier, as buildx's dedupeConfig merges them (its TestReadTargetsWithDotCompose).
  const targets = new Map<string, Target>();
  for (const [name, service] of services) {
    const build = service.fields.get('build');
    if (!build) continue;
    const target = buildTarget(name, service, buildMap(build.value, ['services', name, 'build']), model);
    const earlier = targets.get(target.name);
    targets.set(target.name, earlier ? mergeTarget(earlier, target) : target);
  }
  const groups: Group[] = services.length ? [{ name: 'default', targets: [...targets.keys()].sort(compareStrings) }] : [];
  return { groups, targets: [...targets.values()], services: services.map(([name, service]) => composeService(name, service, model.lookup)) };
}
