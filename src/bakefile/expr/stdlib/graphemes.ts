/**
 * cty measures strings in grapheme clusters (what a reader sees as one
 * character), not in code units or code points.
 */
let segmenter: Intl.Segmenter | undefined;

export function graphemes(s: string): string[] {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return Array.from(segmenter.segment(s), (part) => part.segment);
}
