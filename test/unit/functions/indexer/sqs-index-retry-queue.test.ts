import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { sqsMessageSender } from '../../../../shared/wiring/sqs-batch-sender.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../../../../shared/errors.js';
import { SqsIndexRetryQueue } from '../../../../functions/indexer/sqs-index-retry-queue.js';
import type { ItemId } from '../../../../shared/domain/item.js';

const sqs = mockClient(SQSClient);
const id = (n: number) => `it_${n.toString(16).padStart(24, '0')}` as ItemId;

describe('SqsIndexRetryQueue', () => {
  beforeEach(() => sqs.reset());

  it('sends each id once, 500 to a message, delayed, in batches of 10 messages', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const queue = new SqsIndexRetryQueue({
      send: sqsMessageSender(new SQSClient({ region: 'ap-northeast-1' }), 'https://sqs.example/retry'),
      delaySec: 60,
    });
    const ids = Array.from({ length: 5600 }, (_, i) => id(i));

    await queue.send([...ids, id(0), id(1)]);

    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Entries?.length)).toEqual([10, 2]);
    const bodies = calls
      .flatMap((c) => c.Entries ?? [])
      .map((e) => JSON.parse(e.MessageBody ?? '{}') as { ids: string[] });
    expect(bodies.map((b) => b.ids.length)).toEqual([...Array(11).fill(500), 100]);
    expect(bodies.flatMap((b) => b.ids)).toEqual(ids);
    expect(calls[0]?.Entries?.[0]?.DelaySeconds).toBe(60);
  });

  it('throws when SQS refuses a message, so the stream retries the batch', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [], Failed: [{ Id: '0', Code: 'Throttled', SenderFault: false, Message: 'slow down' }] });
    const queue = new SqsIndexRetryQueue({
      send: sqsMessageSender(new SQSClient({ region: 'ap-northeast-1' }), 'https://sqs.example/retry'),
      delaySec: 60,
    });

    const error: unknown = await queue.send([id(1)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).message).toBe('index retries not enqueued: Throttled: slow down');
  });
});
