import type { Log } from '../../../shared/log.js';
import type { Source } from '../../../shared/domain/source.js';
import type { HttpFetcher } from './http-fetcher.js';
import { PoliteFetcher } from './polite-fetcher.js';
import { hostsOf } from '../../../shared/domain/source.js';

export interface FetcherFactoryOptions {
  readonly userAgent: string;
  readonly log?: Log;
  /** Overrides for tests and the local stack (shorter backoff). */
  readonly retryBaseDelayMs?: number;
  readonly maxRetryAfterSec?: number;
}

export interface FetcherFactory {
  readonly fetcherFor: (source: Source) => HttpFetcher;
  /** Closes every fetcher's connection pool. */
  close(): Promise<void>;
}

/**
 * One `PoliteFetcher` per source: its allowed hosts are the source's start host plus its
 * `allowedHosts`, its pause the source's `politeness.minDelayMs`. All of them share the
 * process-wide host pacer, so two sources on one host still take turns. Used by the Lambda
 * wiring and by `chiiki crawl`.
 */
export function politeFetcherFactory(options: FetcherFactoryOptions): FetcherFactory {
  const cache = new Map<string, PoliteFetcher>();
  const fetcherFor = (source: Source): HttpFetcher => {
    const cached = cache.get(source.id);
    if (cached) return cached;
    const fetcher = new PoliteFetcher({
      userAgent: options.userAgent,
      allowedHosts: hostsOf(source),
      minDelayMs: source.politeness.minDelayMs,
      ...(options.log ? { log: options.log } : {}),
      ...(options.retryBaseDelayMs !== undefined ? { retryBaseDelayMs: options.retryBaseDelayMs } : {}),
      ...(options.maxRetryAfterSec !== undefined ? { maxRetryAfterSec: options.maxRetryAfterSec } : {}),
    });
    cache.set(source.id, fetcher);
    return fetcher;
  };
  return {
    fetcherFor,
    close: async () => {
      await Promise.all([...cache.values()].map((f) => f.close()));
      cache.clear();
    },
  };
}
