import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { sqsMessageSender } from '../../../../../shared/wiring/sqs-batch-sender.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../../../../../shared/errors.js';
import { CrawlContinuationSchema } from '../../../../../functions/crawl/run/crawl-continuation.js';
import { emptyCounts } from '../../../../../shared/domain/crawl-run.js';
import { CrawlJobBodySchema } from '../../../../../functions/crawl/run/crawl-jobs.js';
import { SqsCrawlQueue } from '../../../../../functions/crawl/run/sqs-crawl-queue.js';

const sqs = mockClient(SQSClient);
const job = (n: number) => ({
  sourceId: `s-${n}`,
  host: n % 2 ? 'www.mext.go.jp' : 'www.meti.go.jp',
  requestedAt: '2026-11-27T18:00:00.000Z',
});

describe('SqsCrawlQueue', () => {
  beforeEach(() => sqs.reset());

  it('sends jobs in batches of 10 with the source id in the body', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const queue = new SqsCrawlQueue({
      send: sqsMessageSender(new SQSClient({ region: 'ap-northeast-1' }), 'https://sqs.example/q'),
      fifo: false,
    });

    await queue.enqueue(Array.from({ length: 12 }, (_, i) => job(i)));

    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 2]);
    expect(JSON.parse(calls[0]?.args[0].input.Entries?.[0]?.MessageBody ?? '{}')).toEqual({
      sourceId: 's-0',
      requestedAt: '2026-11-27T18:00:00.000Z',
    });
    expect(calls[0]?.args[0].input.Entries?.[0]?.MessageGroupId).toBeUndefined();
  });

  it('groups by host on a FIFO queue so one host is never crawled twice at once', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const queue = new SqsCrawlQueue({
      send: sqsMessageSender(new SQSClient({ region: 'ap-northeast-1' }), 'https://sqs.example/q.fifo'),
      fifo: true,
    });

    await queue.enqueue([job(1)]);

    const entry = sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry?.MessageGroupId).toBe('www.mext.go.jp');
    expect(entry?.MessageDeduplicationId).toBe('s-1-2026-11-27T180000000Z');
  });

  it('sends a continuation in the body, parsable by the crawl job schema, with its own FIFO deduplication id', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const queue = new SqsCrawlQueue({
      send: sqsMessageSender(new SQSClient({ region: 'ap-northeast-1' }), 'https://sqs.example/q.fifo'),
      fifo: true,
    });
    const continuation = CrawlContinuationSchema.parse({
      runId: 's-1-20261127T180000000Z-abcd1234',
      startedAt: '2026-11-27T18:00:00.000Z',
      number: 2,
      cursor: {
        kind: 'jgrants',
        next: { index: 1, url: 'https://api.example/subsidies?keyword=b' },
        pending: [],
        lists: [],
        listedIds: ['a1'],
        missed: false,
        capped: false,
        anyRead: true,
        detailsLeft: false,
      },
      counts: { ...emptyCounts(), fetched: 2, new: 1 },
      errors: [],
    });

    await queue.enqueue([{ ...job(1), continuation }]);

    const entry = sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries?.[0];
    expect(CrawlJobBodySchema.parse(JSON.parse(entry?.MessageBody ?? '{}'))).toEqual({
      sourceId: 's-1',
      requestedAt: '2026-11-27T18:00:00.000Z',
      continuation,
    });
    expect(entry?.MessageDeduplicationId).toBe('s-1-2026-11-27T180000000Z-c2');
  });

  it('names the jobs SQS refused', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: '0', Code: 'Throttled', SenderFault: false, Message: 'slow down' }] });
    const queue = new SqsCrawlQueue({
      send: sqsMessageSender(new SQSClient({ region: 'ap-northeast-1' }), 'https://sqs.example/q'),
      fifo: false,
    });

    const error: unknown = await queue.enqueue([job(3)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).message).toBe('crawl jobs not enqueued: s-3 (Throttled: slow down)');
    expect((error as ServiceUnavailableError).service).toBe('sqs');
  });
});
