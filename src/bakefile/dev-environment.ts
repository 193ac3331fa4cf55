/**
 * What `bake dev` runs: the selected services (and those they depend on),
 * validated, with the targets they build resolved as `bake` would build them.
 */
import { dedupe } from '../core/collections.js';
import type { EvaluatedFiles } from './evaluate.js';
import type { Service } from './model.js';
import { resolveServices, resolveTargets, type ResolvedConfig, type ResolveOptions } from './resolve.js';
import { checkWatchContexts, selectServices } from './services.js';

export interface DevEnvironment {
  readonly resolved: ResolvedConfig;
  readonly services: Service[];
}

export function resolveDevEnvironment(evaluated: EvaluatedFiles, serviceNames: readonly string[], options: Omit<ResolveOptions, 'names'>): DevEnvironment {
  const services = selectServices(resolveServices(evaluated, options.warn), serviceNames, evaluated.targets);
  const targetNames = dedupe(services.flatMap((s) => (s.target ? [s.target] : [])));
  // With no service that builds, there is nothing to resolve (not even a default group).
  const resolved = targetNames.length
    ? resolveTargets(evaluated, { ...options, names: targetNames })
    : { groups: new Map(), targets: new Map(), linked: new Set<string>() };
  checkWatchContexts(services, resolved.targets);
  return { resolved, services };
}
