import type { CrawlContinuation } from './crawl-continuation.js';

/** One crawl job: crawl this source once, or go on with a run that ran out of time. */
export interface CrawlJob {
  readonly sourceId: string;
  /** Host of the source's start URL: a FIFO queue groups jobs by it, so one host is never crawled twice at once. */
  readonly host: string;
  /** When the dispatcher enqueued it (ISO); with `sourceId` it makes the job unique. */
  readonly requestedAt: string;
  /** Present on a continuation: the run it continues and where (see `crawlSlice`). */
  readonly continuation?: CrawlContinuation;
}

/**
 * The queue of crawl jobs between the dispatcher (EventBridge Scheduler) and the crawl Lambda;
 * the crawl Lambda also puts a run's continuation on it when it runs out of time.
 * Adapters: `SqsCrawlQueue` (AWS); tests use a recording fake.
 */
export interface CrawlQueue {
  /**
   * Enqueues every job, at least once (a job may be delivered twice; a crawl is idempotent).
   * Resolves when all are accepted; throws naming the jobs that were not, after which the caller
   * may retry the whole call safely. An empty list is a no-op.
   */
  enqueue(jobs: readonly CrawlJob[]): Promise<void>;
}
