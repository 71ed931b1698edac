import { readFileSync } from 'node:fs';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { processStreamBatch, type StreamDeps } from '../../../../functions/indexer/process-stream.js';
import { FixedClock } from '../../../../shared/clock.js';
import { RecordingLog } from '../../../../shared/log.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import type { SearchDoc, SearchIndex } from '../../../../shared/search/search-index.js';

interface FixtureRecord {
  dynamodb: { SequenceNumber: string; NewImage?: unknown; OldImage?: unknown };
}

function fixture(name: string): { Records: FixtureRecord[] } {
  return JSON.parse(readFileSync(new URL(`../../../fixtures/events/${name}`, import.meta.url), 'utf8'));
}

function makeDeps(
  index: SearchIndex = new EmbeddedSearchIndex({ clock: new FixedClock('2025-05-01T00:00:00+09:00') }),
) {
  const log = new RecordingLog();
  const deps: StreamDeps = {
    index,
    log,
    unmarshall: (image) => unmarshall(image as unknown as Record<string, AttributeValue>),
  };
  return { deps, log, index };
}

describe('processStreamBatch', () => {
  it('indexes inserts and modifications, skips non-item records, reports no failures', async () => {
    const { deps, index, log } = makeDeps();

    const response = await processStreamBatch(deps, fixture('dynamodb-stream-batch.json'));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await index.count()).toBe(2);
    const extended = await index.search({ text: '締切延長' });
    expect(extended.items.map((h) => h.doc.closesAt)).toEqual(['2025-06-13T17:00:00+09:00']);
    expect((await index.search({ text: '産学官連携フォーラム' })).total).toBe(0);
    expect((await index.search({ text: '産学官連携フォーラム', includeWithdrawn: true })).items[0]?.doc.withdrawn).toBe(
      true,
    );
    expect(log.entries.find((e) => e.message === 'stream batch indexed')?.data).toMatchObject({
      records: 5,
      upserted: 2,
      skipped: 1,
      failed: 0,
    });
  });

  it('removes an item whose record was deleted', async () => {
    const { deps, index } = makeDeps();
    await processStreamBatch(deps, fixture('dynamodb-stream-batch.json'));

    const response = await processStreamBatch(deps, fixture('dynamodb-stream-remove.json'));

    expect(response.batchItemFailures).toEqual([]);
    expect(await index.count()).toBe(1);
    expect((await index.search({ text: '研究大学' })).total).toBe(0);
  });

  it('reports a poison record by sequence number and still indexes the rest of the batch', async () => {
    const { deps, index, log } = makeDeps();
    const event = fixture('dynamodb-stream-poison.json');

    const response = await processStreamBatch(deps, event);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]?.dynamodb.SequenceNumber }]);
    expect(await index.count()).toBe(2);
    const rejected = log.entries.find((e) => e.message === 'stream record rejected');
    const issues = (rejected?.data as { issues: Array<{ path: unknown[] }> }).issues;
    expect(issues.map((i) => i.path.slice(0, 4))).toContainEqual(['Records', 1, 'dynamodb', 'NewImage']);
    expect(issues.map((i) => i.path[4])).toEqual(expect.arrayContaining(['title', 'closesAt']));
  });

  it('reports a record without an image as a failure, not a crash', async () => {
    const { deps } = makeDeps();
    const event = fixture('dynamodb-stream-batch.json');
    const record = event.Records[0] as FixtureRecord;
    record.dynamodb.OldImage = record.dynamodb.NewImage;
    delete record.dynamodb.NewImage;

    const response = await processStreamBatch(deps, event);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.dynamodb.SequenceNumber }]);
  });

  it('reports every change record when the index write fails, so the batch is retried', async () => {
    const failing: SearchIndex = {
      ensureIndex: async () => {},
      upsert: async (_docs: readonly SearchDoc[]) => {
        throw new Error('cluster unavailable');
      },
      remove: async () => {},
      search: async () => {
        throw new Error('unused');
      },
      count: async () => 0,
    };
    const { deps } = makeDeps(failing);
    const event = fixture('dynamodb-stream-batch.json');

    const response = await processStreamBatch(deps, event);

    const expected = [0, 1, 3, 4].map((i) => ({ itemIdentifier: event.Records[i]?.dynamodb.SequenceNumber }));
    expect(response.batchItemFailures).toEqual(expected);
  });

  it('parks the item ids in the retry queue when the index write fails, so the stream moves on', async () => {
    const sent: string[][] = [];
    const { deps, log } = makeDeps(failingIndex());
    const event = fixture('dynamodb-stream-batch.json');

    const response = await processStreamBatch(
      { ...deps, retryQueue: { send: async (ids) => void sent.push([...ids]) } },
      event,
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toHaveLength(new Set(sent[0]).size);
    expect(sent[0]?.length).toBeGreaterThan(0);
    expect(sent[0]?.every((id) => /^it_[0-9a-f]{24}$/.test(id))).toBe(true);
    expect(log.entries.find((e) => e.message === 'index write queued for retry')?.data).toEqual({
      items: sent[0]?.length,
    });
  });

  it('lets the stream retry the batch when the retry queue refuses the ids too', async () => {
    const { deps } = makeDeps(failingIndex());
    const event = fixture('dynamodb-stream-batch.json');

    const response = await processStreamBatch(
      {
        ...deps,
        retryQueue: {
          send: async () => {
            throw new Error('sqs throttled');
          },
        },
      },
      event,
    );

    const expected = [0, 1, 3, 4].map((i) => ({ itemIdentifier: event.Records[i]?.dynamodb.SequenceNumber }));
    expect(response.batchItemFailures).toEqual(expected);
  });

  it('rejects an event that is not a stream batch', async () => {
    const { deps } = makeDeps();

    await expect(processStreamBatch(deps, { foo: 1 })).rejects.toThrow(/Records/);
  });
});

/** An index whose writes fail, as an unreachable engine's do. */
function failingIndex(): SearchIndex {
  return {
    ensureIndex: async () => {},
    upsert: async () => {
      throw new Error('cluster unavailable');
    },
    remove: async () => {
      throw new Error('cluster unavailable');
    },
    search: async () => {
      throw new Error('unused');
    },
    count: async () => 0,
  };
}
