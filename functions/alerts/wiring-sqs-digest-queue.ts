import { ServiceUnavailableError } from '../../shared/errors.js';
import { sendSqsBatches, type SqsSender } from '../../shared/wiring/sqs-batch-sender.js';
import type { DigestWork, DigestWorkQueue } from './fan-out.js';

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
    const failed = await sendSqsBatches(
      this.client,
      this.queueUrl,
      work.map((group) => ({
        body: JSON.stringify({ runId: group.runId, trigger: group.trigger, shards: group.shards }),
        label: `[${group.shards.join(',')}]`,
      })),
    );
    if (failed.length > 0)
      throw new ServiceUnavailableError(`digest shard groups not enqueued: ${failed.join(', ')}`, 'sqs');
  }
}
