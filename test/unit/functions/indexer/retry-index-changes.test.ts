import { readFileSync } from 'node:fs';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processStreamBatch } from '../../../../functions/indexer/process-stream.js';
import { retryIndexChanges } from '../../../../functions/indexer/retry-index-changes.js';
import { FixedClock } from '../../../../shared/clock.js';
import { itemIdFor, type ItemId } from '../../../../shared/domain/item.js';
import { RecordingLog } from '../../../../shared/log.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import { toSearchDoc, type SearchIndex } from '../../../../shared/search/search-index.js';
import { DynamoDbItemStore } from '../../../../shared/store/dynamodb-item-store.js';
import { countingDocumentClient, startDynalite, type RunningDynalite } from '../../../support/dynalite.js';
import { makeDraft, makeItem } from '../../../support/factories.js';

const clock = new FixedClock('2025-05-01T00:00:00+09:00');
const url = (n: number) => `https://www.mext.go.jp/a_menu/kagaku/chiiki/koubo/retry-${n}.html`;

/** An SQS event carrying `bodies`, one message each. */
function sqsEvent(bodies: readonly string[]) {
  return { Records: bodies.map((body, i) => ({ messageId: `m-${i}`, body })) };
}

describe('retryIndexChanges', () => {
  let dynalite: RunningDynalite;
  let store: DynamoDbItemStore;
  const ids: ItemId[] = [];

  beforeAll(async () => {
    dynalite = await startDynalite();
    store = new DynamoDbItemStore({
      client: countingDocumentClient(dynalite.endpoint).client,
      tableName: 'retry-test',
      clock,
    });
    await store.ensureTable();
    const results = await store.upsert(
      [1, 2].map((n) => makeDraft({ url: url(n), canonicalUrl: url(n), title: `公募 ${n}` })),
    );
    ids.push(...results.map((r) => r.id));
  });

  afterAll(async () => {
    await dynalite?.stop();
  });

  it('re-reads each item from the store and applies what it holds: upserts, and removes what is gone', async () => {
    const index = new EmbeddedSearchIndex({ clock });
    const gone = makeItem({ url: url(9), canonicalUrl: url(9), id: itemIdFor(url(9)) });
    await index.upsert([toSearchDoc(gone)]);
    const log = new RecordingLog();

    const response = await retryIndexChanges(
      { store, index, log },
      sqsEvent([JSON.stringify({ ids: [ids[0]] }), JSON.stringify({ ids: [ids[1], gone.id] })]),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect([...(await index.versions()).keys()].sort()).toEqual([...ids].sort());
    expect(log.entries.find((e) => e.message === 'index retries applied')?.data).toEqual({
      messages: 2,
      items: 3,
      upserted: 2,
      removed: 1,
      repaired: 0,
      failed: 0,
    });
  });

  it('takes the SQS event Lambda delivers (recorded shape) and applies the ids of its bodies', async () => {
    const index = new EmbeddedSearchIndex({ clock });
    const gone = makeItem({ url: url(9), canonicalUrl: url(9), id: itemIdFor(url(9)) });
    await index.upsert([toSearchDoc(gone)]);
    const event: unknown = JSON.parse(
      readFileSync(new URL('../../../fixtures/events/sqs-index-retry.json', import.meta.url), 'utf8'),
    );

    const response = await retryIndexChanges({ store, index, log: new RecordingLog() }, event);

    expect(response).toEqual({ batchItemFailures: [] });
    expect([...(await index.versions()).keys()].sort()).toEqual([...ids].sort());
  });

  it('fails a message that does not parse by its id and still applies the others', async () => {
    const index = new EmbeddedSearchIndex({ clock });

    const response = await retryIndexChanges(
      { store, index, log: new RecordingLog() },
      sqsEvent(['not json', JSON.stringify({ ids: ['it_x'] }), JSON.stringify({ ids: [ids[0]] })]),
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }, { itemIdentifier: 'm-1' }]);
    expect(await index.count()).toBe(1);
  });

  it('fails every message when the index is still unavailable, for SQS to deliver them again', async () => {
    const response = await retryIndexChanges(
      { store, index: unavailable(), log: new RecordingLog() },
      sqsEvent([JSON.stringify({ ids: [ids[0]] }), JSON.stringify({ ids: [ids[1]] })]),
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }, { itemIdentifier: 'm-1' }]);
  });

  it('brings the index to the store after an outage: stream batch parked by id, then retried once healthy', async () => {
    const before = await store.get(ids[0] as ItemId);
    const [changed] = await store.upsert([makeDraft({ url: url(1), canonicalUrl: url(1), title: '公募 1 締切延長' })]);
    const parked: string[] = [];
    const streamEvent = {
      Records: [
        {
          eventName: 'MODIFY',
          dynamodb: {
            SequenceNumber: '100',
            Keys: marshall({ pk: `ITEM#${ids[0]}`, sk: 'ITEM' }),
            NewImage: marshall(
              { pk: `ITEM#${ids[0]}`, sk: 'ITEM', type: 'item', changedAt: changed?.item.updatedAt, ...changed?.item },
              { removeUndefinedValues: true },
            ),
            OldImage: marshall(
              { pk: `ITEM#${ids[0]}`, sk: 'ITEM', type: 'item', changedAt: before?.updatedAt, ...before },
              { removeUndefinedValues: true },
            ),
          },
        },
      ],
    };
    const stream = await processStreamBatch(
      {
        index: unavailable(),
        log: new RecordingLog(),
        unmarshall: (image) => unmarshall(image as unknown as Record<string, AttributeValue>),
        retryQueue: { send: async (sent) => void parked.push(JSON.stringify({ ids: sent })) },
      },
      streamEvent,
    );
    const index = new EmbeddedSearchIndex({ clock });

    const retried = await retryIndexChanges({ store, index, log: new RecordingLog() }, sqsEvent(parked));

    expect(stream.batchItemFailures).toEqual([]);
    expect(retried.batchItemFailures).toEqual([]);
    expect((await index.search({ text: '締切延長' })).items.map((h) => h.doc.id)).toEqual([ids[0]]);
  });

  it('applies the store again for an item whose newer state a stream write indexed while the retry read the store', async () => {
    const index = new EmbeddedSearchIndex({ clock });
    await index.upsert((await Promise.all(ids.map((id) => store.get(id)))).flatMap((i) => (i ? [toSearchDoc(i)] : [])));
    let raced = false;
    const racing: SearchIndex = {
      ensureIndex: () => index.ensureIndex(),
      // The stream delivers a newer write of item 2 after the retry read it and before its write lands.
      upsert: async (docs) => {
        if (!raced) {
          raced = true;
          clock.advanceMs(60_000);
          const [newer] = await store.upsert([
            makeDraft({ url: url(2), canonicalUrl: url(2), title: '公募 2 再公募' }),
          ]);
          if (newer) await index.upsert([toSearchDoc(newer.item)]);
        }
        await index.upsert(docs);
      },
      remove: (removed) => index.remove(removed),
      search: (query) => index.search(query),
      count: () => index.count(),
      versions: (only) => index.versions(only),
    };
    const log = new RecordingLog();

    const response = await retryIndexChanges({ store, index: racing, log }, sqsEvent([JSON.stringify({ ids })]));

    const stored = await store.get(ids[1] as ItemId);
    expect(response).toEqual({ batchItemFailures: [] });
    expect((await index.versions([ids[1] as ItemId])).get(ids[1] as ItemId)).toBe(Date.parse(stored?.updatedAt ?? ''));
    expect((await index.search({ text: '再公募' })).items.map((h) => h.doc.id)).toEqual([ids[1]]);
    expect(log.entries.find((e) => e.message === 'index retries applied')?.data).toMatchObject({ repaired: 1 });
  });
});

/** An index whose writes fail, as an unreachable engine's do. */
function unavailable(): SearchIndex {
  const fail = async (): Promise<never> => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:9200');
  };
  return { ensureIndex: fail, upsert: fail, remove: fail, search: fail, count: fail };
}
