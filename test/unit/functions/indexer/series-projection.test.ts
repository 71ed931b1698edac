import { beforeEach, describe, expect, it } from 'vitest';
import { applyChanges } from '../../../../functions/indexer/apply-change.js';
import { findIndexDrift } from '../../../../functions/indexer/index-drift.js';
import type { SeriesLinkDeps } from '../../../../functions/indexer/link-series.js';
import { reindex } from '../../../../functions/indexer/reindex.js';
import { overrideSeries, relinkAll } from '../../../../functions/indexer/series-override.js';
import { forecastsMoved } from '../../../../functions/indexer/series-projection.js';
import { FixedClock } from '../../../../shared/clock.js';
import type { ItemDraft, ItemId } from '../../../../shared/domain/item.js';
import { forecastNextRound } from '../../../../shared/domain/forecast.js';
import { SeriesSchema, type Series } from '../../../../shared/domain/series.js';
import { silentLog } from '../../../../shared/log.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import { toSearchDoc, type SearchDoc } from '../../../../shared/search/search-index.js';
import { DynamoDbItemStore } from '../../../../shared/store/dynamodb-item-store.js';
import { DynamoDbSeriesStore } from '../../../../shared/store/dynamodb-series-store.js';
import type { UpsertResult } from '../../../../shared/store/item-store.js';
import { countingDocumentClient, dynaliteForFile } from '../../../support/dynalite.js';
import { makeDraft } from '../../../support/factories.js';

const dynalite = dynaliteForFile('series-projection');

const site = 'https://www.mext.go.jp/a_menu/kagaku/chiiki/koubo/';

/** The call of 令和`reiwa`年度 of a program (or its 地域枠 look-alike), opening on 1 April. */
function round(reiwa: number, name = '地域イノベーション創出支援事業'): ItemDraft {
  const year = 2018 + reiwa;
  const url = `${site}${name === '地域イノベーション創出支援事業' ? 'innovation' : 'quota'}-r${reiwa}.html`;
  return makeDraft({
    title: `令和${reiwa}年度 ${name}の公募について`,
    url,
    canonicalUrl: url,
    publishedAt: `${year}-03-25T00:00:00+09:00`,
    opensAt: `${year}-04-01T00:00:00+09:00`,
    closesAt: `${year}-05-29T17:00:00+09:00`,
    seenAt: `${year}-04-02T09:00:00+09:00`,
  });
}

describe('indexing with program series', () => {
  // After every round closed: the forecast is of the next round.
  const clock = new FixedClock('2026-12-01T00:00:00+09:00');
  let store: DynamoDbItemStore;
  let series: SeriesLinkDeps;
  let index: EmbeddedSearchIndex;

  beforeEach(async () => {
    const documents = countingDocumentClient(dynalite.endpoint());
    const tableName = dynalite.nextTable();
    store = new DynamoDbItemStore({ client: documents.client, tableName, clock });
    await store.ensureTable();
    series = {
      items: store,
      series: new DynamoDbSeriesStore({ client: documents.client, tableName }),
      clock,
      log: silentLog,
    };
    index = new EmbeddedSearchIndex({ clock });
  });

  /** Stores the drafts and indexes what changed, as the stream indexer does. */
  async function crawl(drafts: readonly ItemDraft[]): Promise<ItemId[]> {
    const results: UpsertResult[] = await store.upsert(drafts);
    await applyChanges(
      { index, log: silentLog, series },
      results.filter((r) => r.outcome !== 'unchanged').map((r) => ({ id: r.id, newItem: r.item })),
    );
    return results.map((r) => r.id);
  }

  /** Every indexed document by id. */
  async function indexed(): Promise<Map<ItemId, SearchDoc>> {
    const page = await index.search({ includeWithdrawn: true, sort: 'newest', size: 100 });
    return new Map(page.items.map((hit) => [hit.doc.id, hit.doc]));
  }

  /** The ids of the documents that carry a forecast. */
  async function withForecast(): Promise<ItemId[]> {
    return [...(await indexed()).values()].flatMap((doc) => (doc.forecast ? [doc.id] : []));
  }

  async function seriesOf(id: ItemId): Promise<Series | undefined> {
    const seriesId = await series.series.seriesIdOf(id);
    return seriesId ? series.series.get(seriesId) : undefined;
  }

  it('puts the series forecast on the newest round only, with its windows and 見込み sentence', async () => {
    const [r6, r7, r8, quota] = await crawl([
      round(6),
      round(7),
      round(8),
      round(8, '地域イノベーション創出支援事業（地域枠）'),
    ]);

    const docs = await indexed();

    const stored = await seriesOf(r8 as ItemId);
    expect(stored?.forecast.status).toBe('expected');
    expect(await withForecast()).toEqual([r8]);
    expect(docs.get(r8 as ItemId)?.forecast).toMatchObject({
      seriesId: stored?.id,
      opens: stored?.forecast.status === 'expected' ? stored.forecast.opens : undefined,
      text: stored?.forecast.text,
    });
    expect(docs.get(r8 as ItemId)?.forecast?.opens.from).toBe('2027-03-25');
    expect(docs.get(r8 as ItemId)?.forecast?.text).toContain('見込み');
    for (const id of [r6, r7, quota]) expect(docs.get(id as ItemId)?.forecast).toBeUndefined();
  });

  it('moves the forecast to a third round crawled later, off the round that was the newest', async () => {
    const [, r7] = await crawl([round(6), round(7)]);
    const before = await withForecast();

    const [third] = await store.upsert([round(8)]);
    const r8 = third?.id;
    const applied = await applyChanges(
      { index, log: silentLog, series },
      third ? [{ id: third.id, newItem: third.item }] : [],
    );

    // The two older rounds are written again with the new projection, in the same call.
    expect(applied).toMatchObject({ upserted: 1, removed: 0, reprojected: 2 });
    expect(before).toEqual([r7]);
    expect(await withForecast()).toEqual([r8]);
    const doc = (await indexed()).get(r8 as ItemId);
    expect(doc?.forecast?.seriesId).toBe((await seriesOf(r8 as ItemId))?.id);
    expect(doc?.forecast?.opens.from).toBe('2027-03-25');
  });

  it('takes the forecast off the documents when an operator splits the series apart, and back on a merge', async () => {
    const [r6, r7] = (await crawl([round(6), round(7)])) as [ItemId, ItemId];
    expect(await withForecast()).toEqual([r7]);

    await overrideSeries({ ...series, index }, 'split', r6, r7);
    const afterSplit = await withForecast();
    await overrideSeries({ ...series, index }, 'merge', r6, r7);

    expect(afterSplit).toEqual([]);
    expect(await seriesOf(r7)).toBeDefined();
    expect(await withForecast()).toEqual([r7]);
  });

  it('writes the series of items linked by a relink into their documents', async () => {
    const results = await store.upsert([round(6), round(7), round(8)]);
    await index.upsert(results.map((r) => toSearchDoc(r.item)));

    const relinked = await relinkAll({ ...series, index, scan: store }, 2);

    // Two pages: the series of the first two rounds is written, then again with the third.
    expect(relinked).toEqual({ items: 3, saved: 2 });
    expect(await withForecast()).toEqual([results[2]?.id]);
  });

  it('re-projects nothing else when a round changes without moving its series', async () => {
    await crawl([round(6), round(7), round(8)]);
    const changed = await store.upsert([{ ...round(7), summary: '公募要領を更新しました。' }]);

    const result = await applyChanges(
      { index, log: silentLog, series },
      changed.map((r) => ({ id: r.id, newItem: r.item })),
    );

    expect(result).toMatchObject({ upserted: 1, removed: 0, reprojected: 0 });
    expect(result.linked?.saved).toEqual([]);
  });

  it('keeps the forecast through a full reindex, reading the forecasts once', async () => {
    const [, , r8] = await crawl([round(6), round(7), round(8)]);
    let reads = 0;
    const counted = {
      listForecasts: () => {
        reads++;
        return series.series.listForecasts();
      },
    };

    const withSeries = await reindex({ store, index, log: silentLog, series: counted });
    const kept = await withForecast();
    await reindex({ store, index, log: silentLog });

    expect(withSeries.parity).toEqual({ missing: 0, stale: 0, extra: 0 });
    // Once before the scan, once after it for forecasts that moved meanwhile.
    expect(reads).toBe(2);
    expect(kept).toEqual([r8]);
    expect(await withForecast()).toEqual([]);
  });

  it('finds a document left with an old forecast by content, which the check by version does not', async () => {
    const [r6, r7, r8] = (await crawl([round(6), round(7), round(8)])) as [ItemId, ItemId, ItemId];
    const r8doc = (await indexed()).get(r8);
    // The index missed the move: the old newest round still carries the forecast.
    const r7doc = (await indexed()).get(r7);
    if (!r8doc || !r7doc) throw new Error('documents expected');
    await index.upsert([{ ...r7doc, ...(r8doc.forecast ? { forecast: r8doc.forecast } : {}) }]);

    const drift = await findIndexDrift({ store, index, series: series.series });
    const plain = await findIndexDrift({ store, index });

    expect(drift.stale).toEqual([r7]);
    // Without the series every forecast looks wrong: the check must be given them.
    expect([...plain.stale].sort()).toEqual([r7, r8].sort());
    expect(r6).toBeDefined();
  });

  it('answers status=expected with the newest round only, not older rounds or the look-alike', async () => {
    const [, , r8] = await crawl([round(6), round(7), round(8), round(8, '地域イノベーション創出支援事業（地域枠）')]);

    const page = await index.search({ statuses: ['expected'] });

    expect(page.items.map((hit) => hit.doc.id)).toEqual([r8]);
  });
});

describe('forecastsMoved', () => {
  const itemId = (n: number) => `it_${String(n).padStart(24, '0')}`;
  /** A stored series of rounds opening each April from 2024 (on `day`), with its real forecast. */
  function seriesOf(n: number, items: readonly number[], day = 1): Series {
    const rounds = items.map((i, year) => ({
      itemId: itemId(i),
      title: `第${year + 1}回`,
      url: `https://example.go.jp/${i}`,
      label: '',
      opensAt: `${2024 + year}-04-${String(day).padStart(2, '0')}T00:00:00+09:00`,
    }));
    return SeriesSchema.parse({
      id: `se_${String(n).padStart(24, '0')}`,
      name: '地域イノベーション創出支援事業',
      publisher: '文部科学省',
      rounds,
      evidence: [],
      forecast: forecastNextRound(rounds),
      updatedAt: '2026-12-01T00:00:00.000Z',
    });
  }

  it('lists the newest rounds whose forecast appeared, moved or went away', () => {
    const before = [seriesOf(1, [1, 2]), seriesOf(2, [3, 4])];
    const after = [seriesOf(1, [1, 2, 5]), seriesOf(2, [3, 4], 20)];

    expect(before.map((s) => s.forecast.status)).toEqual(['expected', 'expected']);
    expect(forecastsMoved(before, after)).toEqual([itemId(2), itemId(4), itemId(5)]);
    expect(forecastsMoved(before, before)).toEqual([]);
    expect(forecastsMoved(before, [])).toEqual([itemId(2), itemId(4)]);
  });
});
