/** "Did you mean" suggestions, as HCL makes them. */

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** HCL's nameSuggestion: the first candidate, in the order given, within edit distance 2. */
export function nameSuggestion(word: string, candidates: readonly string[]): string | undefined {
  return candidates.find((c) => editDistance(word, c) < 3);
}

/**
 * The candidate nearest to `word`, within edit distance 2 (HCL's bound), the
 * first of equals in the order given: for a name typed on the command line,
 * where the nearest is what was meant (`wbe` is `web`, not `api` before it).
 */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(word, name);
    if (distance < 3 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/**
 * The fix for a name nothing defines: the nearest defined one ("Did you
 * mean "web"?"), then the names to choose from. Names starting with `_` are
 * templates (buildx hides them from --list): suggested, but not listed.
 */
export function unknownNameFix(word: string, candidates: readonly string[], what: string, defineHow: string): string {
  const suggestion = closestName(word, candidates);
  const listed = [...new Set(candidates.filter((c) => !c.startsWith('_')))];
  if (suggestion) return listed.length ? `Did you mean "${suggestion}"? The defined ${what}: ${listed.join(', ')}.` : `Did you mean "${suggestion}"?`;
  return listed.length ? `Use one of the defined ${what}: ${listed.join(', ')}.` : defineHow;
}
