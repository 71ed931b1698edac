import type { Clock } from '../../shared/clock.js';
import type { Config } from '../../shared/config.js';
import type { Source } from '../../shared/domain/source.js';
import type { Log } from '../../shared/log.js';
import type { ItemStore } from '../../shared/store/item-store.js';
import type { CrawlJobDeps } from './run/crawl-jobs.js';
import type { CrawlQueue } from './run/crawl-queue.js';
import { politeFetcherFactory, type FetcherFactoryOptions } from './fetch/fetcher-factory.js';
import type { HttpFetcher } from './fetch/http-fetcher.js';
import { KakenAppId, redactingLog, withKakenAppId } from './fetch/kaken-app-id.js';

/** The settings the crawler's ports are built from. */
export type CrawlConfig = Pick<Config, 'CRAWL_USER_AGENT' | 'CRAWL_TIME_MARGIN_MS' | 'CRAWL_MAX_CONTINUATIONS'>;

/** What differs by place (Lambda, the local stack, `chiiki crawl`): the adapters behind the crawler's ports. */
export interface CrawlAdapters {
  readonly sources: readonly Source[];
  readonly store: ItemStore;
  readonly clock: Clock;
  readonly log: Log;
  /**
   * The KAKEN application id, read when a KAKEN source is first crawled: Secrets Manager or
   * KAKEN_APP_ID in AWS, the fixed sample id for the sample registry; `undefined` when none.
   */
  readonly kakenAppId: () => Promise<string | undefined> | string | undefined;
  /** One HTTP client for every source instead of the polite fetchers (the local stack's `fetcher` option). */
  readonly fetcher?: HttpFetcher;
  /** Backoff of the polite fetchers (the local sample sites script 429s and want it short). */
  readonly retry?: Pick<FetcherFactoryOptions, 'retryBaseDelayMs' | 'maxRetryAfterSec'>;
  /** Where a run out of time continues (SQS in AWS); absent: a crawl runs to its end. */
  readonly queue?: CrawlQueue;
}

/** The crawler's ports and what closes their connection pools. */
export interface BuiltCrawlDeps {
  readonly deps: CrawlJobDeps;
  /** Closes the polite fetchers' connection pools. */
  close(): Promise<void>;
}

/**
 * The crawler's ports from its settings and the adapters of the place it runs: the Lambda wiring,
 * the local stack and `chiiki crawl` build them here, so every crawl sends the same User-Agent,
 * redacts the KAKEN id from its logs and keeps the same time budget.
 */
export function buildCrawlDeps(config: CrawlConfig, adapters: CrawlAdapters): BuiltCrawlDeps {
  const { log } = adapters;
  const kakenAppId = new KakenAppId(adapters.kakenAppId);
  let fetcherFor: (source: Source) => HttpFetcher;
  let close = async (): Promise<void> => {};
  if (adapters.fetcher !== undefined) {
    const fetcher = adapters.fetcher;
    fetcherFor = () => fetcher;
  } else {
    const factory = politeFetcherFactory({
      userAgent: config.CRAWL_USER_AGENT,
      log: redactingLog(log, kakenAppId),
      ...adapters.retry,
    });
    fetcherFor = factory.fetcherFor;
    close = () => factory.close();
  }
  return {
    deps: {
      sources: adapters.sources,
      fetcherFor: withKakenAppId(fetcherFor, kakenAppId),
      store: adapters.store,
      clock: adapters.clock,
      log,
      ...(adapters.queue ? { queue: adapters.queue } : {}),
      timeMarginMs: config.CRAWL_TIME_MARGIN_MS,
      maxContinuations: config.CRAWL_MAX_CONTINUATIONS,
    },
    close,
  };
}
