import { ServiceUnavailableError } from './errors.js';

/** One message for a queue, with what names it in a failure report. */
export interface QueueMessage {
  readonly body: string;
  /** Names the message in a failure report (`label (Code: message)`); without it only the code and message are given. */
  readonly label?: string;
  /** FIFO queues only: the message group. */
  readonly groupId?: string;
  /** FIFO queues only: the deduplication id. */
  readonly dedupId?: string;
  readonly delaySec?: number;
}

/**
 * The narrow sending port the queue adapters of the functions depend on: sends messages to one
 * queue and resolves to one line per message the queue did not take (empty when all were taken).
 * In Lambda the wiring passes `sqsMessageSender` (`shared/wiring/sqs-batch-sender.ts`), which
 * sends them in batches of 10 with SendMessageBatch.
 */
export type SendMessages = (messages: readonly QueueMessage[]) => Promise<string[]>;

/**
 * Sends `messages` with `send`; throws a `ServiceUnavailableError` naming the ones the queue did
 * not take (`what` says what they are, e.g. "crawl jobs").
 */
export async function sendAll(send: SendMessages, messages: readonly QueueMessage[], what: string): Promise<void> {
  const failed = await send(messages);
  if (failed.length > 0) throw new ServiceUnavailableError(`${what} not enqueued: ${failed.join(', ')}`, 'sqs');
}
