import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrawlBudget, CrawlContinuation } from '../../../../../functions/crawl/run/crawl-continuation.js';
import { processCrawlJobs } from '../../../../../functions/crawl/run/crawl-jobs.js';
import { crawlSlice, crawlSource } from '../../../../../functions/crawl/run/crawl-source.js';
import { canonicalUrl } from '../../../../../functions/crawl/fetch/urls.js';
import { politeFetcherFactory, type FetcherFactory } from '../../../../../functions/crawl/fetch/fetcher-factory.js';
import { startSampleSiteServer, type SampleSiteServer } from '../../../../../infra/local/sample-site-server.js';
import { systemClock } from '../../../../../shared/clock.js';
import { itemIdFor, type Item } from '../../../../../shared/domain/item.js';
import { InvalidInputError, NotFoundError } from '../../../../../shared/errors.js';
import type { JgrantsSource, Source } from '../../../../../shared/domain/source.js';
import { RecordingLog, silentLog } from '../../../../../shared/log.js';
import { loadRegistry } from '../../../../../shared/sources/registry.js';
import { DynamoDbItemStore } from '../../../../../shared/store/dynamodb-item-store.js';
import { countingDocumentClient, startDynalite, type RunningDynalite } from '../../../../support/dynalite.js';

const root = fileURLToPath(new URL('../../../../../infra/local/sample-sites/', import.meta.url));
/** A budget that is always spent: every invocation does its one guaranteed fetch and no more. */
const spent: CrawlBudget = { remainingMs: () => 0, marginMs: 1 };

let sites: SampleSiteServer;
let dynalite: RunningDynalite;
let fetchers: FetcherFactory;
let sources: Source[];
let tables = 0;

beforeAll(async () => {
  sites = await startSampleSiteServer({ root });
  dynalite = await startDynalite();
  sources = loadRegistry('sample', { sampleHost: `localhost:${sites.port}` }).sources;
  fetchers = politeFetcherFactory({ userAgent: 'chiiki-test/1.0 (+https://example.invalid)', log: silentLog });
});

afterAll(async () => {
  await fetchers?.close();
  await sites?.close();
  await dynalite?.stop();
});

async function freshStore(): Promise<DynamoDbItemStore> {
  tables += 1;
  const store = new DynamoDbItemStore({
    client: countingDocumentClient(dynalite.endpoint).client,
    tableName: `chiiki-budget-${tables}`,
    clock: systemClock,
    log: silentLog,
  });
  await store.ensureTable();
  return store;
}

function sourceOf(id: string): Source {
  const source = sources.find((s) => s.id === id);
  if (!source) throw new Error(`no sample source ${id}`);
  return source;
}

const detailHits = (ids: readonly string[]) =>
  ids.reduce((n, id) => n + sites.hits(`/exp/v1/public/subsidies-id/${id}.json`, 'jgrants-api'), 0);
const detailPages = ['a_step_2027', 'chiiki_innovation_cluster', 'chiiki_kesshu', 'toshi_area_2027'];
const sampleIds = ['a0W5h00000SAMPLE01', 'a0W5h00000SAMPLE02', 'a0W5h00000SAMPLE03', 'a0W5h00000SAMPLE04'];

/** The item ids of the four sample subsidies (their URLs come from the source's itemUrl template). */
function itemIds(source: JgrantsSource): string[] {
  return sampleIds.map((id) =>
    itemIdFor(canonicalUrl(source.params.itemUrl.replace('{id}', id), { https: source.canonicalHttps })),
  );
}

/** The items among `ids` that carry text from their detail page. */
async function bodies(store: DynamoDbItemStore, ids: readonly string[]): Promise<string[]> {
  const items = await Promise.all(ids.map((id) => store.get(id as Item['id'])));
  return items.flatMap((item) => (item?.bodyText ? [item.bodyText] : []));
}

async function summaries(store: DynamoDbItemStore, ids: readonly string[]): Promise<(string | undefined)[]> {
  return Promise.all(ids.map(async (id) => (await store.get(id as Item['id']))?.summary));
}

describe('the jGrants detail fetch cap (detailFetchLimit)', () => {
  it('reads at most detailFetchLimit details per run, saves the rest from the list, and reads their details next run', async () => {
    sites.reset();
    const base = sourceOf('sample-jgrants') as JgrantsSource;
    const capped: JgrantsSource = { ...base, params: { ...base.params, detailFetchLimit: 2 } };
    const store = await freshStore();
    const deps = { source: capped, fetcher: fetchers.fetcherFor(capped), store, clock: systemClock, log: silentLog };

    const first = await crawlSource(deps);
    const afterFirst = { hits: detailHits(sampleIds), summaries: await summaries(store, itemIds(capped)) };
    const second = await crawlSource(deps);

    expect(first.counts.new).toBe(4);
    expect(afterFirst.hits).toBe(2);
    expect(afterFirst.summaries.filter(Boolean)).toHaveLength(2);
    expect(first.outcome).toBe('succeeded');
    expect(detailHits(sampleIds)).toBe(4);
    expect(sampleIds.map((id) => sites.hits(`/exp/v1/public/subsidies-id/${id}.json`, 'jgrants-api'))).toEqual([
      1, 1, 1, 1,
    ]);
    expect(second.counts.updated).toBe(2);
    expect((await summaries(store, itemIds(capped))).filter(Boolean)).toHaveLength(4);
  });

  it('defaults to 100 details per run', () => {
    const base = sourceOf('sample-jgrants') as JgrantsSource;

    expect(base.params.detailFetchLimit).toBe(100);
  });
});

describe('the detail page cap of a listing (detail.maxItems)', () => {
  it('reads the pages it never read first, and keeps the listing validators only once none is left', async () => {
    sites.reset();
    const base = sourceOf('sample-jst-koubo');
    if (!base.detail) throw new Error('sample-jst-koubo has detail pages');
    const capped = { ...base, detail: { ...base.detail, maxItems: 3 } } as Source;
    const store = await freshStore();
    const deps = { source: capped, fetcher: fetchers.fetcherFor(capped), store, clock: systemClock, log: silentLog };
    const hits = () => detailPages.map((page) => sites.hits(`/koubo/${page}.html`, 'jst-koubo'));

    const first = await crawlSource(deps);
    const afterFirst = hits();
    const second = await crawlSource(deps);
    const afterSecond = hits();
    const third = await crawlSource(deps);

    expect(first.counts.new).toBe(4);
    expect(afterFirst.reduce((a, b) => a + b, 0)).toBe(3);
    // The one page left is read first; two conditional reads fill the cap.
    expect(afterSecond.map((n, i) => n - (afterFirst[i] ?? 0)).filter((n) => n > 0)).toHaveLength(3);
    expect(afterSecond[afterFirst.indexOf(0)]).toBe(1);
    expect(second.counts.new).toBe(0);
    const listed = (await store.getUrlState(capped.url))?.itemIds ?? [];
    expect(await bodies(store, listed)).toHaveLength(4);
    // Every page read: the listing keeps its validators and the next run finds it unchanged.
    expect(third.counts).toMatchObject({ new: 0, updated: 0, unchanged: 4 });
    expect(hits()).toEqual(afterSecond);
  });
});

describe('a run that reaches CRAWL_MAX_CONTINUATIONS', () => {
  it('saves the rest without detail and records one partial run with a TimeBudgetError', async () => {
    sites.reset();
    const source = sourceOf('sample-jst-koubo');
    const store = await freshStore();
    const base = { source, fetcher: fetchers.fetcherFor(source), store, clock: systemClock, log: silentLog };
    const numbers: number[] = [];

    let resume: CrawlContinuation | undefined;
    let slice = await crawlSlice({ ...base, budget: spent, maxContinuations: 2 });
    while (!slice.done) {
      resume = slice.continuation;
      numbers.push(resume.number);
      slice = await crawlSlice({ ...base, budget: spent, maxContinuations: 2, resume });
    }

    expect(numbers).toEqual([1, 2]);
    const run = slice.run;
    expect(run.continuations).toBe(2);
    expect(run.outcome).toBe('partial');
    expect(run.errors.map((e) => e.kind)).toEqual(['TimeBudgetError']);
    expect(run.counts.new).toBe(4);
    expect(await store.listCrawlRuns(source.id, 10)).toHaveLength(1);
    const hits = detailPages.map((page) => sites.hits(`/koubo/${page}.html`, 'jst-koubo'));
    expect(hits.reduce((a, b) => a + b, 0)).toBe(2);
    const listed = (await store.getUrlState(source.url))?.itemIds ?? [];
    expect(listed).toHaveLength(4);
    expect(await bodies(store, listed)).toHaveLength(2);
  });

  it('leaves the listing without validators, so the next run reads the details the last one left', async () => {
    sites.reset();
    const source = sourceOf('sample-jst-koubo');
    const store = await freshStore();
    const base = { source, fetcher: fetchers.fetcherFor(source), store, clock: systemClock, log: silentLog };
    const abandoned = await crawlSlice({ ...base, budget: spent, maxContinuations: 0 });

    const next = await crawlSource(base);

    expect(abandoned.done && abandoned.run.errors.map((e) => e.kind)).toEqual(['TimeBudgetError']);
    expect(next.outcome).toBe('succeeded');
    expect(next.counts).toMatchObject({ new: 0, updated: 4 });
    const listed = (await store.getUrlState(source.url))?.itemIds ?? [];
    expect(listed).toHaveLength(4);
    expect(await bodies(store, listed)).toHaveLength(4);
  });
});

describe('the count check of a run over several invocations', () => {
  it('does not compare a run with recent runs when one of its pages was unchanged', async () => {
    sites.reset();
    const source = sourceOf('sample-news-paged');
    const store = await freshStore();
    const base = { source, fetcher: fetchers.fetcherFor(source), store, clock: systemClock, log: silentLog };
    const oneGo = await crawlSource(base);
    for (const [i, day] of ['01', '02', '03'].entries())
      await store.recordCrawlRun({
        ...oneGo,
        runId: `earlier-${i}`,
        startedAt: `2026-01-${day}T03:00:00.000Z`,
        finishedAt: `2026-01-${day}T03:00:01.000Z`,
        quality: { ...(oneGo.quality as NonNullable<typeof oneGo.quality>), items: 50 },
      });
    // The first page changed, the second did not: the run reads its 4 items, no signal against 50.
    await store.putUrlState({ url: source.url, fetchedAt: '2026-01-03T03:00:00.000Z' });

    let slice = await crawlSlice({ ...base, budget: spent, maxContinuations: 5 });
    let continuations = 0;
    while (!slice.done) {
      continuations += 1;
      slice = await crawlSlice({ ...base, budget: spent, maxContinuations: 5, resume: slice.continuation });
    }

    expect(continuations).toBe(1);
    expect(slice.run.quality).toMatchObject({ items: 4, passed: true, problems: [] });
    expect(slice.run.outcome).toBe('succeeded');
  });
});

describe('processCrawlJobs', () => {
  it('fails a message whose continuation does not parse, and crawls nothing for it', async () => {
    const store = await freshStore();
    const log = new RecordingLog();
    const body = JSON.stringify({ sourceId: 'sample-jst-koubo', continuation: { runId: 'r', number: 0 } });

    const response = await processCrawlJobs(
      { sources, fetcherFor: (s) => fetchers.fetcherFor(s), store, clock: systemClock, log },
      { Records: [{ messageId: 'm-1', body }] },
      { getRemainingTimeInMillis: () => 60_000 },
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(await store.listCrawlRuns('sample-jst-koubo', 10)).toEqual([]);
  });

  it('refuses an event that is not an SQS batch, and fails a message that is not JSON or names no known source', async () => {
    const store = await freshStore();
    const log = new RecordingLog();
    const deps = { sources, fetcherFor: (s: Source) => fetchers.fetcherFor(s), store, clock: systemClock, log };

    await expect(processCrawlJobs(deps, { detail: 'not sqs' })).rejects.toBeInstanceOf(InvalidInputError);
    const response = await processCrawlJobs(deps, {
      Records: [
        { messageId: 'm-1', body: '{not json' },
        { messageId: 'm-2', body: JSON.stringify({ sourceId: 'no-such-source' }) },
      ],
    });

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }]);
    const failed = log.entries.filter((e) => e.message === 'crawl job failed').map((e) => e.data);
    expect(failed).toEqual([
      { messageId: 'm-1', error: expect.any(InvalidInputError) },
      { messageId: 'm-2', error: expect.any(NotFoundError) },
    ]);
  });
});
