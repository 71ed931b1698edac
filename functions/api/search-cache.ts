import type { Clock } from '../../shared/clock.js';
import type { ItemId } from '../../shared/domain/item.js';
import type { SearchQuery } from '../../shared/search/query.js';
import type { SearchDoc, SearchIndex, SearchPage } from '../../shared/search/search-index.js';

export interface SearchCacheOptions {
  readonly clock: Clock;
  /** How long one result may be served again; bounds how stale a page (and its derived status) can be. */
  readonly ttlMs: number;
  /** Most distinct queries kept; the least recently used goes first. */
  readonly maxEntries: number;
  /** Called after each write through this object (e.g. to clear another cache over the same index). */
  readonly onWrite?: () => void;
}

/**
 * A short-lived result cache in front of a `SearchIndex` (micro-caching): a portal's front
 * pages send the same few searches many times a second, and answering them again costs the
 * engine a full match-and-facet pass each time. Identical queries (same parsed `SearchQuery`)
 * within `ttlMs` share one result; concurrent identical misses share one engine call. Writes
 * through this object (the local stack's indexer) clear the cache at once; writes elsewhere
 * (the AWS indexer Lambda) show after at most `ttlMs`, well inside the API's 60 s Cache-Control.
 * Errors are not cached.
 */
export class CachedSearchIndex implements SearchIndex {
  private readonly entries = new Map<string, { at: number; page: Promise<SearchPage> }>();

  constructor(
    private readonly inner: SearchIndex,
    private readonly options: SearchCacheOptions,
  ) {}

  ensureIndex(): Promise<void> {
    return this.inner.ensureIndex();
  }

  async upsert(docs: readonly SearchDoc[]): Promise<void> {
    await this.inner.upsert(docs);
    this.written();
  }

  async remove(ids: readonly ItemId[]): Promise<void> {
    await this.inner.remove(ids);
    this.written();
  }

  /** Forgets every cached result, so the next search of each query reaches the engine. */
  clear(): void {
    this.entries.clear();
  }

  private written(): void {
    this.clear();
    this.options.onWrite?.();
  }

  count(): Promise<number> {
    return this.inner.count();
  }

  search(query: SearchQuery): Promise<SearchPage> {
    const key = JSON.stringify(query);
    const now = this.options.clock.now().getTime();
    const hit = this.entries.get(key);
    // A result from a later time than now (the clock went back) is not served: its status is not now's.
    if (hit && now >= hit.at && now - hit.at < this.options.ttlMs) {
      // Refresh recency: Map iteration order is insertion order.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.page;
    }
    const page = this.inner.search(query);
    this.entries.set(key, { at: now, page });
    page.catch(() => {
      if (this.entries.get(key)?.page === page) this.entries.delete(key);
    });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return page;
  }
}
