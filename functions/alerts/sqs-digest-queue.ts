import { ServiceUnavailableError } from '../../shared/errors.js';
import type { SendMessages } from '../../shared/message-batches.js';
import type { DigestWork, DigestWorkQueue } from './fan-out.js';

/**
 * `DigestWorkQueue` over SQS (a standard queue: a duplicate group is harmless, see fan-out.ts).
 * The wiring passes what sends the messages (`sqsMessageSender`, 10 to a call), so the SDK stays
 * in the wiring; the body is the `DigestWork` as JSON.
 */
export class SqsDigestWorkQueue implements DigestWorkQueue {
  private readonly send: SendMessages;

  constructor(options: { send: SendMessages }) {
    this.send = options.send;
  }

  async enqueue(work: readonly DigestWork[]): Promise<void> {
    const failed = await this.send(
      work.map((group) => ({
        body: JSON.stringify({ runId: group.runId, trigger: group.trigger, shards: group.shards }),
        label: `[${group.shards.join(',')}]`,
      })),
    );
    if (failed.length > 0)
      throw new ServiceUnavailableError(`digest shard groups not enqueued: ${failed.join(', ')}`, 'sqs');
  }
}
