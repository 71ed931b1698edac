import type { ItemId } from '../../shared/domain/item.js';
import type { Log } from '../../shared/log.js';
import { toSearchDoc, type SearchIndex } from '../../shared/search/search-index.js';
import type { ItemChange } from '../../shared/store/item-store.js';
import { linkSeries, type SeriesLinkDeps } from './link-series.js';

export interface ApplyResult {
  readonly upserted: number;
  readonly removed: number;
}

/**
 * Applies item changes (from the DynamoDB stream or the local stack) to the search index: an item
 * that exists after the change is upserted (a withdrawn one too: it stays findable with
 * `includeWithdrawn`, flagged), a deleted one is removed. Of several changes to one id in a batch
 * only the last counts, so the index ends where the table ended. One bulk upsert and one bulk
 * removal per call. With `series`, the changed items are then linked into program series
 * (link-series.ts); a linking failure fails the call like an index failure, so it is retried.
 */
export async function applyChanges(
  deps: { readonly index: SearchIndex; readonly log: Log; readonly series?: SeriesLinkDeps },
  changes: readonly ItemChange[],
): Promise<ApplyResult> {
  const last = new Map<ItemId, ItemChange>();
  for (const change of changes) {
    last.delete(change.id);
    last.set(change.id, change);
  }
  const upserts = [...last.values()].flatMap((c) => (c.newItem ? [toSearchDoc(c.newItem)] : []));
  const removals = [...last.values()].filter((c) => !c.newItem).map((c) => c.id);
  if (upserts.length > 0) await deps.index.upsert(upserts);
  if (removals.length > 0) await deps.index.remove(removals);
  if (deps.series) await linkSeries(deps.series, [...last.values()]);
  deps.log.debug('index changes applied', { upserted: upserts.length, removed: removals.length });
  return { upserted: upserts.length, removed: removals.length };
}
