import type { CrawlRun, SourceHealth, UrlState } from '../domain/crawl-run.js';
import type { Item, ItemDraft, ItemId, ItemKind } from '../domain/item.js';

/** What `upsert` did with one draft. */
export type UpsertOutcome = 'new' | 'updated' | 'unchanged';

export interface UpsertResult {
  readonly id: ItemId;
  readonly outcome: UpsertOutcome;
  /** The stored item after the call. */
  readonly item: Item;
  /** The stored item before the call (absent for `new`). */
  readonly previous?: Item;
}

/** A change to an item, as the DynamoDB stream (or the local stack) hands it to the indexer. */
export interface ItemChange {
  readonly id: ItemId;
  readonly newItem?: Item;
  readonly oldItem?: Item;
}

/** One page of a listing; pass `cursor` back for the next page, absent on the last one. */
/** What identifies an item's content version: its id and `updatedAt` (moved on every change). */
export interface ItemVersion {
  readonly id: ItemId;
  readonly updatedAt: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly cursor?: string;
}

/**
 * Items: what the crawler writes and the API, indexer and digests read. What a draft does to an
 * item (identity, aliases, content owner, withdrawal, history) is decided by
 * shared/domain/item-merge.ts; a store persists those decisions.
 */
export interface ItemRecords {
  /**
   * Inserts or merges drafts, one outcome per draft in input order.
   * - `new`: no item with the draft's id (from its canonical URL) existed.
   * - `updated`: the content hash changed (a field-level diff is appended to `history`, with
   *   `material` set) or the draft came from a source not yet in `provenance`.
   * - `unchanged`: same hash, same source: nothing is written at all.
   * Writes are conditional on the previous version, so concurrent crawls never lose an update.
   * Drafts for the same id within one call are applied in order.
   */
  upsert(drafts: readonly ItemDraft[]): Promise<UpsertResult[]>;
  /** `undefined` when there is no such item. */
  get(id: ItemId): Promise<Item | undefined>;
  /** Items with `createdAt` or a material change at or after `since` (ISO), oldest first, for alert digests. */
  listChangedSince(kind: ItemKind, since: string, cursor?: string, limit?: number): Promise<Page<Item>>;
  /** Every item, in no particular order; for reindexing. */
  scanItems(cursor?: string, limit?: number): Promise<Page<Item>>;
  /**
   * Optional: the id and `updatedAt` of every item, in no particular order, read as a projection
   * (much less to transfer and parse than `scanItems`); the reindex's content checks use it.
   */
  scanVersions?(cursor?: string, limit?: number): Promise<Page<ItemVersion>>;
  /** Exact number of stored items. */
  countItems(): Promise<number>;
  /** Marks the source's provenance entry withdrawn; the item is withdrawn when all sources are. */
  markWithdrawn(id: ItemId, sourceId: string, at: string): Promise<Item | undefined>;
}

/** Crawl state: what the crawler remembers of each URL between runs. */
export interface UrlStates {
  /** Conditional-GET and listing state of one URL; `undefined` before its first fetch. */
  getUrlState(url: string): Promise<UrlState | undefined>;
  putUrlState(state: UrlState): Promise<void>;
}

/** Crawl runs and the source health they roll up into. */
export interface CrawlRunLog {
  /** Records a crawl run and updates the source's health in the same call. */
  recordCrawlRun(run: CrawlRun): Promise<void>;
  /** Newest first. */
  listCrawlRuns(sourceId: string, limit?: number): Promise<CrawlRun[]>;
  /** Health of every source that has run at least once. */
  listSourceHealth(): Promise<SourceHealth[]>;
}

/**
 * The source of truth for items, crawl state and crawl runs. One DynamoDB table; see
 * `keys.ts` for the key design. Adapters pass test/support/item-store.contract.ts.
 */
export interface ItemStore extends ItemRecords, UrlStates, CrawlRunLog {
  /** Creates the table when missing. Cheap and safe to call on every start. */
  ensureTable(): Promise<void>;
}
