import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueueMessage, SendMessages } from '../message-batches.js';

/** The part of the SQS client the queues use. */
export type SqsSender = Pick<SQSClient, 'send'>;

/** Most messages one SendMessageBatch call takes (the SQS limit). */
const maxBatch = 10;

/**
 * Sends the messages to the queue, 10 per SendMessageBatch call, and returns one line per message
 * SQS did not take (`label (Code: message)`, or `Code: message` for an unlabelled one); empty when
 * all were taken. A call that throws is not caught: it rejects with the SDK's error.
 */
export async function sendSqsBatches(
  client: SqsSender,
  queueUrl: string,
  messages: readonly QueueMessage[],
): Promise<string[]> {
  const failed: string[] = [];
  for (let start = 0; start < messages.length; start += maxBatch) {
    const batch = messages.slice(start, start + maxBatch);
    const result = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((message, index) => ({
          Id: String(index),
          MessageBody: message.body,
          ...(message.groupId === undefined ? {} : { MessageGroupId: message.groupId }),
          ...(message.dedupId === undefined ? {} : { MessageDeduplicationId: message.dedupId }),
          ...(message.delaySec === undefined ? {} : { DelaySeconds: message.delaySec }),
        })),
      }),
    );
    for (const failure of result.Failed ?? []) {
      const reason = `${failure.Code ?? 'error'}: ${failure.Message ?? ''}`;
      const message = batch[Number(failure.Id)];
      const label = message === undefined ? failure.Id : message.label;
      failed.push(label === undefined ? reason : `${label} (${reason})`);
    }
  }
  return failed;
}

/** `SendMessages` over one SQS queue: what the wiring hands a function's queue adapter. */
export function sqsMessageSender(client: SqsSender, queueUrl: string): SendMessages {
  return (messages) => sendSqsBatches(client, queueUrl, messages);
}
