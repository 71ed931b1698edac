import middy from '@middy/core';
import { retryIndexChanges } from './retry-index-changes.js';
import { batchSpan, retryDeps, traced } from './wiring.js';

/**
 * The index retry Lambda (SQS, ReportBatchItemFailures): re-reads the items whose index write
 * failed from the table by key and applies them. Wiring only; the work is in retry-index-changes.ts.
 */
export const handler = middy()
  .use(traced(batchSpan('index retry batch')))
  .handler((event: unknown) => retryIndexChanges(retryDeps, event));
