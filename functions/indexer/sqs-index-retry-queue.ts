import type { ItemId } from '../../shared/domain/item.js';
import { sendAll, type SendMessages } from '../../shared/message-batches.js';
import { maxIdsPerRetryMessage, type IndexRetryQueue } from './index-retry-queue.js';

/**
 * `IndexRetryQueue` over SQS; the wiring passes what sends the messages (`sqsMessageSender`, 10 to
 * a call), so the SDK stays in the wiring. Ids are deduplicated, packed `maxIdsPerRetryMessage` to
 * a message, each delayed by `delaySec` so a failing engine gets time to recover before the first
 * retry.
 */
export class SqsIndexRetryQueue implements IndexRetryQueue {
  constructor(private readonly options: { readonly send: SendMessages; readonly delaySec: number }) {}

  async send(ids: readonly ItemId[]): Promise<void> {
    const unique = [...new Set(ids)];
    const bodies: string[] = [];
    for (let start = 0; start < unique.length; start += maxIdsPerRetryMessage)
      bodies.push(JSON.stringify({ ids: unique.slice(start, start + maxIdsPerRetryMessage) }));
    const { send, delaySec } = this.options;
    await sendAll(
      send,
      bodies.map((body) => ({ body, delaySec })),
      'index retries',
    );
  }
}
