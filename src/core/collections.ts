/** Small collection helpers shared across modules. */

/** The items in first-seen order, each once (buildx's dedupSlice). */
export function dedupe<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
