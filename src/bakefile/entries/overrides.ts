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
import { parseGoBool } from '../../golang/strconv.js';

/** `push=true`: image outputs push; with no outputs but docker ones, an image output that pushes is added. `push=false`: registry outputs go, image outputs stop pushing. */
export function applyPushOverride(outputs: readonly Entry[], push: boolean): Entry[] {
  if (!push) {
    const out = [...outputs];
    for (let i = 0; i < out.length;) {
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
 * buildx's CanonicalizeAttest: the `--set *.attest=` text a `--provenance` or
 * `--sbom` flag stands for, so the flag overrides the target's entry of that
 * type. An empty value sets nothing.
 */
export function canonicalAttest(kind: 'provenance' | 'sbom', value: string): string {
  if (value === '') return '';
  const flag = parseGoBool(value);
  return flag === undefined ? `type=${kind},${value}` : `type=${kind},disabled=${!flag}`;
}
