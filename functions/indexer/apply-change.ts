import type { Item, ItemId } from '../../shared/domain/item.js';
import type { Log } from '../../shared/log.js';
import { toSearchDoc, type SearchDoc, type SearchIndex } from '../../shared/search/search-index.js';
import type { ItemChange } from '../../shared/store/item-store.js';
import { linkSeries, type LinkResult, type SeriesLinkDeps } from './link-series.js';

export interface ApplyResult {
  /** Changed items written to the index. */
  readonly upserted: number;
  /** Deleted items removed from the index. */
  readonly removed: number;
  /** Other items written again because their series changed (the newest round or the forecast moved). */
  readonly reprojected: number;
  /** What linking found and wrote; absent when the call links no series. */
  readonly linked?: LinkResult;
}

/**
 * Applies item changes (from the DynamoDB stream or the local stack) to the search index: an item
 * that exists after the change is upserted (a withdrawn one too: it stays findable with
 * `includeWithdrawn`, flagged), a deleted one is removed. Of several changes to one id in a batch
 * only the last counts, so the index ends where the table ended.
 *
 * With `series`, the changed items are linked into program series (link-series.ts) and every
 * document is the projection of its item with its series (`toSearchDoc(item, series)`: the
 * series' forecast goes on its newest round). When linking writes or removes a series, the other
 * rounds of that series (and the former rounds of a removed one) are upserted again in the same
 * bulk write, so the round that stopped being the newest loses the forecast and the new one gains
 * it. The index is written before the series records: if the index write fails nothing of the
 * series is written, and the retry computes and writes the same documents again. One bulk upsert
 * and one bulk removal per call; any failing part fails the call, so it is retried.
 */
export async function applyChanges(
  deps: { readonly index: SearchIndex; readonly log: Log; readonly series?: SeriesLinkDeps },
  changes: readonly ItemChange[],
): Promise<ApplyResult> {
  const { series } = deps;
  return series ? applyAndLink({ ...deps, series }, changes) : applyUnlinked(deps, changes);
}

/** `applyChanges` with series: the result always has what linking found. */
export async function applyAndLink(
  deps: { readonly index: SearchIndex; readonly log: Log; readonly series: SeriesLinkDeps },
  changes: readonly ItemChange[],
): Promise<ApplyResult & { readonly linked: LinkResult }> {
  const batch = lastChanges(changes);
  let counts: Counts | undefined;
  const linked = await linkSeries(deps.series, batch.changes, {
    beforeWrite: async (result) => {
      counts = await writeDocs(deps, batch, result);
    },
  });
  return { ...(counts ?? { upserted: 0, removed: 0, reprojected: 0 }), linked };
}

async function applyUnlinked(
  deps: { readonly index: SearchIndex; readonly log: Log },
  changes: readonly ItemChange[],
): Promise<ApplyResult> {
  return writeDocs(deps, lastChanges(changes));
}

type Counts = Omit<ApplyResult, 'linked'>;

/** The last change of each id, the items that exist after them and the ids deleted. */
interface Batch {
  readonly changes: readonly ItemChange[];
  readonly changed: readonly Item[];
  readonly removals: readonly ItemId[];
}

function lastChanges(changes: readonly ItemChange[]): Batch {
  const last = new Map<ItemId, ItemChange>();
  for (const change of changes) {
    last.delete(change.id);
    last.set(change.id, change);
  }
  const kept = [...last.values()];
  return {
    changes: kept,
    changed: kept.flatMap((c) => (c.newItem ? [c.newItem] : [])),
    removals: kept.filter((c) => !c.newItem).map((c) => c.id),
  };
}

/** One bulk upsert (changed items, then the affected rounds) and one bulk removal. */
async function writeDocs(
  deps: { readonly index: SearchIndex; readonly log: Log },
  batch: Batch,
  linked?: LinkResult,
): Promise<Counts> {
  const docs = new Map<ItemId, SearchDoc>();
  const project = (item: Item) => docs.set(item.id, toSearchDoc(item, linked?.seriesOf.get(item.id)));
  batch.changed.forEach(project);
  const inBatch = new Set(batch.changes.map((c) => c.id));
  for (const item of linked?.affected ?? []) if (!inBatch.has(item.id)) project(item);
  const counts: Counts = {
    upserted: batch.changed.length,
    removed: batch.removals.length,
    reprojected: docs.size - batch.changed.length,
  };
  if (docs.size > 0) await deps.index.upsert([...docs.values()]);
  if (batch.removals.length > 0) await deps.index.remove(batch.removals);
  deps.log.debug('index changes applied', { ...counts });
  return counts;
}
