import { beforeEach, describe, expect, it } from 'vitest';
import { crawlAll } from '../../../../../functions/crawl/run/crawl-all.js';
import { processCrawlJobs } from '../../../../../functions/crawl/run/crawl-jobs.js';
import { crawlSource } from '../../../../../functions/crawl/run/crawl-source.js';
import type { HttpFetcher } from '../../../../../functions/crawl/fetch/http-fetcher.js';
import { FixedClock } from '../../../../../shared/clock.js';
import { itemIdFor } from '../../../../../shared/domain/item.js';
import type { Source } from '../../../../../shared/domain/source.js';
import { RetryLaterError } from '../../../../../shared/errors.js';
import { RecordingLog, silentLog } from '../../../../../shared/log.js';
import type { ItemStore } from '../../../../../shared/store/item-store.js';
import { crawlTestSources, rssFeed, ScriptedFetcher, useCrawlStore } from '../../../../support/crawl-harness.js';

const rss = (items: [string, string][]) =>
  rssFeed(items.map(([path, title]) => [`https://koubo.example${path}`, title]));

const { all: sources, feed: feedSource, paged: pagedSource, table: tableSource } = crawlTestSources;

const crawlStore = useCrawlStore('crawl-unit');
let store: ItemStore;
let fetcher: ScriptedFetcher;
const clock = new FixedClock('2026-11-28T00:00:00Z');

beforeEach(async () => {
  store = await crawlStore.freshStore(clock);
  fetcher = new ScriptedFetcher();
});

const crawl = (source: Source = feedSource) => crawlSource({ source, fetcher, store, clock, log: silentLog });

describe('crawlSource', () => {
  it('stores new items, then sends the ETag and writes nothing when the feed is not modified', async () => {
    fetcher.pages.set(feedSource.url, {
      body: rss([
        ['/a.html', '研究開発助成の公募について'],
        ['/b.html', '成果報告会の開催'],
      ]),
      etag: '"v1"',
    });

    const first = await crawl();
    crawlStore.db.resetWrites();
    const second = await crawl();

    expect(first.counts).toMatchObject({ fetched: 1, new: 2 });
    expect(fetcher.requests[1]?.etag).toBe('"v1"');
    expect(second).toMatchObject({
      outcome: 'succeeded',
      counts: { notModified: 1, new: 0, updated: 0, unchanged: 2 },
    });
    expect(crawlStore.db.writes()).toBe(2); // the crawl run and the source's health; no item, no URL state
  });

  it('keeps the deadline time its unchanged detail page gave when the list, read again, shows only the day', async () => {
    const row = (path: string, title: string, period: string) =>
      `<tr><td><a href="${path}">${title}</a></td><td class="period">${period}</td></tr>`;
    const list = (...rows: string[]) => `<html><body><table><tbody>${rows.join('')}</tbody></table></body></html>`;
    const detail = (title: string, period: string) =>
      `<html><body><main id="content"><h1>${title}</h1><p>公募期間：${period}</p><p>予算額：1課題あたり500万円</p></main></body></html>`;
    const kesshu = row('/koubo/kesshu.html', '地域結集型研究開発プログラム', '令和8年12月1日～令和8年12月25日');
    fetcher.pages.set(tableSource.url, { body: list(kesshu), etag: '"l1"' });
    fetcher.pages.set('https://koubo.example/koubo/kesshu.html', {
      body: detail('地域結集型研究開発プログラム', '令和8年12月1日（火）～令和8年12月25日（金）17時必着'),
      etag: '"d1"',
    });
    const id = itemIdFor('https://koubo.example/koubo/kesshu.html');

    const first = await crawl(tableSource);
    const stored = await store.get(id);
    // The list changes (a new call), so it is read again; the first call's detail answers 304.
    fetcher.pages.set(tableSource.url, {
      body: list(kesshu, row('/koubo/new.html', '新しい公募', '令和8年12月10日～令和9年1月15日')),
      etag: '"l2"',
    });
    fetcher.pages.set('https://koubo.example/koubo/new.html', {
      body: detail('新しい公募', '令和8年12月10日～令和9年1月15日'),
    });
    const second = await crawl(tableSource);
    const after = await store.get(id);

    expect(first.counts).toMatchObject({ new: 1 });
    expect(stored?.closesAt).toBe('2026-12-25T17:00:00+09:00');
    expect(second.counts).toMatchObject({ new: 1, updated: 0, unchanged: 1 });
    expect(after?.closesAt).toBe('2026-12-25T17:00:00+09:00');
    expect(after?.history).toEqual([]);
  });

  it('takes a deadline the list moved to another day, even when the detail page was not read again', async () => {
    const page = (period: string) =>
      `<html><body><table><tbody><tr><td><a href="/koubo/kesshu.html">地域結集型研究開発プログラム</a></td><td class="period">${period}</td></tr></tbody></table></body></html>`;
    fetcher.pages.set(tableSource.url, { body: page('令和8年12月1日～令和8年12月25日'), etag: '"l1"' });
    fetcher.pages.set('https://koubo.example/koubo/kesshu.html', {
      body: '<html><body><main id="content"><h1>地域結集型研究開発プログラム</h1><p>公募期間：令和8年12月1日～令和8年12月25日（金）17時必着</p></main></body></html>',
      etag: '"d1"',
    });
    await crawl(tableSource);

    fetcher.pages.set(tableSource.url, { body: page('令和8年12月1日～令和9年1月8日'), etag: '"l2"' });
    const second = await crawl(tableSource);

    expect(second.counts).toMatchObject({ updated: 1 });
    expect((await store.get(itemIdFor('https://koubo.example/koubo/kesshu.html')))?.closesAt).toBe(
      '2027-01-08T23:59:59+09:00',
    );
  });

  it('compares the body hash when the server sends no validators', async () => {
    fetcher.pages.set(feedSource.url, { body: rss([['/a.html', '研究開発助成の公募について']]) });

    await crawl();
    const second = await crawl();

    expect(second.counts).toMatchObject({ fetched: 1, notModified: 0, new: 0, updated: 0, unchanged: 1 });
  });

  it('marks an item that vanished from a complete listing withdrawn, not deleted', async () => {
    fetcher.pages.set(feedSource.url, {
      body: rss([
        ['/a.html', '公募A'],
        ['/b.html', '公募B'],
      ]),
    });
    await crawl();
    fetcher.pages.set(feedSource.url, { body: rss([['/a.html', '公募A']]) });
    clock.advanceMs(86_400_000);

    const run = await crawl();

    expect(run.counts).toMatchObject({ withdrawn: 1, unchanged: 1 });
    const gone = await store.get(itemIdFor('https://koubo.example/b.html'));
    expect(gone?.withdrawnAt).toBeDefined();
    expect(gone?.title).toBe('公募B');
  });

  it('fails a run whose host gave nothing back, so repeated nights flag the source failing', async () => {
    fetcher.pages.set(
      feedSource.url,
      new RetryLaterError('robots.txt of koubo.example is unreachable (ENOTFOUND); the host is off limits'),
    );

    const first = await crawl();
    clock.advanceMs(86_400_000);
    await crawl();

    expect(first.outcome).toBe('failed');
    const health = (await store.listSourceHealth()).find((h) => h.sourceId === feedSource.id);
    expect(health?.consecutiveFailures).toBe(2);
    expect(health?.lastSuccessAt).toBeUndefined();
  });

  it('keeps a run partial, not failed, when the site only asked us to slow down (429)', async () => {
    fetcher.pages.set(feedSource.url, new RetryLaterError('HTTP 429 after 4 attempts', 30, { status: 429 }));

    const run = await crawl();

    expect(run.outcome).toBe('partial');
    expect(run.errors).toEqual([
      { url: feedSource.url, kind: 'RetryLaterError', status: 429, message: 'HTTP 429 after 4 attempts' },
    ]);
  });

  it('withdraws nothing when a later page of the listing fails', async () => {
    const list = (links: string, next?: string) =>
      `<ul>${links}</ul>${next ? `<a class="next" href="${next}">次へ</a>` : ''}`;
    fetcher.pages.set(pagedSource.url, {
      body: list('<li><span>2026年11月20日</span><a href="/1.html">公募1</a></li>', '/list.html?page=2'),
    });
    fetcher.pages.set('https://koubo.example/list.html?page=2', {
      body: list('<li><span>2026年11月20日</span><a href="/2.html">公募2</a></li>'),
    });
    const first = await crawl(pagedSource);
    fetcher.pages.set(pagedSource.url, {
      body: list('<li><span>2026年11月20日</span><a href="/3.html">公募3</a></li>', '/list.html?page=2'),
    });
    fetcher.pages.set('https://koubo.example/list.html?page=2', new RetryLaterError('HTTP 503 after 4 attempts', 30));

    const second = await crawl(pagedSource);

    expect(first.counts).toMatchObject({ fetched: 2, new: 2 });
    expect(second).toMatchObject({ outcome: 'partial', counts: { new: 1, withdrawn: 0 } });
    expect(second.errors).toEqual([
      { url: 'https://koubo.example/list.html?page=2', kind: 'RetryLaterError', message: 'HTTP 503 after 4 attempts' },
    ]);
  });

  it('counts an entry that fails the Item schema as invalid and stores the rest', async () => {
    fetcher.pages.set(feedSource.url, {
      body: rss([
        ['/ok.html', '公募1'],
        ['/ok2.html', '公募2'],
        ['/ok3.html', '公募3'],
        ['/long.html', '長'.repeat(1200)],
      ]),
    });

    const run = await crawl();

    expect(run).toMatchObject({ outcome: 'succeeded', counts: { new: 3, invalid: 1 } });
    expect(await store.get(itemIdFor('https://koubo.example/long.html'))).toBeUndefined();
  });

  it('publishes nothing and records the run suspect when half the entries fail the Item schema', async () => {
    fetcher.pages.set(feedSource.url, {
      body: rss([
        ['/ok.html', '公募1'],
        ['/long.html', '長'.repeat(1200)],
      ]),
    });

    const run = await crawl();

    expect(run).toMatchObject({ outcome: 'suspect', counts: { new: 0, invalid: 1 } });
    expect(run.quality?.problems.map((p) => p.code)).toEqual(['dropped']);
    expect(await store.get(itemIdFor('https://koubo.example/ok.html'))).toBeUndefined();
  });

  it('holds back a run that lists far fewer items than the recent runs, withdrawing nothing', async () => {
    const ten = Array.from({ length: 10 }, (_, i): [string, string] => [
      `/k${i}.html`,
      `地域研究開発助成 第${i}回の公募`,
    ]);
    fetcher.pages.set(feedSource.url, { body: rss(ten) });
    const before = await crawl();
    clock.advanceMs(86_400_000);
    fetcher.pages.set(feedSource.url, { body: rss(ten.slice(0, 1)) });

    const after = await crawl();

    expect(before).toMatchObject({ outcome: 'succeeded', counts: { new: 10 } });
    expect(after).toMatchObject({ outcome: 'suspect', counts: { new: 0, withdrawn: 0 } });
    expect(after.quality).toMatchObject({ items: 1, recentItems: 10 });
    expect(after.quality?.problems.map((p) => p.code)).toEqual(['count-drop']);
    const kept = await store.get(itemIdFor('https://koubo.example/k9.html'));
    expect(kept?.title).toBe('地域研究開発助成 第9回の公募');
    expect(kept?.withdrawnAt).toBeUndefined();
  });

  it('marks an unverified source trusted, so its failures page, only once a run of it has passed its gate', async () => {
    const log = new RecordingLog();
    const trusted = async () => {
      await crawlSource({ source: feedSource, fetcher, store, clock, log });
      clock.advanceMs(3_600_000);
      const finished = log.entries.filter((e) => e.message === 'crawl finished').at(-1)?.data;
      return finished && !(finished instanceof Error) ? [finished['outcome'], finished['trusted']] : undefined;
    };

    const failedFirst = await trusted();
    fetcher.pages.set(feedSource.url, { body: rss([['/a.html', '研究開発助成の公募について']]) });
    const passed = await trusted();
    fetcher.pages.delete(feedSource.url);
    const failedLater = await trusted();

    expect(feedSource.verified).toBe('unverified');
    expect([failedFirst, passed, failedLater]).toEqual([
      ['failed', false],
      ['succeeded', true],
      ['failed', true],
    ]);
  });

  it('records a failed listing with its URL, status and reason', async () => {
    const run = await crawl();

    expect(run).toMatchObject({
      outcome: 'failed',
      counts: { failed: 1, new: 0 },
      errors: [
        { url: feedSource.url, kind: 'PermanentFetchError', status: 404, message: `HTTP 404 for ${feedSource.url}` },
      ],
    });
    expect((await store.listCrawlRuns(feedSource.id))[0]?.runId).toBe(run.runId);
  });

  it('records a page that is not a feed as an extraction error', async () => {
    fetcher.pages.set(feedSource.url, { body: '<html><body>メンテナンス中</body></html>' });

    const run = await crawl();

    expect(run.errors[0]).toMatchObject({
      kind: 'ExtractionError',
      message: expect.stringContaining('not an RSS 1.0, RSS 2.0 or Atom feed'),
    });
  });
});

describe('crawlAll', () => {
  it('keeps crawling the other sources when one throws', async () => {
    fetcher.pages.set(pagedSource.url, {
      body: '<ul><li><span>2026年11月20日</span><a href="/x.html">公募X</a></li></ul>',
    });
    const broken: HttpFetcher = {
      fetch: () => Promise.reject(new TypeError('socket exploded')),
    };

    const runs = await crawlAll({
      sources: [feedSource, pagedSource],
      fetcherFor: (s) => (s.id === feedSource.id ? broken : fetcher),
      store,
      clock,
      log: silentLog,
    });

    expect(runs.map((r) => [r.sourceId, r.outcome])).toEqual([
      ['koubo-feed', 'failed'],
      ['paged', 'succeeded'],
    ]);
    expect(runs[0]?.errors[0]).toMatchObject({ kind: 'TypeError', message: 'socket exploded' });
  });
});

describe('processCrawlJobs', () => {
  it('crawls each message and reports unknown sources as batch item failures', async () => {
    fetcher.pages.set(feedSource.url, { body: rss([['/a.html', '公募A']]) });

    const response = await processCrawlJobs(
      { sources, fetcherFor: () => fetcher, store, clock, log: silentLog },
      {
        Records: [
          { messageId: 'm1', body: JSON.stringify({ sourceId: 'koubo-feed' }) },
          { messageId: 'm2', body: JSON.stringify({ sourceId: 'no-such-source' }) },
          { messageId: 'm3', body: 'not json' },
        ],
      },
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }]);
    expect((await store.listCrawlRuns('koubo-feed')).length).toBe(1);
  });
});
