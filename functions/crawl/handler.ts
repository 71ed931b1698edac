import middy from '@middy/core';
import { sqsJobSpan, traced } from '../../shared/wiring/tracer.js';
import type { RemainingTime } from './run/crawl-continuation.js';
import { processCrawlJobs } from './run/crawl-jobs.js';
import { crawlDeps } from './wiring.js';

/** Built once per container, at load: a bad variable or registry fails the cold start. */
const deps = crawlDeps();

/**
 * The crawl Lambda: SQS messages, one source id each, → one crawl run per source. Wiring only;
 * the work is in crawl-jobs.ts and crawl-source.ts. Returns partial batch failures
 * (ReportBatchItemFailures), so one bad job is retried alone and then dead-lettered. The
 * context's remaining time is the crawl's time budget (a run that runs out continues in a new message).
 */
export const handler = middy()
  .use(traced(sqsJobSpan('crawl source', 'sourceId')))
  .handler((event: unknown, context: RemainingTime) => processCrawlJobs(deps, event, context));
