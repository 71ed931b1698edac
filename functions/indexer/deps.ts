import { join, resolve } from 'node:path';
import type { Config } from '../../shared/config.js';
import type { Log } from '../../shared/log.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import type { ItemStore } from '../../shared/store/item-store.js';
import type { SeriesStore } from '../../shared/store/series-store.js';
import type { Clock } from '../../shared/clock.js';
import type { RetryDeps } from './retry-index-changes.js';

/** What differs by place (Lambda, the local stack, `chiiki reindex`): the adapters behind the indexer's ports. */
export interface IndexAdapters {
  /** The indexer's engine (the patient OpenSearch client, or the embedded index). */
  readonly index: SearchIndex;
  readonly store: ItemStore;
  readonly log: Log;
  /** Where program series are kept; with it, applied changes are linked into series (link-series.ts). */
  readonly series?: { readonly store: SeriesStore; readonly clock: Clock };
}

/** The ports of the indexer's jobs. */
export interface IndexDeps {
  /**
   * Applying changes re-read from the store by item id: the index retry function and the local
   * stack's change-log consumer.
   */
  readonly apply: RetryDeps;
  /** Rebuilding the index from a store scan: the reindex function, `chiiki reindex` and the local stack. */
  readonly reindex: {
    readonly store: ItemStore;
    readonly index: SearchIndex;
    readonly log: Log;
    /** Where a rebuild reads the series' forecasts, so documents keep them. */
    readonly series?: SeriesStore;
  };
}

/** The folder of the embedded engine's index versions: `search/` under DATA_DIR, everywhere. */
export function searchDirOf(config: Pick<Config, 'DATA_DIR'>): string {
  return join(resolve(config.DATA_DIR), 'search');
}

/**
 * The indexer's ports from the adapters of the place it runs: the Lambda wiring, the local stack
 * and `chiiki reindex` build them here, so each job reads the same store into the same engine.
 */
export function buildIndexDeps(adapters: IndexAdapters): IndexDeps {
  const { index, store, log, series } = adapters;
  const link = series ? { series: { items: store, series: series.store, clock: series.clock, log } } : {};
  return {
    apply: { store, index, log, ...link },
    reindex: { store, index, log, ...(series ? { series: series.store } : {}) },
  };
}
