import middy from '@middy/core';
import { batchSpan, traced } from '../../shared/wiring/tracer.js';
import { processStreamBatch } from './process-stream.js';
import { deps } from './wiring.js';

/**
 * The index Lambda: DynamoDB stream (NEW_AND_OLD_IMAGES) → search index. Wiring only; the work
 * is in process-stream.ts. Returns partial batch failures (ReportBatchItemFailures) so a poison
 * record is retried alone and then sent to the DLQ instead of blocking the shard.
 */
export const handler = middy()
  .use(traced(batchSpan('index batch')))
  .handler((event: unknown) => processStreamBatch(deps, event));
