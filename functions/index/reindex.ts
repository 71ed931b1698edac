import { AppError } from '../../shared/errors.js';
import type { Log } from '../../shared/log.js';
import { toSearchDoc, type SearchIndex } from '../../shared/search/search-index.js';
import type { ItemStore } from '../../shared/store/item-store.js';

export interface ReindexResult {
  /** Items the store counted before the rebuild. */
  readonly storeCount: number;
  /** Items read by the scan and written to the new index. */
  readonly scanned: number;
  /** Documents in the index after the swap. */
  readonly indexCount: number;
  readonly durationMs: number;
  readonly docsPerSec: number;
}

/** The rebuilt index did not hold what the scan wrote; the live index was left untouched. */
export class ReindexMismatchError extends AppError {
  override name = 'ReindexMismatchError';
}

/**
 * Rebuilds the search index from the store: scans every item into a fresh index version
 * (`SearchIndex.beginReindex`), checks that the new index holds exactly the scanned items, then
 * swaps it in. Searches are served from the old version until the swap; a failure or a count
 * mismatch aborts the new version and leaves the old one live. `onProgress` is called after each
 * page (for the CLI); one info line is logged at the end.
 */
export async function reindex(deps: {
  readonly store: ItemStore;
  readonly index: SearchIndex;
  readonly log: Log;
  readonly batchSize?: number;
  readonly onProgress?: (progress: { done: number; total: number; docsPerSec: number }) => void;
  readonly now?: () => number;
}): Promise<ReindexResult> {
  const { store, index, log } = deps;
  const batchSize = deps.batchSize ?? 500;
  const now = deps.now ?? (() => performance.now());
  if (!index.beginReindex) throw new AppError('this search index cannot build a fresh version (no beginReindex)');
  await index.ensureIndex();
  const storeCount = await store.countItems();
  const started = now();
  const writer = await index.beginReindex();
  let scanned = 0;
  try {
    let cursor: string | undefined;
    do {
      const page = await store.scanItems(cursor, batchSize);
      if (page.items.length > 0) await writer.upsert(page.items.map(toSearchDoc));
      scanned += page.items.length;
      cursor = page.cursor;
      const elapsedSec = Math.max(1e-3, (now() - started) / 1000);
      deps.onProgress?.({ done: scanned, total: storeCount, docsPerSec: scanned / elapsedSec });
    } while (cursor !== undefined);
    const built = await writer.count();
    if (built !== scanned) {
      throw new ReindexMismatchError(
        `new index holds ${built} documents but the scan wrote ${scanned}; kept the old index`,
      );
    }
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await writer.commit();
  const indexCount = await index.count();
  const durationMs = now() - started;
  const docsPerSec = scanned / Math.max(1e-3, durationMs / 1000);
  log.info('reindex finished', {
    storeCount,
    scanned,
    indexCount,
    durationMs: Math.round(durationMs),
    docsPerSec: Math.round(docsPerSec),
  });
  return { storeCount, scanned, indexCount, durationMs, docsPerSec };
}
