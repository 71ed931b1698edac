import { findIndexDrift } from '../../functions/indexer/index-drift.js';
import { forecastProjector } from '../../functions/indexer/series-projection.js';
import type { Log } from '../../shared/log.js';
import { SearchDocDigest, type EmbeddedSearchIndex } from '../../shared/search/embedded-search-index.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import type { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import type { SeriesStore } from '../../shared/store/series-store.js';
import type { FileChangeLog } from './file-change-log.js';

// The local stack's index upkeep: the start-up check against the store, and the view its indexer writes through.

/**
 * Makes the embedded index match the store by content: a digest of every stored item's search
 * document is compared with the digest of the indexed documents (`SearchDocDigest`), so an index
 * that missed an update (a crash or a full disk between the store write and the index log) is
 * found even when the counts agree. Documents are projected with the series' forecasts (read once),
 * so a forecast the index missed is found too. On a difference the index is rebuilt from a store
 * scan into a fresh version, swapped in atomically.
 */
export async function ensureIndexCurrent(
  store: DynamoDbItemStore,
  search: EmbeddedSearchIndex,
  series: Pick<SeriesStore, 'listForecasts'>,
): Promise<{ rebuilt: boolean; items: number }> {
  const project = await forecastProjector(series);
  const stored = new SearchDocDigest();
  let scan: string | undefined;
  do {
    const page = await store.scanItems(scan, 500);
    for (const item of page.items) stored.add(JSON.stringify(project(item)));
    scan = page.cursor;
  } while (scan);
  if (stored.hex() === (await search.contentDigest())) return { rebuilt: false, items: await search.count() };
  const writer = await search.beginReindex();
  let cursor: string | undefined;
  do {
    const page = await store.scanItems(cursor, 500);
    await writer.upsert(page.items.map(project));
    cursor = page.cursor;
  } while (cursor);
  await writer.commit();
  return { rebuilt: true, items: await search.count() };
}

/**
 * Creates the OpenSearch index when the node answers, and compares it with the store by content
 * (`findIndexDrift`, with the series' forecasts): items missing from it or stale in it, and documents of items the store no
 * longer has, go to the change log, so the consumer repairs what no log entry covers (a store
 * write by `chiiki crawl` without `npm start`, or a crash between a store write and its log
 * append). A node that is down at start is logged, not fatal: the consumer creates the index
 * before its first batch, and the next start checks it.
 */
export async function openSearchOnStart(
  search: SearchIndex,
  store: DynamoDbItemStore,
  series: Pick<SeriesStore, 'listForecasts'>,
  changeLog: FileChangeLog,
  log: Log,
): Promise<{ rebuilt: boolean; items: number }> {
  try {
    await search.ensureIndex();
    const drift = await findIndexDrift({ store, index: search, series });
    await changeLog.append([...drift.missing, ...drift.stale, ...drift.extra]);
    log.info('search index checked against the store', {
      stored: drift.stored,
      indexed: drift.indexed,
      missing: drift.missing.length,
      stale: drift.stale.length,
      extra: drift.extra.length,
    });
    return { rebuilt: false, items: drift.indexed };
  } catch (error) {
    log.warn('search engine unreachable at start; indexing waits for it', { error });
    return { rebuilt: false, items: 0 };
  }
}

/**
 * `index` whose writes throw while `before()` returns an error (an injected engine fault) and call
 * `after()` once they landed (clearing the API's cache); reads pass through.
 */
export function withWriteHooks(
  index: SearchIndex,
  hooks: { readonly before?: () => Error | undefined; readonly after: () => void },
): SearchIndex {
  const check = () => {
    const error = hooks.before?.();
    if (error) throw error;
  };
  return {
    ensureIndex: () => index.ensureIndex(),
    upsert: async (docs) => {
      check();
      await index.upsert(docs);
      hooks.after();
    },
    remove: async (ids) => {
      check();
      await index.remove(ids);
      hooks.after();
    },
    search: (query) => index.search(query),
    count: () => index.count(),
  };
}
