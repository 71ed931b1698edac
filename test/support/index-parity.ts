import { findIndexDrift, type IndexDrift } from '../../functions/indexer/index-drift.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import type { ItemStore } from '../../shared/store/item-store.js';

/** Store against index, by content (see `findIndexDrift`). */
export type IndexParity = IndexDrift;

/**
 * Every stored item against its indexed document, by a digest of the whole search document:
 * `missing`, `stale` and `extra` are empty exactly when the index equals the store by content.
 * Refresh an OpenSearch index first.
 */
export function indexParity(store: Pick<ItemStore, 'scanItems'>, index: SearchIndex): Promise<IndexParity> {
  return findIndexDrift({ store, index });
}
