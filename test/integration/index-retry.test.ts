import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { sqsMessageSender } from '../../shared/wiring/sqs-batch-sender.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processStreamBatch } from '../../functions/indexer/process-stream.js';
import { checkParity } from '../../functions/indexer/reindex.js';
import { retryIndexChanges } from '../../functions/indexer/retry-index-changes.js';
import { SqsIndexRetryQueue } from '../../functions/indexer/sqs-index-retry-queue.js';
import { systemClock } from '../../shared/clock.js';
import { itemIdFor } from '../../shared/domain/item.js';
import { RecordingLog } from '../../shared/log.js';
import { makeOpenSearchClient } from '../../shared/search/opensearch-client.js';
import { OpenSearchSearchIndex } from '../../shared/search/opensearch-search-index.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import type { ItemChange } from '../../shared/store/item-store.js';
import { itemKey, itemToRecord } from '../../shared/store/keys.js';
import { makeDraft } from '../support/factories.js';
import { integrationEndpoints } from '../support/integration-services.js';

const { osEndpoint, dynamoEndpoint } = integrationEndpoints();

/**
 * The AWS indexing path on one machine, against the real node and the dynalite server: stream
 * batches (built from the store's changes as the table stream carries them) reach the index
 * function while the engine refuses writes (a write block, as a full disk's flood stage sets); the
 * function parks the item ids through `SqsIndexRetryQueue` (SQS itself recorded at the edge), the
 * retry function fails while the block holds and converges the index to the store by content once
 * it is lifted.
 */
describe('index retry queue (OpenSearch)', () => {
  const runId = randomUUID().slice(0, 8);
  const tableName = `retry-${runId}`;
  const prefix = `chiiki-retry-${runId}`;
  const base = new DynamoDBClient({
    endpoint: dynamoEndpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const client = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
  const osClient = makeOpenSearchClient({ endpoint: osEndpoint, sigv4: false, region: 'ap-northeast-1' });
  const index = new OpenSearchSearchIndex({ client: osClient, prefix, clock: systemClock });
  // The table stream: every store write's changes, in order.
  const stream: ItemChange[] = [];
  const store = new DynamoDbItemStore({
    client,
    tableName,
    clock: systemClock,
    onChange: async (changes) => void stream.push(...changes),
  });
  const sqs = mockClient(SQSClient);
  const log = new RecordingLog();
  let sequence = 0;

  const url = (key: string) => `https://www.example.go.jp/retry/${key}.html`;
  const draft = (key: string, version: number) =>
    makeDraft({ url: url(key), canonicalUrl: url(key), title: `地域連携公募 ${key} 第${version}版` });

  /** Delivers what the stream holds to the index function in batches of 100, as the event source does. */
  async function deliverStream(retryQueue: SqsIndexRetryQueue): Promise<string[]> {
    const failures: string[] = [];
    const changes = stream.splice(0);
    for (let start = 0; start < changes.length; start += 100) {
      const response = await processStreamBatch(
        {
          index,
          log,
          unmarshall: (image) => unmarshall(image as unknown as Record<string, AttributeValue>),
          retryQueue,
        },
        { Records: changes.slice(start, start + 100).map(toStreamRecord) },
      );
      failures.push(...response.batchItemFailures.map((f) => f.itemIdentifier ?? ''));
    }
    return failures;
  }

  function toStreamRecord(change: ItemChange) {
    const image = (item: NonNullable<ItemChange['newItem']>) =>
      marshall(itemToRecord(item, item.updatedAt), { removeUndefinedValues: true });
    return {
      eventName: change.oldItem ? (change.newItem ? 'MODIFY' : 'REMOVE') : 'INSERT',
      eventSource: 'aws:dynamodb',
      dynamodb: {
        Keys: marshall(itemKey(change.id)),
        ...(change.newItem ? { NewImage: image(change.newItem) } : {}),
        ...(change.oldItem ? { OldImage: image(change.oldItem) } : {}),
        SequenceNumber: String(++sequence).padStart(21, '0'),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
  }

  /** The messages SendMessageBatch received, as the SQS event the retry function gets. */
  function sentAsSqsEvent() {
    const entries = sqs.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    return {
      Records: entries.map((entry, i) => ({
        messageId: `msg-${i}`,
        body: entry.MessageBody ?? '',
        eventSource: 'aws:sqs',
        awsRegion: 'ap-northeast-1',
      })),
    };
  }

  async function setWriteBlock(blocked: boolean): Promise<void> {
    await osClient.transport.request({
      method: 'PUT',
      path: `/${index.readAlias}/_settings`,
      body: { index: { blocks: { write: blocked } } },
    });
  }

  beforeAll(async () => {
    await store.ensureTable();
    await index.ensureIndex();
  });

  afterAll(async () => {
    await setWriteBlock(false).catch(() => undefined);
    await index.dropAll();
    base.destroy();
  });

  it('parks failed writes by id while the engine refuses them and converges by re-reading the store once it accepts', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const retryQueue = new SqsIndexRetryQueue({
      send: sqsMessageSender(
        new SQSClient({ region: 'ap-northeast-1' }),
        'https://sqs.ap-northeast-1.amazonaws.com/123456789012/index-retry',
      ),
      delaySec: 60,
    });
    const seeded = 400;
    for (let n = 0; n < seeded; n += 100)
      await store.upsert(Array.from({ length: 100 }, (_, i) => draft(`item-${n + i}`, 1)));
    expect(await deliverStream(retryQueue)).toEqual([]);
    expect(await checkParity(store, index, { batchSize: 500 })).toEqual({ missing: 0, stale: 0, extra: 0 });

    await setWriteBlock(true);
    await store.upsert(Array.from({ length: 250 }, (_, i) => draft(`item-${i}`, 2)));
    await store.upsert(Array.from({ length: 150 }, (_, i) => draft(`new-${i}`, 1)));
    for (let i = 250; i < 270; i++)
      await store.markWithdrawn(itemIdFor(url(`item-${i}`)), 'mext-koubo', new Date().toISOString());
    await store.upsert(Array.from({ length: 50 }, (_, i) => draft(`item-${i}`, 3)));
    const changesDuringOutage = stream.length;
    const streamFailures = await deliverStream(retryQueue);
    const delayed = await checkParity(store, index, { batchSize: 500 });
    const event = sentAsSqsEvent();
    const parkedIds = new Set(event.Records.flatMap((r) => (JSON.parse(r.body) as { ids: string[] }).ids));
    const whileBlocked = await retryIndexChanges({ store, index, log }, event);

    await setWriteBlock(false);
    const started = performance.now();
    const retried = await retryIndexChanges({ store, index, log }, event);
    const convergeMs = performance.now() - started;
    const parity = await checkParity(store, index, { batchSize: 500 });

    console.log(
      `index retry: ${seeded} items seeded, ${changesDuringOutage} store changes while the engine refused writes ` +
        `(${parkedIds.size} items delayed: ${JSON.stringify(delayed)}), ${event.Records.length} retry messages, ` +
        `${whileBlocked.batchItemFailures.length} failed while blocked; converged in ${convergeMs.toFixed(0)} ms ` +
        `after the engine accepted writes again; at the end ${JSON.stringify(parity)}`,
    );
    expect(streamFailures).toEqual([]);
    expect(delayed.missing).toBe(150);
    expect(delayed.stale).toBe(270);
    expect(parkedIds.size).toBe(420);
    expect(whileBlocked.batchItemFailures).toHaveLength(event.Records.length);
    expect(retried.batchItemFailures).toEqual([]);
    expect(parity).toEqual({ missing: 0, stale: 0, extra: 0 });
  });
});
