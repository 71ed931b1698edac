import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reindex, ReindexMismatchError } from '../../../../functions/index/reindex.js';
import { FixedClock } from '../../../../shared/clock.js';
import { RecordingLog } from '../../../../shared/log.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import type { ReindexWriter, SearchIndex } from '../../../../shared/search/search-index.js';
import { DynamoDbItemStore } from '../../../../shared/store/dynamodb-item-store.js';
import { countingDocumentClient, startDynalite, type RunningDynalite } from '../../../support/dynalite.js';
import { generateCorpus, itemFromSearchDoc, seedItems } from '../../../support/search-corpus.js';

describe('reindex', () => {
  const clock = new FixedClock('2025-05-01T00:00:00+09:00');
  const corpus = generateCorpus(230, 5);
  let dynalite: RunningDynalite;
  let store: DynamoDbItemStore;

  beforeAll(async () => {
    dynalite = await startDynalite();
    const { client } = countingDocumentClient(dynalite.endpoint);
    store = new DynamoDbItemStore({ client, tableName: 'reindex-test', clock });
    await store.ensureTable();
    await seedItems(client, 'reindex-test', corpus.map(itemFromSearchDoc));
  });

  afterAll(async () => {
    await dynalite?.stop();
  });

  it('rebuilds the index from the store, drops stale documents and reports matching counts', async () => {
    const index = new EmbeddedSearchIndex({ clock });
    await index.upsert(generateCorpus(40, 99));
    const progress: number[] = [];
    const log = new RecordingLog();

    const result = await reindex({ store, index, log, batchSize: 50, onProgress: (p) => progress.push(p.done) });

    expect(result).toMatchObject({ storeCount: 230, scanned: 230, indexCount: 230 });
    expect(result.docsPerSec).toBeGreaterThan(0);
    expect(progress[progress.length - 1]).toBe(230);
    expect(progress.length).toBeGreaterThan(2);
    expect(await index.count()).toBe(230);
    const sample = corpus[17];
    expect((await index.search({ text: sample?.title, includeWithdrawn: true })).items.map((h) => h.doc.id)).toContain(
      sample?.id,
    );
    expect(log.entries.filter((e) => e.level === 'info').map((e) => e.message)).toEqual(['reindex finished']);
  });

  it('keeps the old index live when the new one does not hold what was written', async () => {
    const inner = new EmbeddedSearchIndex({ clock });
    await inner.upsert(generateCorpus(10, 1));
    let aborted = false;
    const lossy: SearchIndex = {
      ensureIndex: () => inner.ensureIndex(),
      upsert: (docs) => inner.upsert(docs),
      remove: (ids) => inner.remove(ids),
      search: (q) => inner.search(q),
      count: () => inner.count(),
      beginReindex: async (): Promise<ReindexWriter> => {
        const writer = await inner.beginReindex();
        return {
          ...writer,
          upsert: (docs) => writer.upsert(docs.slice(1)),
          abort: async () => {
            aborted = true;
            await writer.abort();
          },
        };
      },
    };

    await expect(reindex({ store, index: lossy, log: new RecordingLog(), batchSize: 100 })).rejects.toBeInstanceOf(
      ReindexMismatchError,
    );

    expect(aborted).toBe(true);
    expect(await inner.count()).toBe(10);
  });
});
