import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forecastNextRound } from '../../shared/domain/forecast.js';
import { itemIdFor, type ItemId } from '../../shared/domain/item.js';
import { roundOf, seriesIdFor, type Series, type SeriesOverride } from '../../shared/domain/series.js';
import { FixedClock } from '../../shared/clock.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { DynamoDbSeriesStore } from '../../shared/store/dynamodb-series-store.js';
import type { SeriesStore } from '../../shared/store/series-store.js';
import { countingDocumentClient } from './dynalite.js';
import { makeItem } from './factories.js';

/** What a contract run needs from an adapter: a fresh, empty store and a way to dispose of it. */
export interface SeriesStoreUnderTest {
  readonly store: SeriesStore;
  close(): Promise<void>;
}

/** A DynamoDbSeriesStore on a fresh table of the items table's design at `endpoint`. */
export async function dynamoDbSeriesStoreAt(endpoint: string, tableName: string): Promise<SeriesStoreUnderTest> {
  const documents = countingDocumentClient(endpoint);
  await new DynamoDbItemStore({
    client: documents.client,
    tableName,
    clock: new FixedClock('2026-12-01T00:00:00Z'),
  }).ensureTable();
  return {
    store: new DynamoDbSeriesStore({ client: documents.client, tableName }),
    close: async () => documents.destroy(),
  };
}

const base = 'https://www.mext.go.jp/a_menu/kagaku/chiiki/koubo/';

/** A series of the given fiscal years (令和N年度) of one program, opening each 1 April. */
function makeSeries(years: readonly number[], name = '地域イノベーション創出支援事業'): Series {
  const rounds = years.map((year) =>
    roundOf(
      makeItem({
        title: `令和${year - 2018}年度 ${name}の公募について`,
        url: `${base}${name.length}-${year}.html`,
        canonicalUrl: `${base}${name.length}-${year}.html`,
        opensAt: `${year}-04-01T00:00:00+09:00`,
        closesAt: `${year}-05-30T17:00:00+09:00`,
      }),
    ),
  );
  return {
    id: seriesIdFor(rounds[0]?.itemId ?? ''),
    name,
    publisher: '文部科学省',
    rounds,
    evidence: [],
    forecast: forecastNextRound(rounds),
    updatedAt: '2026-12-01T00:00:00Z',
  };
}

const pair = (a: string, b: string): [ItemId, ItemId] => {
  const [x, y] = [itemIdFor(a), itemIdFor(b)];
  return x < y ? [x, y] : [y, x];
};

/**
 * The SeriesStore contract (see shared/store/series-store.ts): every adapter must pass it. Each
 * test gets a fresh, empty store.
 */
export function seriesStoreContract(name: string, makeStore: () => Promise<SeriesStoreUnderTest>): void {
  describe(`SeriesStore contract: ${name}`, () => {
    let subject: SeriesStoreUnderTest;
    beforeEach(async () => {
      subject = await makeStore();
    });
    afterEach(async () => {
      await subject.close();
    });

    it('answers undefined for a series and a membership it does not have', async () => {
      const series = makeSeries([2025, 2026]);

      expect(await subject.store.get(series.id)).toBeUndefined();
      expect(await subject.store.seriesIdOf(series.rounds[0]?.itemId ?? itemIdFor('x'))).toBeUndefined();
    });

    it('gives back a saved series whole and points every round at it', async () => {
      const series = makeSeries([2024, 2025, 2026]);

      await subject.store.save(series);

      expect(await subject.store.get(series.id)).toEqual(series);
      for (const round of series.rounds) expect(await subject.store.seriesIdOf(round.itemId)).toBe(series.id);
    });

    it('replaces a series saved again under its id', async () => {
      const first = makeSeries([2024, 2025]);
      const grown = { ...makeSeries([2024, 2025, 2026]), id: first.id };

      await subject.store.save(first);
      await subject.store.save(grown);

      expect((await subject.store.get(first.id))?.rounds).toHaveLength(3);
    });

    it('removes a series and clears a membership, both idempotently', async () => {
      const series = makeSeries([2025, 2026]);
      const item = series.rounds[0]?.itemId ?? itemIdFor('x');
      await subject.store.save(series);

      await subject.store.remove(series.id);
      await subject.store.remove(series.id);
      await subject.store.clearMembership(item);
      await subject.store.clearMembership(item);

      expect(await subject.store.get(series.id)).toBeUndefined();
      expect(await subject.store.seriesIdOf(item)).toBeUndefined();
      expect(await subject.store.seriesIdOf(series.rounds[1]?.itemId ?? item)).toBe(series.id);
    });

    it('lists the series with an expected forecast, earliest opening first, and keeps the list with save and remove', async () => {
      const later = makeSeries([2025, 2026], '地域産学連携推進事業');
      const laterShifted: Series = {
        ...later,
        forecast:
          later.forecast.status === 'expected'
            ? { ...later.forecast, opens: { from: '2027-05-01', to: '2027-05-20' } }
            : later.forecast,
      };
      const earlier = makeSeries([2024, 2025, 2026]);
      const noForecast = makeSeries([2026], '単年度事業');
      const tooFew: Series = {
        ...noForecast,
        rounds: [...later.rounds],
        forecast: forecastNextRound(later.rounds.slice(0, 1)),
      };

      await subject.store.save(laterShifted);
      await subject.store.save(earlier);
      await subject.store.save({ ...tooFew, id: seriesIdFor(itemIdFor('https://x.jp/none')) });

      expect((await subject.store.listForecasts()).map((s) => s.id)).toEqual([earlier.id, later.id]);
      expect(await subject.store.listForecasts()).toContainEqual(laterShifted);

      await subject.store.save({ ...earlier, forecast: tooFew.forecast });
      expect((await subject.store.listForecasts()).map((s) => s.id)).toEqual([later.id]);
      await subject.store.remove(later.id);
      expect(await subject.store.listForecasts()).toEqual([]);
    });

    it('collects the items of a key once each, sorted, and knows no members of an unknown key', async () => {
      const [a, b] = [itemIdFor('https://x.jp/b'), itemIdFor('https://x.jp/a')];

      await subject.store.addKeyMembers(['title\n文部科学省\nx事業', 'path\n文部科学省\nx.jp/{year}/x.html'], a);
      await subject.store.addKeyMembers(['title\n文部科学省\nx事業'], b);
      await subject.store.addKeyMembers(['title\n文部科学省\nx事業'], a);

      expect(await subject.store.keyMembers('title\n文部科学省\nx事業')).toEqual([a, b].sort());
      expect(await subject.store.keyMembers('path\n文部科学省\nx.jp/{year}/x.html')).toEqual([a]);
      expect(await subject.store.keyMembers('title\n文部科学省\ny事業')).toEqual([]);
    });

    it('keeps one override per pair, the last one, and lists them by pair', async () => {
      const split: SeriesOverride = {
        action: 'split',
        items: pair('https://x.jp/1', 'https://x.jp/2'),
        at: '2026-12-01T00:00:00Z',
      };
      const merge: SeriesOverride = {
        action: 'merge',
        items: pair('https://x.jp/3', 'https://x.jp/4'),
        at: '2026-12-01T00:00:00Z',
      };
      const undone: SeriesOverride = { ...split, action: 'merge', at: '2026-12-02T00:00:00Z', note: '同じ事業' };

      await subject.store.putOverride(split);
      await subject.store.putOverride(merge);
      await subject.store.putOverride(undone);

      const listed = await subject.store.listOverrides();
      expect(listed).toHaveLength(2);
      expect(listed).toContainEqual(undone);
      expect(listed).toContainEqual(merge);
      expect(listed.map((o) => o.items.join('#'))).toEqual(listed.map((o) => o.items.join('#')).sort());
    });
  });
}
