/**
 * The OpenSearch index template of the search index: Japanese analysis (see opensearch-search-index.ts)
 * and a strict mapping of `SearchDoc`.
 */

/**
 * Fields added to the mapping after indices were first created. `ensureIndex` puts them on the
 * live index (`PUT <alias>/_mapping`: adding fields is allowed in place), so an index made before
 * them accepts documents that carry them without a reindex; documents written before simply lack
 * them (no applicants, no ceiling, no forecast) until they are written again.
 */
export const addedFields = {
  applicants: { type: 'keyword' },
  amountCeiling: { type: 'long' },
  // Only the forecast opening window is searched and sorted on; the rest is kept for hits.
  forecast: {
    properties: {
      seriesId: { type: 'keyword', index: false, doc_values: false },
      opens: {
        properties: {
          from: { type: 'date', format: 'strict_date' },
          to: { type: 'date', format: 'strict_date' },
        },
      },
      closes: { type: 'object', enabled: false },
      text: { type: 'keyword', index: false, doc_values: false },
    },
  },
} as const;

/** The index template for `<prefix>-v*` indices with `replicas` replicas. */
export function indexTemplate(prefix: string, replicas: number): unknown {
  const text = { type: 'text', analyzer: 'ja_index', search_analyzer: 'ja_search', index_options: 'offsets' };
  return {
    index_patterns: [`${prefix}-v*`],
    template: {
      settings: {
        index: { number_of_shards: 1, number_of_replicas: replicas },
        analysis: {
          filter: {
            ja_bigram_index: { type: 'cjk_bigram', output_unigrams: true },
            ja_bigram_search: { type: 'cjk_bigram', output_unigrams: false },
          },
          analyzer: {
            ja_index: {
              type: 'custom',
              tokenizer: 'standard',
              filter: ['cjk_width', 'lowercase', 'ja_bigram_index'],
            },
            ja_search: {
              type: 'custom',
              tokenizer: 'standard',
              filter: ['cjk_width', 'lowercase', 'ja_bigram_search'],
            },
          },
        },
      },
      mappings: {
        dynamic: 'strict',
        properties: {
          id: { type: 'keyword' },
          kind: { type: 'keyword' },
          title: { ...text, fields: { keyword: { type: 'keyword', ignore_above: 512 } } },
          summary: text,
          bodyText: text,
          url: { type: 'keyword', index: false },
          publisher: { type: 'keyword' },
          ministry: { type: 'keyword' },
          prefectures: { type: 'keyword' },
          regions: { type: 'keyword' },
          fields: { type: 'keyword' },
          publishedAt: { type: 'date' },
          opensAt: { type: 'date' },
          closesAt: { type: 'date' },
          updatedAt: { type: 'date' },
          withdrawn: { type: 'boolean' },
          sources: { type: 'keyword' },
          ...addedFields,
        },
      },
    },
  };
}
