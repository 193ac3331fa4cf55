/**
 * The output and attest changes `bake --push`, `--load`, `--provenance` and
 * `--sbom` make (they reach a target as `*.push=true`, `*.load=true` and
 * `*.attest=...` overrides: setPushOverride, setLoadOverride and
 * CanonicalizeAttest in buildx).
 *
 * Buildx applies a target's overrides in Go map order, which is random, so
 * with both --load and --push it prints the two added outputs in either
 * order; callers that want one fixed order apply load first, which gives
 * `docker` then `image` (the order buildx's own tests list them in).
 */
import type { Entry } from '../model.js';
import { parseOverrideEntries } from './lists.js';
import { parseGoBool } from '../golang.js';

/** `push=true`: image outputs push; with no outputs but docker ones, an image output that pushes is added. `push=false`: registry outputs go, image outputs stop pushing. */
export function applyPushOverride(outputs: readonly Entry[], push: boolean): Entry[] {
  if (!push) {
    const out = [...outputs];
    for (let i = 0; i < out.length; ) {
      const output = out[i] as Entry;
      if (output['type'] === 'registry') {
        // Removed by moving the last output into its place, as buildx does.
        out[i] = out[out.length - 1] as Entry;
        out.pop();
        continue;
      }
      if (output['type'] === 'image') out[i] = { ...output, push: 'false' };
      i++;
    }
    return out;
  }
  const out = outputs.map((output) => (output['type'] === 'image' ? { ...output, push: 'true' } : output));
  if (outputs.every((output) => output['type'] === 'docker')) out.push({ type: 'image', push: 'true' });
  return out;
}

/** `load=true` adds a docker output, unless one without a destination exists or some output is neither image, registry, oci nor docker. */
export function applyLoadOverride(outputs: readonly Entry[], load: boolean): Entry[] {
  const reusable = outputs.some((output) => output['type'] === 'docker' && output['dest'] === undefined);
  const foreign = outputs.some((output) => !['docker', 'image', 'registry', 'oci'].includes(output['type'] ?? ''));
  return !load || reusable || foreign ? [...outputs] : [...outputs, { type: 'docker' }];
}

/**
 * The attest entry a `--provenance` or `--sbom` value stands for: `true` and
 * `false` (any Go boolean spelling) enable or disable it, anything else is
 * its attributes (`mode=max`, `builder-id=...`). Merge it into the target's
 * attest list, where it replaces the entry of its type. An empty flag
 * value sets nothing.
 */
export function parseAttestFlag(kind: 'provenance' | 'sbom', value: string): Entry | undefined {
  if (value === '') return undefined;
  const flag = parseGoBool(value);
  const text = flag === undefined ? `type=${kind},${value}` : `type=${kind},disabled=${!flag}`;
  return parseOverrideEntries('attest', [text])[0];
}
