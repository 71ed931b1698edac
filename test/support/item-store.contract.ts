import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../shared/clock.js';
import { emptyCounts, type CrawlRun, type QualityReport } from '../../shared/domain/crawl-run.js';
import { itemIdFor, type ItemDraft, type ItemId } from '../../shared/domain/item.js';
import type { ItemStore } from '../../shared/store/item-store.js';
import { makeDraft } from './factories.js';

/** What a contract run needs from an adapter: a fresh, empty store and its write counter. */
export interface ItemStoreUnderTest {
  readonly store: ItemStore;
  /** Write requests the store has sent so far (PutItem, UpdateItem, BatchWrite ...). */
  writes(): number;
  close(): Promise<void>;
}

/** Builds an empty store whose clock is `clock`. */
export type MakeItemStore = (clock: FixedClock) => Promise<ItemStoreUnderTest>;

const dayMs = 24 * 60 * 60 * 1000;
const startAt = '2025-04-02T00:00:00.000Z';

const urlOf = (n: number) => `https://www.mext.go.jp/a_menu/koubo/r7-${String(n).padStart(3, '0')}.html`;
const draftN = (n: number, overrides: Partial<ItemDraft> = {}) =>
  makeDraft({ canonicalUrl: urlOf(n), url: urlOf(n), title: `令和7年度 研究開発課題 第${n}号の公募`, ...overrides });

function run(
  sourceId: string,
  startedAt: string,
  outcome: CrawlRun['outcome'],
  extra: Partial<CrawlRun> = {},
): CrawlRun {
  return {
    runId: `${sourceId}-${startedAt}`,
    sourceId,
    startedAt,
    finishedAt: new Date(Date.parse(startedAt) + 60_000).toISOString(),
    durationMs: 60_000,
    outcome,
    counts: { ...emptyCounts(), fetched: 3 },
    errors:
      outcome === 'succeeded'
        ? []
        : [
            {
              url: 'https://www.pref.example.jp/koubo/',
              kind: 'PermanentFetchError',
              status: 404,
              message: 'page gone (404)',
            },
          ],
    ...extra,
  };
}

/**
 * The ItemStore contract: every adapter (dynalite in-process, a standalone DynamoDB-compatible
 * server) must pass it. Each test gets a fresh, empty store.
 */
export function itemStoreContract(name: string, makeStore: MakeItemStore): void {
  describe(`ItemStore contract: ${name}`, () => {
    let clock: FixedClock;
    let subject: ItemStoreUnderTest;
    let store: ItemStore;

    beforeEach(async () => {
      clock = new FixedClock(startAt);
      subject = await makeStore(clock);
      store = subject.store;
    });
    afterEach(async () => {
      await subject.close();
    });

    describe('ensureTable', () => {
      it('is safe to call again on an existing table and keeps the data', async () => {
        await store.upsert([makeDraft()]);

        await store.ensureTable();

        expect(await store.countItems()).toBe(1);
      });
    });

    describe('upsert', () => {
      it('stores a new draft under the id of its canonical URL', async () => {
        const draft = makeDraft();

        const [result] = await store.upsert([draft]);

        const id = itemIdFor(draft.canonicalUrl);
        expect(result).toMatchObject({ id, outcome: 'new' });
        expect(result?.previous).toBeUndefined();
        const stored = await store.get(id);
        expect(stored).toMatchObject({
          id,
          title: draft.title,
          closesAt: draft.closesAt,
          version: 1,
          history: [],
          createdAt: startAt,
          provenance: [
            { sourceId: draft.sourceId, url: draft.url, firstSeenAt: draft.seenAt, lastSeenAt: draft.seenAt },
          ],
        });
        expect(stored?.contentHash).toMatch(/^[0-9a-f]{64}$/);
        expect(stored).toEqual(result?.item);
      });

      it('returns undefined for an unknown id', async () => {
        expect(await store.get(itemIdFor('https://www.example.go.jp/none'))).toBeUndefined();
      });

      it('reports new, updated and unchanged per draft in input order', async () => {
        await store.upsert([draftN(1), draftN(2)]);

        const results = await store.upsert([
          draftN(2, { closesAt: '2025-06-13T17:00:00+09:00' }),
          draftN(1),
          draftN(3),
        ]);

        expect(results.map((r) => [r.id, r.outcome])).toEqual([
          [itemIdFor(urlOf(2)), 'updated'],
          [itemIdFor(urlOf(1)), 'unchanged'],
          [itemIdFor(urlOf(3)), 'new'],
        ]);
      });

      it('performs no write at all when the same crawl is upserted again', async () => {
        const drafts = [draftN(1), draftN(2), draftN(3, { kind: 'news' })];
        await store.upsert(drafts);
        const before = subject.writes();
        expect(before).toBeGreaterThanOrEqual(drafts.length);

        clock.advanceMs(3_600_000);
        const results = await store.upsert(drafts.map((d) => ({ ...d, seenAt: '2025-04-03T09:00:00+09:00' })));

        expect(results.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged']);
        expect(subject.writes() - before).toBe(0);
      });

      it('records a field-level diff marked material when the deadline moves', async () => {
        const draft = makeDraft();
        await store.upsert([draft]);
        clock.advanceMs(dayMs);

        const [result] = await store.upsert([{ ...draft, closesAt: '2025-06-13T17:00:00+09:00' }]);

        expect(result?.outcome).toBe('updated');
        expect(result?.previous?.closesAt).toBe(draft.closesAt);
        const item = await store.get(itemIdFor(draft.canonicalUrl));
        expect(item?.closesAt).toBe('2025-06-13T17:00:00+09:00');
        expect(item?.version).toBeGreaterThan(1);
        expect(item?.updatedAt).toBe(clock.now().toISOString());
        expect(item?.history).toHaveLength(1);
        expect(item?.history[0]).toMatchObject({
          version: item?.version,
          at: clock.now().toISOString(),
          material: true,
          changes: [{ field: 'closesAt', before: draft.closesAt, after: '2025-06-13T17:00:00+09:00' }],
        });
      });

      it('marks a wording change of the summary as not material', async () => {
        const draft = makeDraft();
        await store.upsert([draft]);

        await store.upsert([{ ...draft, summary: '地域の中核となる大学の研究力を強化する事業の公募です。' }]);

        const item = await store.get(itemIdFor(draft.canonicalUrl));
        expect(item?.history[0]?.material).toBe(false);
        expect(item?.history[0]?.changes.map((c) => c.field)).toEqual(['summary']);
      });

      it('keeps only the last 20 changes, newest first', async () => {
        const draft = makeDraft();
        await store.upsert([draft]);

        for (let i = 1; i <= 23; i++) {
          clock.advanceMs(60_000);
          await store.upsert([{ ...draft, summary: `更新 第${i}版` }]);
        }

        const item = await store.get(itemIdFor(draft.canonicalUrl));
        expect(item?.history).toHaveLength(20);
        expect(item?.history[0]?.changes[0]?.after).toBe('更新 第23版');
        expect(item?.history[19]?.changes[0]?.after).toBe('更新 第4版');
      });

      it('applies drafts for the same id within one call in order', async () => {
        const draft = makeDraft();

        const results = await store.upsert([
          draft,
          { ...draft, budget: { text: '6,000百万円', amountYen: 6_000_000_000 } },
          draft,
        ]);

        expect(results.map((r) => r.outcome)).toEqual(['new', 'updated', 'updated']);
        const item = await store.get(itemIdFor(draft.canonicalUrl));
        expect(item?.budget).toEqual(draft.budget);
        expect(item?.history).toHaveLength(2);
      });

      it('stores a 100,000-character Japanese body and treats its re-crawl as unchanged', async () => {
        const bodyText = '地域科学技術振興のための産学官連携を推進する。'.repeat(5000).slice(0, 100_000);
        const draft = makeDraft({ bodyText });
        await store.upsert([draft]);
        await store.upsert([
          { ...draft, bodyText: `${bodyText.slice(0, 99_990)}（改訂版）`, eligibility: '全国の大学' },
        ]);

        const again = await store.upsert([
          { ...draft, bodyText: `${bodyText.slice(0, 99_990)}（改訂版）`, eligibility: '全国の大学' },
        ]);

        expect(again[0]?.outcome).toBe('unchanged');
        const item = await store.get(itemIdFor(draft.canonicalUrl));
        expect(item?.eligibility).toBe('全国の大学');
        expect(item?.bodyText?.startsWith('地域科学技術振興')).toBe(true);
        expect(item?.history[0]?.material).toBe(true);
      });

      it('loses no update when two crawls write the same item at once', async () => {
        const draft = makeDraft();
        await store.upsert([draft]);

        await Promise.all([
          store.upsert([{ ...draft, closesAt: '2025-06-30T17:00:00+09:00' }]),
          store.upsert([{ ...draft, sourceId: 'jst-news', url: 'https://www.jst.go.jp/pr/info/r7-01.html' }]),
        ]);

        const item = await store.get(itemIdFor(draft.canonicalUrl));
        expect(item?.closesAt).toBe('2025-06-30T17:00:00+09:00');
        expect(item?.provenance.map((p) => p.sourceId).sort()).toEqual(['jst-news', 'mext-koubo']);
      });
    });

    describe('provenance', () => {
      it('appends a second source with its own first-seen time and keeps the first source as content owner', async () => {
        const ministry = makeDraft({ seenAt: '2025-04-02T09:00:00+09:00' });
        const aggregator = makeDraft({
          sourceId: 'pref-tokyo-news',
          url: 'https://www.metro.tokyo.lg.jp/news/r7/0405.html',
          summary: '（転載）地域中核大学の公募が始まりました。',
          seenAt: '2025-04-05T10:00:00+09:00',
        });
        await store.upsert([ministry]);

        const [joined] = await store.upsert([aggregator]);

        expect(joined?.outcome).toBe('updated');
        const item = await store.get(itemIdFor(ministry.canonicalUrl));
        expect(item?.summary).toBe(ministry.summary);
        expect(item?.provenance).toEqual([
          { sourceId: 'mext-koubo', url: ministry.url, firstSeenAt: ministry.seenAt, lastSeenAt: ministry.seenAt },
          {
            sourceId: 'pref-tokyo-news',
            url: aggregator.url,
            firstSeenAt: aggregator.seenAt,
            lastSeenAt: aggregator.seenAt,
          },
        ]);
      });

      it('writes nothing when both sources are crawled again unchanged, so lastSeenAt stays put', async () => {
        const ministry = makeDraft();
        const aggregator = makeDraft({ sourceId: 'pref-tokyo-news', summary: '（転載）' });
        await store.upsert([ministry, aggregator]);
        const before = subject.writes();

        const results = await store.upsert([
          { ...ministry, seenAt: '2025-04-09T09:00:00+09:00' },
          { ...aggregator, seenAt: '2025-04-09T09:00:00+09:00' },
        ]);

        expect(results.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged']);
        expect(subject.writes() - before).toBe(0);
        const item = await store.get(itemIdFor(ministry.canonicalUrl));
        expect(item?.provenance.map((p) => p.lastSeenAt)).toEqual([ministry.seenAt, aggregator.seenAt]);
      });
    });

    describe('title dedupe', () => {
      const ministry = makeDraft({ seenAt: '2025-04-02T09:00:00+09:00' });
      const copy = (seenAt: string): ItemDraft =>
        makeDraft({
          sourceId: 'pref-tokyo-news',
          url: 'https://www.metro.tokyo.lg.jp/koubo/r7/chiiki.html',
          canonicalUrl: 'https://www.metro.tokyo.lg.jp/koubo/r7/chiiki.html',
          // Same title after NFKC, width and space folding.
          title: '令和７年度　地域中核・特色ある研究大学強化促進事業の公募について',
          publisher: '文部科学省',
          seenAt,
        });

      it('merges another source copy with a new URL but the same publisher and title within 30 days', async () => {
        await store.upsert([ministry]);

        const [merged] = await store.upsert([copy('2025-04-20T09:00:00+09:00')]);

        expect(merged).toMatchObject({ id: itemIdFor(ministry.canonicalUrl), outcome: 'updated' });
        expect(await store.countItems()).toBe(1);
        const item = await store.get(itemIdFor(ministry.canonicalUrl));
        expect(item?.provenance.map((p) => p.sourceId)).toEqual(['mext-koubo', 'pref-tokyo-news']);
        expect(item?.canonicalUrl).toBe(ministry.canonicalUrl);
      });

      it('keeps the merge after the 30-day window without writing again', async () => {
        await store.upsert([ministry]);
        await store.upsert([copy('2025-04-20T09:00:00+09:00')]);
        const before = subject.writes();

        const [later] = await store.upsert([copy('2025-06-20T09:00:00+09:00')]);

        expect(later).toMatchObject({ id: itemIdFor(ministry.canonicalUrl), outcome: 'unchanged' });
        expect(subject.writes() - before).toBe(0);
      });

      it('creates a separate item when the same title first appears more than 30 days later', async () => {
        await store.upsert([ministry]);

        const [result] = await store.upsert([copy('2025-05-20T09:00:00+09:00')]);

        expect(result?.outcome).toBe('new');
        expect(await store.countItems()).toBe(2);
      });

      it('does not merge two pages of the same source that share a generic title', async () => {
        const first = makeDraft({ title: '公募のお知らせ', canonicalUrl: urlOf(1), url: urlOf(1) });
        const second = makeDraft({ title: '公募のお知らせ', canonicalUrl: urlOf(2), url: urlOf(2) });

        const results = await store.upsert([first, second]);

        expect(results.map((r) => r.outcome)).toEqual(['new', 'new']);
        expect(await store.countItems()).toBe(2);
      });

      it('does not merge the same title from a different publisher', async () => {
        await store.upsert([ministry]);

        const [result] = await store.upsert([{ ...copy('2025-04-20T09:00:00+09:00'), publisher: '東京都' }]);

        expect(result?.outcome).toBe('new');
      });
    });

    describe('markWithdrawn', () => {
      it('withdraws the item only when every source has withdrawn it, and un-withdraws it when seen again', async () => {
        const ministry = makeDraft();
        const aggregator = makeDraft({ sourceId: 'pref-tokyo-news' });
        await store.upsert([ministry, aggregator]);
        const id = itemIdFor(ministry.canonicalUrl);

        const partly = await store.markWithdrawn(id, 'pref-tokyo-news', '2025-05-01T00:00:00.000Z');
        const fully = await store.markWithdrawn(id, 'mext-koubo', '2025-05-02T00:00:00.000Z');

        expect(partly?.withdrawnAt).toBeUndefined();
        expect(partly?.provenance[1]?.withdrawnAt).toBe('2025-05-01T00:00:00.000Z');
        expect(fully?.withdrawnAt).toBe('2025-05-02T00:00:00.000Z');
        expect((await store.get(id))?.withdrawnAt).toBe('2025-05-02T00:00:00.000Z');

        const [back] = await store.upsert([{ ...ministry, seenAt: '2025-05-10T09:00:00+09:00' }]);

        expect(back?.outcome).toBe('updated');
        expect(back?.item.withdrawnAt).toBeUndefined();
        expect(back?.item.provenance[0]?.withdrawnAt).toBeUndefined();
      });

      it('returns undefined for an unknown item and writes nothing when already withdrawn', async () => {
        const draft = makeDraft();
        await store.upsert([draft]);
        const id = itemIdFor(draft.canonicalUrl);
        await store.markWithdrawn(id, 'mext-koubo', '2025-05-01T00:00:00.000Z');
        const before = subject.writes();

        const again = await store.markWithdrawn(id, 'mext-koubo', '2025-05-03T00:00:00.000Z');
        const missing = await store.markWithdrawn(itemIdFor('https://www.example.go.jp/none'), 'mext-koubo', startAt);

        expect(again?.withdrawnAt).toBe('2025-05-01T00:00:00.000Z');
        expect(missing).toBeUndefined();
        expect(subject.writes() - before).toBe(0);
      });
    });

    describe('scanItems and countItems', () => {
      it('pages through every item exactly once and counts them exactly', async () => {
        await store.upsert(
          Array.from({ length: 23 }, (_, i) => draftN(i + 1, { kind: i % 3 === 0 ? 'news' : 'call' })),
        );
        await store.putUrlState({ url: 'https://www.mext.go.jp/a_menu/koubo/', fetchedAt: startAt });
        await store.recordCrawlRun(run('mext-koubo', startAt, 'succeeded'));

        const seen: ItemId[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.scanItems(cursor, 5);
          expect(page.items.length).toBeLessThanOrEqual(5);
          seen.push(...page.items.map((item) => item.id));
          cursor = page.cursor;
          pages += 1;
        } while (cursor && pages < 50);

        expect(seen).toHaveLength(23);
        expect(new Set(seen).size).toBe(23);
        expect(await store.countItems()).toBe(23);
      });

      it('lists every item id with its updatedAt once when it has scanVersions, and nothing else', async () => {
        if (!store.scanVersions) return;
        await store.upsert(Array.from({ length: 12 }, (_, i) => draftN(i + 1)));
        await store.putUrlState({ url: 'https://www.mext.go.jp/a_menu/koubo/', fetchedAt: startAt });
        await store.recordCrawlRun(run('mext-koubo', startAt, 'succeeded'));
        const expected = new Map<string, string>();
        for (let cursor: string | undefined, pages = 0; pages === 0 || (cursor && pages < 50); pages++) {
          const page = await store.scanItems(cursor, 100);
          for (const item of page.items) expected.set(item.id, item.updatedAt);
          cursor = page.cursor;
        }

        const seen: Array<[string, string]> = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.scanVersions(cursor, 5);
          expect(page.items.length).toBeLessThanOrEqual(5);
          seen.push(...page.items.map((v): [string, string] => [v.id, v.updatedAt]));
          cursor = page.cursor;
          pages += 1;
        } while (cursor && pages < 50);

        expect(seen).toHaveLength(12);
        expect(new Map(seen)).toEqual(expected);
      });

      it('returns an empty page and a zero count on an empty store', async () => {
        expect(await store.scanItems()).toEqual({ items: [] });
        expect(await store.countItems()).toBe(0);
      });

      it('rejects a cursor it did not issue', async () => {
        await expect(store.scanItems('not-a-cursor')).rejects.toThrow(/cursor/);
      });
    });

    describe('listChangedSince', () => {
      it('lists new and materially changed items of one kind, oldest change first', async () => {
        await store.upsert([draftN(1)]);
        clock.advanceMs(dayMs);
        await store.upsert([draftN(2), draftN(3, { kind: 'news' })]);
        clock.advanceMs(dayMs);
        const since = clock.now().toISOString();
        clock.advanceMs(dayMs);
        await store.upsert([draftN(4)]);
        clock.advanceMs(dayMs);
        await store.upsert([draftN(1, { closesAt: '2025-07-01T17:00:00+09:00' })]);
        await store.upsert([draftN(2, { summary: '表現の修正のみ' })]);

        const page = await store.listChangedSince('call', since);

        expect(page.items.map((item) => item.id)).toEqual([itemIdFor(urlOf(4)), itemIdFor(urlOf(1))]);
        expect(page.items[1]?.closesAt).toBe('2025-07-01T17:00:00+09:00');
        expect((await store.listChangedSince('news', since)).items).toEqual([]);
        expect((await store.listChangedSince('news', startAt)).items.map((i) => i.id)).toEqual([itemIdFor(urlOf(3))]);
      });

      it('compares instants, not strings, when `since` carries a +09:00 offset', async () => {
        clock.set('2025-04-02T00:30:00.000Z');
        await store.upsert([draftN(1)]);

        const before = await store.listChangedSince('call', '2025-04-02T09:00:00+09:00');
        const after = await store.listChangedSince('call', '2025-04-02T09:31:00+09:00');

        expect(before.items).toHaveLength(1);
        expect(after.items).toHaveLength(0);
      });

      it('pages with a cursor without gaps or duplicates', async () => {
        for (let i = 1; i <= 7; i++) {
          clock.advanceMs(60_000);
          await store.upsert([draftN(i)]);
        }

        const ids: ItemId[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listChangedSince('call', startAt, cursor, 3);
          ids.push(...page.items.map((item) => item.id));
          cursor = page.cursor;
          pages += 1;
        } while (cursor && pages < 10);

        expect(ids).toEqual(Array.from({ length: 7 }, (_, i) => itemIdFor(urlOf(i + 1))));
      });
    });

    describe('URL state', () => {
      it('is undefined before the first fetch and round-trips afterwards', async () => {
        const url = 'https://www.pref.hokkaido.lg.jp/ss/skn/koubo.html?page=2&sort=新着';
        const state = {
          url,
          etag: '"5e-61a3"',
          lastModified: 'Wed, 02 Apr 2025 00:00:00 GMT',
          bodyHash: 'a'.repeat(64),
          itemIds: [itemIdFor(urlOf(1))],
          fetchedAt: startAt,
        };

        expect(await store.getUrlState(url)).toBeUndefined();
        await store.putUrlState(state);
        await store.putUrlState({ ...state, etag: '"5e-61a4"' });

        expect(await store.getUrlState(url)).toEqual({ ...state, etag: '"5e-61a4"' });
      });
    });

    describe('crawl runs and source health', () => {
      it('lists runs newest first, limited', async () => {
        await store.recordCrawlRun(run('mext-koubo', '2025-04-01T00:00:00.000Z', 'succeeded'));
        await store.recordCrawlRun(run('mext-koubo', '2025-04-03T00:00:00.000Z', 'failed'));
        await store.recordCrawlRun(run('mext-koubo', '2025-04-02T00:00:00.000Z', 'partial'));
        await store.recordCrawlRun(run('jst-news', '2025-04-04T00:00:00.000Z', 'succeeded'));

        const runs = await store.listCrawlRuns('mext-koubo', 2);

        expect(runs.map((r) => r.startedAt)).toEqual(['2025-04-03T00:00:00.000Z', '2025-04-02T00:00:00.000Z']);
        expect(runs[0]).toEqual(run('mext-koubo', '2025-04-03T00:00:00.000Z', 'failed'));
        expect(await store.listCrawlRuns('unknown-source')).toEqual([]);
      });

      it('tracks consecutive failures, last success, item count and the newest item per source', async () => {
        await store.upsert([draftN(1), draftN(2), draftN(3, { sourceId: 'jst-news' })]);
        await store.upsert([draftN(1, { sourceId: 'jst-news' })]);
        await store.recordCrawlRun(
          run('mext-koubo', '2025-04-01T00:00:00.000Z', 'succeeded', { newestItemAt: '2025-03-31T10:00:00+09:00' }),
        );
        await store.recordCrawlRun(
          run('mext-koubo', '2025-04-02T00:00:00.000Z', 'failed', { newestItemAt: '2025-03-01T10:00:00+09:00' }),
        );
        await store.recordCrawlRun(run('mext-koubo', '2025-04-03T00:00:00.000Z', 'failed'));
        await store.recordCrawlRun(run('jst-news', '2025-04-03T00:00:00.000Z', 'failed'));
        await store.recordCrawlRun(run('jst-news', '2025-04-04T00:00:00.000Z', 'partial'));
        await store.markWithdrawn(itemIdFor(urlOf(2)), 'mext-koubo', '2025-04-05T00:00:00.000Z');

        const health = await store.listSourceHealth();

        const bySource = new Map(health.map((h) => [h.sourceId, h]));
        expect([...bySource.keys()].sort()).toEqual(['jst-news', 'mext-koubo']);
        expect(bySource.get('mext-koubo')).toMatchObject({
          consecutiveFailures: 2,
          lastOutcome: 'failed',
          lastRunAt: '2025-04-03T00:01:00.000Z',
          lastSuccessAt: '2025-04-01T00:01:00.000Z',
          itemCount: 1,
          lastError: expect.stringContaining('404'),
        });
        expect(Date.parse(bySource.get('mext-koubo')?.newestItemAt ?? '')).toBe(
          Date.parse('2025-03-31T10:00:00+09:00'),
        );
        expect(bySource.get('jst-news')).toMatchObject({
          consecutiveFailures: 0,
          lastOutcome: 'partial',
          lastSuccessAt: '2025-04-04T00:01:00.000Z',
          itemCount: 2,
        });
      });

      it('records a suspect run with its report: no failure, no success, suspect counted until a run passes', async () => {
        const report = (passed: boolean, items: number): QualityReport => ({
          entries: items,
          items,
          dated: passed ? items : 0,
          unreadableDates: 0,
          calls: 0,
          callsWithDeadline: 0,
          dropped: {},
          navigation: 0,
          offHost: 0,
          duplicateTitles: 0,
          examples: [],
          passed,
          problems: passed
            ? []
            : [{ code: 'undated', value: 0, threshold: 0.8, message: '0% of items dated', messageJa: '日付なし' }],
        });
        await store.recordCrawlRun(run('moe-press', '2025-04-01T00:00:00.000Z', 'failed'));
        await store.recordCrawlRun(
          run('moe-press', '2025-04-02T00:00:00.000Z', 'suspect', { errors: [], quality: report(false, 456) }),
        );
        await store.recordCrawlRun(
          run('moe-press', '2025-04-03T00:00:00.000Z', 'suspect', { errors: [], quality: report(false, 456) }),
        );
        const suspect = (await store.listSourceHealth()).find((h) => h.sourceId === 'moe-press');
        await store.recordCrawlRun(
          run('moe-press', '2025-04-04T00:00:00.000Z', 'succeeded', { quality: report(true, 20) }),
        );
        await store.recordCrawlRun(run('moe-press', '2025-04-05T00:00:00.000Z', 'succeeded'));

        const passed = (await store.listSourceHealth()).find((h) => h.sourceId === 'moe-press');

        expect(suspect).toMatchObject({ lastOutcome: 'suspect', consecutiveFailures: 1, consecutiveSuspect: 2 });
        expect(suspect?.lastQuality?.problems[0]?.code).toBe('undated');
        expect(suspect?.lastSuccessAt).toBeUndefined();
        expect(suspect?.verifiedAt).toBeUndefined();
        expect(passed).toMatchObject({
          consecutiveFailures: 0,
          consecutiveSuspect: 0,
          lastSuccessAt: '2025-04-05T00:01:00.000Z',
          verifiedAt: '2025-04-04T00:01:00.000Z',
          lastQuality: { passed: true, items: 20 },
        });
        expect((await store.listCrawlRuns('moe-press', 5))[2]?.quality).toEqual(report(false, 456));
      });

      it('lists no health before any run', async () => {
        await store.upsert([makeDraft()]);

        expect(await store.listSourceHealth()).toEqual([]);
      });
    });
  });
}
