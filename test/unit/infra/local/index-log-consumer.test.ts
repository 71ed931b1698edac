import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileChangeLog } from '../../../../infra/local/file-change-log.js';
import { startIndexLogConsumer, type IndexLogConsumer } from '../../../../infra/local/index-log-consumer.js';
import { FixedClock } from '../../../../shared/clock.js';
import type { Item, ItemId } from '../../../../shared/domain/item.js';
import { RecordingLog } from '../../../../shared/log.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import type { SearchIndex } from '../../../../shared/search/search-index.js';
import { makeItem } from '../../../support/factories.js';

describe('startIndexLogConsumer', () => {
  const clock = new FixedClock('2025-05-01T00:00:00.000Z');
  let dir: string;
  let consumer: IndexLogConsumer | undefined;
  const items = new Map<ItemId, Item>();
  const store = { get: async (id: ItemId) => items.get(id) };
  const itemNo = (n: number) =>
    makeItem({ canonicalUrl: `https://www.example.go.jp/koubo/${n}.html`, title: `蓄電池の公募 第${n}回` });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chiiki-consumer-'));
    items.clear();
  });
  afterEach(async () => {
    await consumer?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The embedded engine, with writes failing while `down.now` is set; counts write attempts. */
  function flakyIndex(down: { now: boolean }) {
    const engine = new EmbeddedSearchIndex({ clock });
    const attempts: number[] = [];
    const index: SearchIndex = {
      ensureIndex: () => engine.ensureIndex(),
      search: (query) => engine.search(query),
      count: () => engine.count(),
      upsert: async (docs) => {
        attempts.push(Date.now());
        if (down.now) throw new Error('connect ECONNREFUSED 127.0.0.1:9200');
        await engine.upsert(docs);
      },
      remove: (ids) => engine.remove(ids),
    };
    return { index, engine, attempts };
  }

  it('retries with growing pauses while the index fails and applies everything once it works', async () => {
    const down = { now: true };
    const { index, engine, attempts } = flakyIndex(down);
    const changeLog = new FileChangeLog({ dir, clock, log: new RecordingLog() });
    for (let n = 0; n < 5; n++) items.set(itemNo(n).id, itemNo(n));
    await changeLog.append([...items.keys()]);
    consumer = startIndexLogConsumer({
      changeLog,
      store,
      index,
      log: new RecordingLog(),
      batchSize: 2,
      backoff: { baseMs: 40, maxMs: 160 },
    });

    const whileDown = await consumer.drained(400);
    const lagDown = consumer.lag();
    down.now = false;
    const after = await consumer.drained(2_000);

    expect(whileDown).toBe(false);
    expect(lagDown).toMatchObject({ pending: 5, lastError: 'connect ECONNREFUSED 127.0.0.1:9200' });
    const gaps = attempts.slice(1, 4).map((t, i) => t - (attempts[i] as number));
    expect(gaps[0]).toBeGreaterThanOrEqual(35);
    expect(gaps[2]).toBeGreaterThanOrEqual(150);
    expect(after).toBe(true);
    expect(await engine.count()).toBe(5);
    expect(consumer.lag()).toEqual({ pending: 0, oldestAgeSec: 0 });
  });

  it('applies changes appended while it runs and indexes the item as stored now', async () => {
    const { index, engine } = flakyIndex({ now: false });
    const changeLog = new FileChangeLog({ dir, clock, log: new RecordingLog() });
    consumer = startIndexLogConsumer({ changeLog, store, index, log: new RecordingLog() });
    const first = itemNo(1);
    items.set(first.id, first);

    await changeLog.append([first.id]);
    items.set(first.id, { ...first, title: '蓄電池の公募 第1回 改訂版', version: 2 });
    consumer.kick();
    const drained = await consumer.drained(2_000);

    expect(drained).toBe(true);
    expect((await engine.search({ text: '改訂版' })).items.map((h) => h.doc.id)).toEqual([first.id]);
  });

  it('stops promptly during a long pause', async () => {
    const { index } = flakyIndex({ now: true });
    const changeLog = new FileChangeLog({ dir, clock, log: new RecordingLog() });
    await changeLog.append([itemNo(1).id]);
    consumer = startIndexLogConsumer({
      changeLog,
      store,
      index,
      log: new RecordingLog(),
      backoff: { baseMs: 60_000, maxMs: 60_000 },
    });
    await consumer.drained(100);

    const started = Date.now();
    await consumer.stop();

    expect(Date.now() - started).toBeLessThan(500);
  });
});
