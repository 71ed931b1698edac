import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ServiceUnavailableError } from '../../shared/errors.js';
import type { DigestWork, DigestWorkQueue } from './fan-out.js';

/** The part of the SQS client the queue uses. */
export type SqsSender = Pick<SQSClient, 'send'>;

/**
 * `DigestWorkQueue` over SQS (a standard queue: a duplicate group is harmless, see fan-out.ts).
 * Named `wiring-…` because only handler and wiring files of a function may touch an SDK. Sends in
 * batches of 10 (the SQS limit); the body is the `DigestWork` as JSON.
 */
export class SqsDigestWorkQueue implements DigestWorkQueue {
  private readonly client: SqsSender;
  private readonly queueUrl: string;

  constructor(options: { client: SqsSender; queueUrl: string }) {
    this.client = options.client;
    this.queueUrl = options.queueUrl;
  }

  async enqueue(work: readonly DigestWork[]): Promise<void> {
    const failed: string[] = [];
    for (let start = 0; start < work.length; start += 10) {
      const batch = work.slice(start, start + 10);
      const result = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((group, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify({ runId: group.runId, trigger: group.trigger, shards: group.shards }),
          })),
        }),
      );
      for (const failure of result.Failed ?? []) {
        const group = batch[Number(failure.Id)];
        failed.push(
          `[${group?.shards.join(',') ?? failure.Id}] (${failure.Code ?? 'error'}: ${failure.Message ?? ''})`,
        );
      }
    }
    if (failed.length > 0)
      throw new ServiceUnavailableError(`digest shard groups not enqueued: ${failed.join(', ')}`, 'sqs');
  }
}
