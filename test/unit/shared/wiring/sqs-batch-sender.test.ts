import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { sendSqsBatches } from '../../../../shared/wiring/sqs-batch-sender.js';

const sqs = mockClient(SQSClient);
const client = (): SQSClient => new SQSClient({ region: 'ap-northeast-1' });

describe('sendSqsBatches', () => {
  beforeEach(() => sqs.reset());

  it('sends 10 messages per call, ids numbered within the batch, and reports none failed', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });

    const failed = await sendSqsBatches(
      client(),
      'https://sqs.example/q',
      Array.from({ length: 23 }, (_, i) => ({ body: `m${i}` })),
    );

    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(failed).toEqual([]);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
    expect(calls[2]?.args[0].input).toEqual({
      QueueUrl: 'https://sqs.example/q',
      Entries: [
        { Id: '0', MessageBody: 'm20' },
        { Id: '1', MessageBody: 'm21' },
        { Id: '2', MessageBody: 'm22' },
      ],
    });
  });

  it('passes group, deduplication id and delay only when given', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });

    await sendSqsBatches(client(), 'https://sqs.example/q.fifo', [
      { body: 'a', groupId: 'www.mext.go.jp', dedupId: 'a-1', delaySec: 30 },
    ]);

    expect(sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries).toEqual([
      { Id: '0', MessageBody: 'a', MessageGroupId: 'www.mext.go.jp', MessageDeduplicationId: 'a-1', DelaySeconds: 30 },
    ]);
  });

  it('names each failed message by its label, or gives only code and message without one', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '1', Code: 'Throttled', Message: 'slow down', SenderFault: false }] })
      .resolvesOnce({ Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] });

    const failed = await sendSqsBatches(client(), 'https://sqs.example/q', [
      ...Array.from({ length: 10 }, (_, i) => ({ body: `m${i}`, label: `[${i}]` })),
      { body: 'unlabelled' },
    ]);

    expect(failed).toEqual(['[1] (Throttled: slow down)', 'InternalError: ']);
  });

  it('rejects with the SDK error when a call fails', async () => {
    sqs.on(SendMessageBatchCommand).rejects(new Error('network down'));

    await expect(sendSqsBatches(client(), 'https://sqs.example/q', [{ body: 'a' }])).rejects.toThrow('network down');
  });
});
