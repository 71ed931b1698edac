import type { ItemId } from '../../shared/domain/item.js';
import { ServiceUnavailableError } from '../../shared/errors.js';
import { sendSqsBatches, type SqsSender } from '../../shared/wiring/sqs-batch-sender.js';
import { maxIdsPerRetryMessage, type IndexRetryQueue } from './index-retry-queue.js';

/**
 * `IndexRetryQueue` over SQS (named `wiring-…` because only handler and wiring files of a
 * function may touch an SDK). Ids are deduplicated, packed `maxIdsPerRetryMessage` to a message
 * and sent 10 messages per call (the SQS batch limit), each delayed by `delaySec` so a failing
 * engine gets time to recover before the first retry.
 */
export class SqsIndexRetryQueue implements IndexRetryQueue {
  private readonly client: SqsSender;
  private readonly queueUrl: string;
  private readonly delaySec: number;

  constructor(options: { client: SqsSender; queueUrl: string; delaySec: number }) {
    this.client = options.client;
    this.queueUrl = options.queueUrl;
    this.delaySec = options.delaySec;
  }

  async send(ids: readonly ItemId[]): Promise<void> {
    const unique = [...new Set(ids)];
    const bodies: string[] = [];
    for (let start = 0; start < unique.length; start += maxIdsPerRetryMessage)
      bodies.push(JSON.stringify({ ids: unique.slice(start, start + maxIdsPerRetryMessage) }));
    const failed = await sendSqsBatches(
      this.client,
      this.queueUrl,
      bodies.map((body) => ({ body, delaySec: this.delaySec })),
    );
    if (failed.length > 0) throw new ServiceUnavailableError(`index retries not enqueued: ${failed.join(', ')}`, 'sqs');
  }
}
