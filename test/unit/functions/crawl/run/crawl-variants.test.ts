import { beforeEach, describe, expect, it } from 'vitest';
import { jgrantsDetailUrl, jgrantsListUrl } from '../../../../../functions/crawl/extract/jgrants.js';
import { crawlSource } from '../../../../../functions/crawl/run/crawl-source.js';
import { FixedClock } from '../../../../../shared/clock.js';
import { itemIdFor } from '../../../../../shared/domain/item.js';
import type { Source } from '../../../../../shared/domain/source.js';
import { RetryLaterError } from '../../../../../shared/errors.js';
import { silentLog } from '../../../../../shared/log.js';
import type { ItemStore } from '../../../../../shared/store/item-store.js';
import { crawlTestSources, rssFeed, ScriptedFetcher, useCrawlStore } from '../../../../support/crawl-harness.js';

// The listing and jGrants variants of the one crawl algorithm follow the same rules for the gate,
// URL states and withdrawal.

const { jgrants, feed, paged } = crawlTestSources;

const [clusterList, researchList] = jgrants.params.keywords.map((k) => jgrantsListUrl(jgrants, k)) as [string, string];

/** A jGrants list answer; an entry without a title is not a list entry (the parser counts it invalid). */
const list = (...ids: string[]) =>
  JSON.stringify({
    result: ids.map((id) =>
      id.startsWith('bad')
        ? { id }
        : {
            id,
            title: `地域研究開発補助金 ${id}`,
            acceptance_start_datetime: '2026-11-01T00:00Z',
            acceptance_end_datetime: '2026-12-20T08:00:00.000Z',
          },
    ),
  });
const detail = (id: string) =>
  JSON.stringify({ result: [{ id, subsidy_catch_phrase: `${id} の概要`, detail: '<p>研究開発を支援します。</p>' }] });
const subsidyId = (id: string) => itemIdFor(`https://jgrants.example/subsidy/${id}`);

const crawlStore = useCrawlStore('crawl-variants');
const clock = new FixedClock('2026-11-28T00:00:00Z');
let store: ItemStore;
let fetcher: ScriptedFetcher;
const crawl = (source: Source) => crawlSource({ source, fetcher, store, clock, log: silentLog });

beforeEach(async () => {
  store = await crawlStore.freshStore(clock);
  fetcher = new ScriptedFetcher();
  for (const id of ['A', 'B', 'C']) fetcher.pages.set(jgrantsDetailUrl(jgrants, id), { body: detail(id) });
});

describe('withdrawal, for every kind of source', () => {
  it('withdraws nothing from jGrants while one keyword list fails, and what vanished once every list is read', async () => {
    fetcher.pages.set(clusterList, { body: list('A', 'B') });
    fetcher.pages.set(researchList, { body: list('C') });
    await crawl(jgrants);
    clock.advanceMs(86_400_000);
    // B moves to the research list, which fails tonight.
    fetcher.pages.set(clusterList, { body: list('A') });
    fetcher.pages.set(researchList, new RetryLaterError('HTTP 503 after 4 attempts', 30));

    const failing = await crawl(jgrants);
    const afterFailing = await store.get(subsidyId('B'));
    clock.advanceMs(86_400_000);
    // Both lists answer; B is on neither any more.
    fetcher.pages.set(researchList, { body: list('C') });
    const complete = await crawl(jgrants);

    expect(failing).toMatchObject({ outcome: 'partial', counts: { withdrawn: 0 } });
    expect(afterFailing?.withdrawnAt).toBeUndefined();
    expect(complete.counts.withdrawn).toBe(1);
    expect((await store.get(subsidyId('B')))?.withdrawnAt).toBeDefined();
    expect((await store.get(subsidyId('A')))?.withdrawnAt).toBeUndefined();
  });

  it('withdraws what vanished while a later page of a listing failed, once the whole listing is read again', async () => {
    const page2 = 'https://koubo.example/list.html?page=2';
    const listPage = (n: number, next?: string) =>
      `<ul><li><span>2026年11月20日</span><a href="/${n}.html">公募${n}</a></li></ul>${next ? `<a class="next" href="${next}">次へ</a>` : ''}`;
    fetcher.pages.set(paged.url, { body: listPage(1, page2) });
    fetcher.pages.set(page2, { body: listPage(2) });
    await crawl(paged);
    // 1 leaves the first page while the second fails; then 2 leaves the second page.
    fetcher.pages.set(paged.url, { body: listPage(3, page2) });
    fetcher.pages.set(page2, new RetryLaterError('HTTP 503 after 4 attempts', 30));
    const failing = await crawl(paged);
    fetcher.pages.set(page2, { body: listPage(4) });

    const complete = await crawl(paged);

    expect(failing.counts.withdrawn).toBe(0);
    expect(complete.counts).toMatchObject({ fetched: 2, new: 1, withdrawn: 2 });
    const withdrawn = await Promise.all(
      [1, 2, 3, 4].map(async (n) => (await store.get(itemIdFor(`https://koubo.example/${n}.html`)))?.withdrawnAt),
    );
    expect(withdrawn.map(Boolean)).toEqual([true, true, false, false]);
  });
});

describe('the quality gate, for every kind of source', () => {
  it('fetches no jGrants detail and keeps no list state when the lists fail their gate', async () => {
    fetcher.pages.set(clusterList, { body: list('A', 'bad-1') });
    fetcher.pages.set(researchList, { body: list('bad-2') });

    const run = await crawl(jgrants);

    expect(run).toMatchObject({ outcome: 'suspect', counts: { new: 0 } });
    expect(fetcher.hits(jgrantsDetailUrl(jgrants, 'A'))).toBe(0);
    expect(await store.getUrlState(clusterList)).toBeUndefined();
  });

  it('keeps no state of a listing that failed its gate, so the next run reads it again', async () => {
    const feedBody = rssFeed([
      ['https://koubo.example/ok.html', '公募1'],
      ['https://koubo.example/long.html', '長'.repeat(1200)],
    ]);
    fetcher.pages.set(feed.url, { body: feedBody, etag: '"v1"' });

    const suspect = await crawl(feed);
    const again = await crawl(feed);

    expect(suspect.outcome).toBe('suspect');
    expect(await store.getUrlState(feed.url)).toBeUndefined();
    expect(fetcher.requests[1]?.etag).toBeUndefined();
    expect(again).toMatchObject({ outcome: 'suspect', counts: { fetched: 1, notModified: 0 } });
  });
});

describe('a failed run, for every kind of source', () => {
  it('fails a jGrants run when no keyword list answered with a list', async () => {
    fetcher.pages.set(clusterList, { body: '<html>メンテナンス中</html>' });
    fetcher.pages.set(researchList, { body: '{"error": "maintenance"' });

    const run = await crawl(jgrants);

    expect(run.outcome).toBe('failed');
    expect(run.errors.map((e) => e.kind)).toEqual(['ExtractionError', 'ExtractionError']);
  });
});
