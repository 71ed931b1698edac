import { ItemIdSchema, type Item, type ItemId } from '../../shared/domain/item.js';
import type { Series } from '../../shared/domain/series.js';
import { ConfigError, ReindexCleanupError, ReindexMismatchError } from '../../shared/errors.js';
import type { Log } from '../../shared/log.js';
import { parseInput } from '../../shared/parse-input.js';
import type { DocVersions, SearchIndex } from '../../shared/search/search-index.js';
import type { ItemStore, ItemVersion, Page } from '../../shared/store/item-store.js';
import type { SeriesStore } from '../../shared/store/series-store.js';
import { forecastsMoved, projectorOf, type Projector } from './series-projection.js';

/** Documents that differ from the store, by kind of difference. */
export interface ParityCounts {
  /** Stored items the index does not hold. */
  readonly missing: number;
  /** Indexed documents whose `updatedAt` is not the stored item's. */
  readonly stale: number;
  /** Indexed documents with no stored item. */
  readonly extra: number;
}

export interface ReindexResult {
  /** Items the store counted at the end (after the last content check). */
  readonly storeCount: number;
  /** Items read by the scan and written to the new index. */
  readonly scanned: number;
  /** Documents in the index after the swap. */
  readonly indexCount: number;
  readonly durationMs: number;
  readonly docsPerSec: number;
  /**
   * Differences the content checks found (writes that raced the scan, or a writer that lost
   * documents) and repaired from the store, before and after the swap together.
   */
  readonly replayed: ParityCounts;
  /** Store against the live index by content at the end: all 0 unless writes kept racing the last check. */
  readonly parity: ParityCounts;
  /** Orphan index versions (left by a crashed or failed reindex) deleted before the build. */
  readonly orphansRemoved: readonly string[];
}

/** Where a content check reads and repairs: the new version (a `ReindexWriter`) or the live index. */
export interface ParityTarget {
  upsert: SearchIndex['upsert'];
  remove: SearchIndex['remove'];
  versions(ids?: readonly ItemId[]): Promise<DocVersions>;
}

interface Differences {
  readonly missing: ItemId[];
  readonly stale: ItemId[];
  readonly extra: ItemId[];
}

/** The counts of a set of differences. */
function countsOf(d: Differences): ParityCounts {
  return { missing: d.missing.length, stale: d.stale.length, extra: d.extra.length };
}

const noDifference: ParityCounts = { missing: 0, stale: 0, extra: 0 };

function addCounts(a: ParityCounts, b: ParityCounts): ParityCounts {
  return { missing: a.missing + b.missing, stale: a.stale + b.stale, extra: a.extra + b.extra };
}

function isClean(c: ParityCounts): boolean {
  return c.missing === 0 && c.stale === 0 && c.extra === 0;
}

/**
 * Sorts ids into missing, stale and extra by comparing each stored item's `updatedAt` (which the
 * store moves on every write that changes an item) with the indexed version; `stored` holds the
 * items of `ids` that exist. Pure.
 */
export function classify(
  ids: Iterable<ItemId>,
  stored: ReadonlyMap<string, Item>,
  indexed: ReadonlyMap<string, number>,
): Differences {
  const out: Differences = { missing: [], stale: [], extra: [] };
  for (const id of ids) {
    const item = stored.get(id);
    const version = indexed.get(id);
    if (item && version === undefined) out.missing.push(id);
    else if (item && version !== Date.parse(item.updatedAt)) out.stale.push(id);
    else if (!item && version !== undefined) out.extra.push(id);
  }
  return out;
}

/**
 * Compares the whole store with `target` by content: reads every indexed version, then scans the
 * store. Writes that land during the scan can show as false differences; `confirm` re-reads them.
 */
async function compareAll(
  store: ItemStore,
  target: Pick<ParityTarget, 'versions'>,
  batchSize: number,
): Promise<ItemId[]> {
  const indexed = await target.versions();
  const suspects: ItemId[] = [];
  // A projection when the store has one: the comparison needs only ids and versions.
  const scan = (cursor?: string): Promise<Page<ItemVersion>> =>
    store.scanVersions ? store.scanVersions(cursor, Math.max(batchSize, 1000)) : store.scanItems(cursor, batchSize);
  let cursor: string | undefined;
  do {
    const page = await scan(cursor);
    for (const item of page.items) {
      if (indexed.get(item.id) !== Date.parse(item.updatedAt)) suspects.push(item.id);
      indexed.delete(item.id);
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  for (const id of indexed.keys()) suspects.push(parseInput(ItemIdSchema, id));
  return suspects;
}

/** Re-reads `ids` from the store and from `target` now, and returns the real differences with the stored items. */
async function confirm(
  store: ItemStore,
  target: Pick<ParityTarget, 'versions'>,
  ids: readonly ItemId[],
): Promise<{ differences: Differences; stored: Map<string, Item> }> {
  const stored = new Map<string, Item>();
  for (const id of ids) {
    const item = await store.get(id);
    if (item) stored.set(id, item);
  }
  const indexed = ids.length > 0 ? await target.versions(ids) : new Map<string, number>();
  return { differences: classify(ids, stored, indexed), stored };
}

/**
 * Compares `target` with the store by content without changing anything: a full comparison, then
 * every difference re-read from both, so a write racing the comparison is not counted.
 */
export async function checkParity(
  store: ItemStore,
  target: Pick<ParityTarget, 'versions'>,
  options: { readonly batchSize: number },
): Promise<ParityCounts> {
  const ids = await compareAll(store, target, options.batchSize);
  return countsOf((await confirm(store, target, ids)).differences);
}

/**
 * Checks `target` against the store by content and repairs what differs from the store (a
 * "replay" of exactly the items whose indexed version is not the stored one): one full comparison,
 * then up to `rounds` rounds of confirm → repair on the differing ids. Returns what the first
 * confirmation found and what still differs after the last round.
 */
async function reconcile(
  store: ItemStore,
  target: ParityTarget,
  options: { readonly batchSize: number; readonly project: Projector; readonly rounds?: number },
): Promise<{ found: ParityCounts; remaining: ParityCounts }> {
  const rounds = options.rounds ?? 3;
  let ids = await compareAll(store, target, options.batchSize);
  let found: ParityCounts | undefined;
  for (let round = 0; ; round++) {
    const { differences, stored } = await confirm(store, target, ids);
    const counts = countsOf(differences);
    found ??= counts;
    if (isClean(counts) || round === rounds) return { found, remaining: counts };
    const docs = [...differences.missing, ...differences.stale].flatMap((id) => {
      const item = stored.get(id);
      return item ? [options.project(item)] : [];
    });
    if (docs.length > 0) await target.upsert(docs);
    if (differences.extra.length > 0) await target.remove(differences.extra);
    ids = [...differences.missing, ...differences.stale, ...differences.extra];
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Rebuilds the search index from the store into a fresh index version (`SearchIndex.beginReindex`)
 * and swaps it in; searches are served from the old version until the swap.
 *
 * Series: with `series`, the series with an expected forecast are read once before the scan
 * (`listForecasts`, few records) and every item is projected with the series whose newest round
 * it is, so a rebuild keeps the forecasts. After the scan they are read again, and the newest
 * rounds whose forecast moved meanwhile are re-read from the store and written again with the new
 * reading (the live indexer wrote them too, but the scan may have written an older projection
 * after it). The checks by content compare `updatedAt` only, so they neither see nor cause a
 * forecast difference.
 *
 * Writes during the rebuild: the index adapters dual-write. While a `ReindexWriter` is open the
 * index's own `upsert`/`remove` (the live indexer) also reach the new version, so a change made
 * after the scan passed its item is not lost by the swap. Dual writing was chosen over replaying
 * "changed since" from the store because the store's `changes` index moves only on material
 * changes (a provenance join or a withdrawal would be missed) and a replay loop never settles under
 * a steady write rate. What dual writing cannot order (the scan writing an item's older version
 * after the live indexer wrote its newer one) the content check finds and repairs.
 *
 * Parity by content: after the scan, every document's `updatedAt` in the new version is compared
 * with the store's (`reconcile`), differences are re-read from the store and repaired; if any
 * remain the new version is deleted and `ReindexMismatchError` thrown, the old index staying live.
 * After the swap the same check runs once more on the live index, repairing writes that reached
 * only the old version in the last moments; its result is `parity`.
 *
 * Failures: the half-built version is deleted and the original error rethrown; if deleting fails
 * too, `ReindexCleanupError` names both (the orphan is then removed by the next reindex, which
 * starts by deleting every orphan version, or by `chiiki reindex --remove-orphans`).
 * `onProgress` is called after each page is written to the new version (for the CLI); one info line
 * is logged at the end. Reading and writing overlap: the scan reads the next page while the last
 * `writesInFlight` pages are bulk-written (`npm run bench -- scale` measures the effect).
 */
export async function reindex(deps: {
  readonly store: ItemStore;
  readonly index: SearchIndex;
  readonly log: Log;
  /** Where the series' forecasts are read; absent: documents carry no forecast. */
  readonly series?: Pick<SeriesStore, 'listForecasts'>;
  readonly batchSize?: number;
  /** Pages being bulk-written while the scan reads on (default 2; 1 writes each page before the next read). */
  readonly writesInFlight?: number;
  readonly onProgress?: (progress: { done: number; total: number; docsPerSec: number }) => void;
  readonly now?: () => number;
}): Promise<ReindexResult> {
  const { store, index, log } = deps;
  const batchSize = deps.batchSize ?? 500;
  const writesInFlight = Math.max(1, deps.writesInFlight ?? 2);
  const now = deps.now ?? (() => performance.now());
  if (!index.beginReindex) throw new ConfigError('this search index cannot build a fresh version (no beginReindex)');
  await index.ensureIndex();
  const orphansRemoved = (await index.removeOrphans?.()) ?? [];
  if (orphansRemoved.length > 0) log.warn('reindex removed orphan index versions', { orphans: orphansRemoved });
  const total = await store.countItems();
  const started = now();
  const forecasts = deps.series ? await deps.series.listForecasts() : [];
  let project = projectorOf(forecasts);
  const writer = await index.beginReindex();
  let scanned = 0;
  let replayed = noDifference;
  let parity = noDifference;
  // The store scan and the bulk writes run in two other processes (DynamoDB, OpenSearch), so the
  // next pages are read while up to `writesInFlight` pages are being indexed.
  const inFlight: Promise<void>[] = [];
  try {
    let cursor: string | undefined;
    do {
      const page = await store.scanItems(cursor, batchSize);
      if (inFlight.length >= writesInFlight) await inFlight.shift();
      if (page.items.length > 0) {
        const items = page.items;
        const written = writer.upsert(items.map(project)).then(() => {
          scanned += items.length;
          const elapsedSec = Math.max(1e-3, (now() - started) / 1000);
          deps.onProgress?.({ done: scanned, total, docsPerSec: scanned / elapsedSec });
        });
        // Awaited below; until then a failure must not count as an unhandled rejection.
        written.catch(() => undefined);
        inFlight.push(written);
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
    await Promise.all(inFlight);
    if (deps.series) project = await reprojectMovedForecasts(store, writer, forecasts, deps.series);
    const checked = await reconcile(store, writer, { batchSize, project });
    replayed = checked.found;
    parity = checked.remaining;
    if (!isClean(checked.remaining)) {
      const { missing, stale, extra } = checked.remaining;
      throw new ReindexMismatchError(
        `new index differs from the store after repair (${missing} missing, ${stale} stale, ${extra} extra); kept the old index`,
      );
    }
  } catch (error) {
    // No write may land after the abort (it would recreate the deleted version).
    await Promise.allSettled(inFlight);
    try {
      await writer.abort();
    } catch (abortError) {
      throw new ReindexCleanupError(
        `reindex failed: ${messageOf(error)}; removing the new index also failed: ${messageOf(abortError)}`,
        { cause: error },
      );
    }
    throw error;
  }
  await writer.commit();
  const liveVersions = index.versions?.bind(index);
  if (liveVersions) {
    const live: ParityTarget = {
      upsert: (docs) => index.upsert(docs),
      remove: (ids) => index.remove(ids),
      versions: liveVersions,
    };
    const checked = await reconcile(store, live, { batchSize, project });
    replayed = addCounts(replayed, checked.found);
    parity = checked.remaining;
  }
  const [storeCount, indexCount] = [await store.countItems(), await index.count()];
  const durationMs = now() - started;
  const docsPerSec = scanned / Math.max(1e-3, durationMs / 1000);
  log.info('reindex finished', {
    storeCount,
    scanned,
    indexCount,
    ...prefixed('replayed', replayed),
    ...prefixed('parity', parity),
    orphansRemoved: orphansRemoved.length,
    durationMs: Math.round(durationMs),
    docsPerSec: Math.round(docsPerSec),
  });
  return { storeCount, scanned, indexCount, durationMs, docsPerSec, replayed, parity, orphansRemoved };
}

/**
 * Reads the forecasts again after the scan and writes again the newest rounds whose forecast moved
 * since `before` (re-read from the store; gone items are left to the content check). Returns the
 * projector of the new reading.
 */
async function reprojectMovedForecasts(
  store: Pick<ItemStore, 'get'>,
  target: Pick<ParityTarget, 'upsert'>,
  before: readonly Series[],
  series: Pick<SeriesStore, 'listForecasts'>,
): Promise<Projector> {
  const after = await series.listForecasts();
  const project = projectorOf(after);
  const items: Item[] = [];
  for (const id of forecastsMoved(before, after)) {
    const item = await store.get(id);
    if (item) items.push(item);
  }
  if (items.length > 0) await target.upsert(items.map(project));
  return project;
}

function prefixed(prefix: string, c: ParityCounts): Record<string, number> {
  return { [`${prefix}Missing`]: c.missing, [`${prefix}Stale`]: c.stale, [`${prefix}Extra`]: c.extra };
}
