import type { ItemId } from '../domain/item.js';
import type { Series, SeriesId, SeriesOverride } from '../domain/series.js';

/**
 * Program series (shared/domain/series.ts) and what linking them needs: the stored series, which
 * series each item is a round of, the items met under each series key, and the operators'
 * overrides. On the items table (see dynamodb-series-store.ts for the keys). Adapters pass
 * test/support/series-store.contract.ts.
 *
 * Linking recomputes a group of series from its items and writes the result; writes are plain
 * replacements (last writer wins), which is safe because a later change to any member recomputes
 * the group again from the store.
 */
export interface SeriesStore {
  /** `undefined` when there is no such series. */
  get(id: SeriesId): Promise<Series | undefined>;
  /** The series the item is a round of; `undefined` when none. */
  seriesIdOf(itemId: ItemId): Promise<SeriesId | undefined>;
  /** Records the item under each key (`seriesKeysOf`). Idempotent. */
  addKeyMembers(keys: readonly string[], itemId: ItemId): Promise<void>;
  /** Every item recorded under the key, sorted; `[]` for an unknown key. */
  keyMembers(key: string): Promise<ItemId[]>;
  /** Stores the series (replacing one of its id) and points each round's item at it. */
  save(series: Series): Promise<void>;
  /** Deletes the series record. Idempotent; memberships are the caller's (`clearMembership`). */
  remove(id: SeriesId): Promise<void>;
  /**
   * Every stored series whose forecast is `expected` (a next round is forecast), earliest expected
   * opening first (then by id). What the index puts on newest rounds and the digest's forecast
   * lines read; series without a forecast are not listed. Few: at most one per program.
   */
  listForecasts(): Promise<Series[]>;
  /** Forgets the item's series. Idempotent. */
  clearMembership(itemId: ItemId): Promise<void>;
  /** Stores an operator's decision on a pair, replacing an earlier one on the same pair. */
  putOverride(override: SeriesOverride): Promise<void>;
  /** Every override, sorted by pair. Operators make few, so this is one read. */
  listOverrides(): Promise<SeriesOverride[]>;
}
