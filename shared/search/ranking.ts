/**
 * The ranking rules both search engines follow (docs/design.md, "Search semantics"), in one place.
 *
 * Relevance: every query term adds the weight of each text field it matches in (a term found in
 * title and body adds 3 + 1). Ties, and the `newest` sort, go by `rankDateKeys` (each descending,
 * missing last), then by id ascending. The deadline sort is `deadline-rank.ts`.
 */

/** The searched text fields and their relevance weights, in the order the engines number them. */
export const textFieldWeights = [
  { field: 'title', weight: 3 },
  { field: 'summary', weight: 1.5 },
  { field: 'bodyText', weight: 1 },
] as const;

/** Date fields that order equal scores (relevance) and whole results (`newest`): descending, missing last. */
export const rankDateKeys = ['publishedAt', 'updatedAt'] as const;
