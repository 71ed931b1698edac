import { findIndexDrift, type IndexDrift } from '../../functions/indexer/index-drift.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import type { ItemStore } from '../../shared/store/item-store.js';
import type { SeriesStore } from '../../shared/store/series-store.js';

/** Store against index, by content (see `findIndexDrift`). */
export type IndexParity = IndexDrift;

/**
 * Every stored item against its indexed document, by a digest of the whole search document:
 * `missing`, `stale` and `extra` are empty exactly when the index equals the store by content.
 * With `series`, the newest round of a series is expected to carry its forecast, as the indexer
 * projects it. Refresh an OpenSearch index first.
 */
export function indexParity(
  store: Pick<ItemStore, 'scanItems'>,
  index: SearchIndex,
  series?: Pick<SeriesStore, 'listForecasts'>,
): Promise<IndexParity> {
  return findIndexDrift({ store, index, ...(series ? { series } : {}) });
}
