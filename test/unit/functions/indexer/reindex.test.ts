import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyChanges } from '../../../../functions/indexer/apply-change.js';
import { classify, reindex } from '../../../../functions/indexer/reindex.js';
import { ReindexCleanupError, ReindexMismatchError } from '../../../../shared/errors.js';
import type { Item, ItemId } from '../../../../shared/domain/item.js';
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
  let client: ReturnType<typeof countingDocumentClient>['client'];

  beforeAll(async () => {
    dynalite = await startDynalite();
    client = countingDocumentClient(dynalite.endpoint).client;
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

  it('sends writes made during the rebuild to the new version too, so nothing needs repair', async () => {
    const index = new EmbeddedSearchIndex({ clock });
    const live = new DynamoDbItemStore({
      client,
      tableName: 'reindex-test',
      clock: new FixedClock('2026-01-01T00:00:00+09:00'),
      onChange: async (changes) => void (await applyChanges({ index, log: new RecordingLog() }, changes)),
    });
    const first = (await store.scanItems(undefined, 50)).items[0] as Item;
    let written: Item | undefined;

    const result = await reindex({
      store,
      index,
      log: new RecordingLog(),
      batchSize: 50,
      onProgress: () => {
        // The live indexer, once the scan has passed the item: a write that only the old index would get.
        if (!written)
          void live
            .markWithdrawn(first.id, first.provenance[0]?.sourceId ?? '', first.updatedAt)
            .then((i) => (written = i));
      },
    });

    expect(Date.parse(written?.updatedAt ?? '')).toBe(Date.parse('2026-01-01T00:00:00+09:00'));
    expect(result.replayed).toEqual({ missing: 0, stale: 0, extra: 0 });
    expect(result.parity).toEqual({ missing: 0, stale: 0, extra: 0 });
    expect((await index.versions([first.id])).get(first.id)).toBe(Date.parse('2026-01-01T00:00:00+09:00'));
  });

  it('repairs from the store what the new version lost, and reports it as replayed', async () => {
    const inner = new EmbeddedSearchIndex({ clock });
    let dropped = 0;
    const lossy: SearchIndex = {
      ensureIndex: () => inner.ensureIndex(),
      upsert: (docs) => inner.upsert(docs),
      remove: (ids) => inner.remove(ids),
      search: (q) => inner.search(q),
      count: () => inner.count(),
      versions: (ids) => inner.versions(ids),
      beginReindex: async (): Promise<ReindexWriter> => {
        const writer = await inner.beginReindex();
        // Loses three documents of the scan's first page, as a bulk write that dropped items would.
        return {
          ...writer,
          upsert: (docs) => writer.upsert(dropped++ === 0 ? docs.slice(3) : docs),
        };
      },
    };

    const result = await reindex({ store, index: lossy, log: new RecordingLog(), batchSize: 100 });

    expect(result.replayed).toEqual({ missing: 3, stale: 0, extra: 0 });
    expect(result.parity).toEqual({ missing: 0, stale: 0, extra: 0 });
    expect(await inner.count()).toBe(230);
  });

  it('rethrows the cause of a failure after removing the new version', async () => {
    const index = new EmbeddedSearchIndex({ clock });
    let aborted = false;
    const failing: SearchIndex = {
      ...bind(index),
      beginReindex: async () => {
        const writer = await index.beginReindex();
        return { ...writer, abort: async () => void (aborted = true) };
      },
    };

    await expect(
      reindex({ store: brokenStore(), index: failing, log: new RecordingLog(), batchSize: 50 }),
    ).rejects.toThrow(/^store read failed on page 2$/);

    expect(aborted).toBe(true);
  });

  it('names both errors when removing the new version fails too', async () => {
    const index = new EmbeddedSearchIndex({ clock });
    const failing: SearchIndex = {
      ...bind(index),
      beginReindex: async () => {
        const writer = await index.beginReindex();
        return {
          ...writer,
          abort: async () => {
            throw new Error('connect ECONNREFUSED 127.0.0.1:9200');
          },
        };
      },
    };

    const error: unknown = await reindex({
      store: brokenStore(),
      index: failing,
      log: new RecordingLog(),
      batchSize: 50,
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ReindexCleanupError);
    expect((error as Error).message).toBe(
      'reindex failed: store read failed on page 2; removing the new index also failed: connect ECONNREFUSED 127.0.0.1:9200',
    );
  });

  it('removes orphan versions of a persistent index before building', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reindex-orphans-'));
    try {
      const index = new EmbeddedSearchIndex({ dir, clock });
      await index.ensureIndex();
      mkdirSync(join(dir, 'v5'));

      const result = await reindex({ store, index, log: new RecordingLog(), batchSize: 100 });

      expect(result.orphansRemoved).toEqual(['v5']);
      expect(readdirSync(dir).filter((n) => n.startsWith('v'))).toEqual(['v2']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** The store, failing on the second scan page as a dropped connection would. */
  function brokenStore(): DynamoDbItemStore {
    let pages = 0;
    return Object.assign(Object.create(store) as DynamoDbItemStore, {
      scanItems: async (cursor?: string, limit?: number) => {
        if (++pages === 2) throw new Error('store read failed on page 2');
        return store.scanItems(cursor, limit);
      },
    });
  }
});

describe('classify', () => {
  const ids = [
    'it_000000000000000000000001',
    'it_000000000000000000000002',
    'it_000000000000000000000003',
    'it_000000000000000000000004',
  ] as ItemId[];
  const stored = new Map<string, Item>([
    [ids[0] as string, { updatedAt: '2025-05-01T09:00:00+09:00' } as Item],
    [ids[1] as string, { updatedAt: '2025-05-01T09:00:00+09:00' } as Item],
    [ids[2] as string, { updatedAt: '2025-05-02T09:00:00+09:00' } as Item],
  ]);

  it('sorts ids into missing, stale and extra by updatedAt, whatever the offset it is written with', () => {
    const indexed = new Map([
      [ids[1] as string, Date.parse('2025-05-01T00:00:00Z')],
      [ids[2] as string, Date.parse('2025-05-01T09:00:00+09:00')],
      [ids[3] as string, 1],
    ]);

    expect(classify(ids, stored, indexed)).toEqual({ missing: [ids[0]], stale: [ids[2]], extra: [ids[3]] });
  });
});

function bind(index: EmbeddedSearchIndex): SearchIndex {
  return {
    ensureIndex: () => index.ensureIndex(),
    upsert: (docs) => index.upsert(docs),
    remove: (ids) => index.remove(ids),
    search: (q) => index.search(q),
    count: () => index.count(),
  };
}
