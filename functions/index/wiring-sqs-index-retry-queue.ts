import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ItemId } from '../../shared/domain/item.js';
import { ServiceUnavailableError } from '../../shared/errors.js';
import { maxIdsPerRetryMessage, type IndexRetryQueue } from './index-retry-queue.js';

/** The part of the SQS client the queue uses. */
export type SqsSender = Pick<SQSClient, 'send'>;

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
    const failed: string[] = [];
    for (let start = 0; start < bodies.length; start += 10) {
      const batch = bodies.slice(start, start + 10);
      const result = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((body, i) => ({ Id: String(i), MessageBody: body, DelaySeconds: this.delaySec })),
        }),
      );
      for (const failure of result.Failed ?? []) failed.push(`${failure.Code ?? 'error'}: ${failure.Message ?? ''}`);
    }
    if (failed.length > 0) throw new ServiceUnavailableError(`index retries not enqueued: ${failed.join(', ')}`, 'sqs');
  }
}
