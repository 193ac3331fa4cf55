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
