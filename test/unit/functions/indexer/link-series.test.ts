import { beforeEach, describe, expect, it } from 'vitest';
import { linkSeries, type SeriesLinkDeps } from '../../../../functions/indexer/link-series.js';
import { overrideSeries, relinkAll } from '../../../../functions/indexer/series-override.js';
import { FixedClock } from '../../../../shared/clock.js';
import type { ItemDraft, ItemId } from '../../../../shared/domain/item.js';
import type { Series } from '../../../../shared/domain/series.js';
import { silentLog } from '../../../../shared/log.js';
import { DynamoDbItemStore } from '../../../../shared/store/dynamodb-item-store.js';
import { DynamoDbSeriesStore } from '../../../../shared/store/dynamodb-series-store.js';
import type { ItemChange, UpsertResult } from '../../../../shared/store/item-store.js';
import { countingDocumentClient, dynaliteForFile } from '../../../support/dynalite.js';
import { makeDraft } from '../../../support/factories.js';

const dynalite = dynaliteForFile('link-series');

const site = 'https://www.mext.go.jp/a_menu/kagaku/chiiki/koubo/';

/** The call of 令和`reiwa`年度, opening on 1 April (+ `shift` days) and closing at the end of May. */
function round(reiwa: number, name = '地域イノベーション創出支援事業', shift = 0): ItemDraft {
  const year = 2018 + reiwa;
  const url = `${site}${name === '地域イノベーション創出支援事業' ? 'innovation' : 'quota'}-r${reiwa}.html`;
  return makeDraft({
    title: `令和${reiwa}年度 ${name}の公募について`,
    url,
    canonicalUrl: url,
    publishedAt: `${year}-03-25T00:00:00+09:00`,
    opensAt: `${year}-04-${String(1 + shift).padStart(2, '0')}T00:00:00+09:00`,
    closesAt: `${year}-05-29T17:00:00+09:00`,
    seenAt: `${year}-04-02T09:00:00+09:00`,
  });
}

const changesOf = (results: readonly UpsertResult[]): ItemChange[] =>
  results.filter((r) => r.outcome !== 'unchanged').map((r) => ({ id: r.id, newItem: r.item }));

describe('linkSeries on dynalite', () => {
  let items: DynamoDbItemStore;
  let deps: SeriesLinkDeps;

  beforeEach(async () => {
    const documents = countingDocumentClient(dynalite.endpoint());
    const tableName = dynalite.nextTable();
    const clock = new FixedClock('2026-12-01T00:00:00Z');
    items = new DynamoDbItemStore({ client: documents.client, tableName, clock });
    await items.ensureTable();
    deps = { items, series: new DynamoDbSeriesStore({ client: documents.client, tableName }), clock, log: silentLog };
  });

  /** The series an item is a round of, or undefined. */
  async function seriesOf(id: ItemId | undefined): Promise<Series | undefined> {
    const seriesId = id ? await deps.series.seriesIdOf(id) : undefined;
    return seriesId ? deps.series.get(seriesId) : undefined;
  }

  /** Crawls the drafts into the store and links what changed, as the indexer does. */
  async function crawl(drafts: readonly ItemDraft[]): Promise<UpsertResult[]> {
    const results = await items.upsert(drafts);
    await linkSeries(deps, changesOf(results));
    return results;
  }

  it('links three fiscal years of a program into one series with a forecast, and not its look-alike', async () => {
    const [r6, r7, r8, quota] = await crawl([
      round(6),
      round(7, undefined, 3),
      round(8, undefined, 6),
      round(8, '地域イノベーション創出支援事業（地域枠）'),
    ]);

    const series = await seriesOf(r8?.id);
    expect(series?.rounds.map((r) => [r.itemId, r.label])).toEqual([
      [r6?.id, '令和6年度'],
      [r7?.id, '令和7年度'],
      [r8?.id, '令和8年度'],
    ]);
    expect(series?.name).toBe('地域イノベーション創出支援事業');
    expect(series?.forecast).toMatchObject({ status: 'expected', opens: { from: '2027-03-25', to: '2027-04-14' } });
    expect(series?.forecast.text).toContain('見込み');
    expect(await seriesOf(quota?.id)).toBeUndefined();
  });

  it('links items stored before series existed when every item is relinked', async () => {
    const [r6, r7] = await items.upsert([round(6), round(7), round(8, '地域イノベーション創出支援事業（地域枠）')]);

    const result = await relinkAll({ ...deps, scan: items }, 2);

    expect(result).toEqual({ items: 3, saved: 1 });
    expect((await seriesOf(r6?.id))?.rounds.map((r) => r.itemId)).toEqual([r6?.id, r7?.id]);
  });

  it('writes no series again when the same items are linked again', async () => {
    const results = await crawl([round(6), round(7), round(8)]);

    const again = await linkSeries(deps, changesOf(results));

    expect(again).toMatchObject({ items: 3, saved: [], removed: [], affected: [] });
  });

  it('adds a round crawled later to the series it belongs to, keeping its id', async () => {
    const [r6] = await crawl([round(6), round(7)]);
    const before = (await seriesOf(r6?.id))?.id;

    const [r8] = await crawl([round(8)]);

    expect(before).toBeDefined();
    const after = await seriesOf(r8?.id);
    expect(after?.id).toBe(before);
    expect(after?.rounds).toHaveLength(3);
  });

  it('keeps a split pair split after the same items are crawled again, changed or not', async () => {
    const [r6, r7, r8] = await crawl([round(6), round(7), round(8)]);
    const [a, b, c] = [r6?.id, r7?.id, r8?.id];
    if (!a || !b || !c) throw new Error('three items expected');

    await overrideSeries(deps, 'split', a, c, 'a different program since 令和8年度');
    await overrideSeries(deps, 'split', b, c);
    const unchanged = await crawl([round(6), round(7), round(8)]);
    const changed = await crawl(
      [6, 7, 8].map((n) => ({ ...round(n), summary: `令和${n}年度の公募要領を更新しました。` })),
    );

    expect(unchanged.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(changed.map((r) => r.outcome)).toEqual(['updated', 'updated', 'updated']);
    expect(await deps.series.seriesIdOf(c)).toBeUndefined();
    const kept = await seriesOf(a);
    expect(kept?.rounds.map((r) => r.itemId)).toEqual([a, b]);
  });

  it('merges a renamed program into its series when an operator says so', async () => {
    const [r6, r7] = await crawl([round(6), round(7)]);
    const [renamed] = await crawl([round(8, '地域イノベーション・エコシステム形成プログラム')]);
    if (!r6 || !r7 || !renamed) throw new Error('three items expected');

    const result = await overrideSeries(deps, 'merge', renamed.id, r7.id);

    const series = await seriesOf(renamed.id);
    expect(series?.id).toBe(result.seriesOf[renamed.id]);
    expect(series?.rounds.map((r) => r.itemId)).toEqual([r6.id, r7.id, renamed.id]);
    expect(series?.evidence.map((e) => e.rule)).toContain('operator-merge');
  });

  it('reports the series it saved, the rounds whose series changed and the series of every item of the group', async () => {
    const [r6, r7] = await crawl([round(6), round(7)]);
    const [r8] = await items.upsert([round(8)]);

    const result = await linkSeries(deps, changesOf([r8].flatMap((r) => (r ? [r] : []))));

    expect(result.saved.map((s) => s.rounds.map((r) => r.itemId))).toEqual([[r6?.id, r7?.id, r8?.id]]);
    expect(result.removed).toEqual([]);
    expect(result.affected.map((i) => i.id).sort()).toEqual([r6?.id, r7?.id, r8?.id].sort());
    expect(result.seriesOf.get(r6?.id as ItemId)?.rounds).toHaveLength(3);
    expect(await seriesOf(r6?.id)).toEqual(result.saved[0]);
  });

  it('reports a removed series with its former rounds when a split leaves no series', async () => {
    const [r6, r7] = await crawl([round(6), round(7)]);
    const [a, b] = [r6?.id, r7?.id];
    if (!a || !b) throw new Error('two items expected');
    const seriesId = await deps.series.seriesIdOf(a);

    await deps.series.putOverride({ action: 'split', items: a < b ? [a, b] : [b, a], at: '2026-12-01T00:00:00.000Z' });
    const result = await linkSeries(deps, [{ id: a, newItem: r6?.item }]);

    expect(result.saved).toEqual([]);
    expect(result.removed).toEqual([{ id: seriesId, formerRounds: [a, b].sort() }]);
    expect(result.affected.map((i) => i.id).sort()).toEqual([a, b].sort());
    expect(result.seriesOf.size).toBe(0);
    expect(await deps.series.seriesIdOf(b)).toBeUndefined();
  });

  it('writes no series when the step before the writes fails, so a retry computes the same result', async () => {
    const [r6, r7] = await items.upsert([round(6), round(7)]);
    const changes = changesOf([r6, r7].flatMap((r) => (r ? [r] : [])));

    const failed = linkSeries(deps, changes, {
      beforeWrite: () => Promise.reject(new Error('index write failed')),
    });
    await expect(failed).rejects.toThrow('index write failed');
    const stored = await seriesOf(r6?.id);
    const retried = await linkSeries(deps, changes);

    expect(stored).toBeUndefined();
    expect(retried.saved).toHaveLength(1);
    expect(retried.affected).toHaveLength(2);
  });
});
