import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlAll } from '../../functions/crawl/run/crawl-all.js';
import { politeFetcherFactory, type FetcherFactory } from '../../functions/crawl/fetch/fetcher-factory.js';
import { KakenAppId, sampleKakenAppId, withKakenAppId } from '../../functions/crawl/fetch/kaken-app-id.js';
import { loadRegistry } from '../../shared/sources/registry.js';
import { assessSourceHealth } from '../../shared/sources/source-health.js';
import { canonicalUrl } from '../../functions/crawl/fetch/urls.js';
import { startSampleSiteServer, type SampleSiteServer } from '../../infra/local/sample-site-server.js';
import { FixedClock } from '../../shared/clock.js';
import type { CrawlRun } from '../../shared/domain/crawl-run.js';
import { itemIdFor, type Item } from '../../shared/domain/item.js';
import type { Source } from '../../shared/domain/source.js';
import { silentLog } from '../../shared/log.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import type { ItemStore } from '../../shared/store/item-store.js';
import {
  countingDocumentClient,
  crawlWriteCounter,
  startDynalite,
  type CountingDocumentClient,
  type RunningDynalite,
} from '../support/dynalite.js';

/**
 * The crawler end to end: the sample sites through the real sample-site server, PoliteFetcher
 * and the DynamoDB store on dynalite. Proves the "must show": a second crawl of
 * unchanged sites writes no item, and every misbehaving site ends in a recorded, explained error.
 */
const root = fileURLToPath(new URL('../../infra/local/sample-sites/', import.meta.url));

let sites: SampleSiteServer;
let dynalite: RunningDynalite;
let db: CountingDocumentClient;
let store: ItemStore;
let fetchers: FetcherFactory;
let sources: Source[];
const clock = new FixedClock('2026-11-28T00:30:00Z');
/** Writes the store sent outside `recordCrawlRun` (items, URL state). */
let crawlWrites: ReturnType<typeof crawlWriteCounter>;

async function crawl(only?: string[], concurrency = 4): Promise<Map<string, CrawlRun>> {
  const chosen = only ? sources.filter((s) => only.includes(s.id)) : sources;
  const runs = await crawlAll({
    sources: chosen,
    fetcherFor: withKakenAppId(fetchers.fetcherFor, new KakenAppId(() => sampleKakenAppId)),
    store,
    clock,
    log: silentLog,
    concurrency,
  });
  return new Map(runs.map((r) => [r.sourceId, r]));
}

function itemAt(sourceId: string, path: string): Promise<Item | undefined> {
  const source = sources.find((s) => s.id === sourceId) as Source;
  return store.get(itemIdFor(canonicalUrl(new URL(path, source.url).href)));
}

const misbehaving: Record<string, { kind: string; message: RegExp }> = {
  'sample-robots-deny': { kind: 'RobotsDisallowedError', message: /robots\.txt disallows/ },
  'sample-rate-limited': { kind: 'RetryLaterError', message: /429/ },
  'sample-redirect-loop': { kind: 'PermanentFetchError', message: /redirect loop/ },
  'sample-redirect-foreign': { kind: 'PermanentFetchError', message: /leaves the allowed hosts/ },
  'sample-oversized': { kind: 'PermanentFetchError', message: /exceeds \d+ bytes/ },
  'sample-malformed-feed': { kind: 'ExtractionError', message: /truncated/ },
  'sample-bot-wall': { kind: 'PermanentFetchError', message: /bot wall/ },
};

describe('crawl of the sample registry', () => {
  let first: Map<string, CrawlRun>;
  let second: Map<string, CrawlRun>;

  beforeAll(async () => {
    sites = await startSampleSiteServer({ root, clock });
    dynalite = await startDynalite();
    db = countingDocumentClient(dynalite.endpoint);
    crawlWrites = crawlWriteCounter(
      new DynamoDbItemStore({ client: db.client, tableName: 'crawl-e2e', clock, log: silentLog }),
      db,
    );
    store = crawlWrites.store;
    await store.ensureTable();
    fetchers = politeFetcherFactory({
      userAgent: 'chiiki-portal-test/1.0 (+https://example.org/contact)',
      retryBaseDelayMs: 10,
    });
    sources = loadRegistry('sample', { sampleHost: `localhost:${sites.port}` }).sources;

    first = await crawl();
    clock.advanceMs(24 * 3600 * 1000);
    crawlWrites.reset();
    // One source at a time, so the write counter attributes every write to the right call.
    second = await crawl(undefined, 1);
  }, 120_000);

  afterAll(async () => {
    await fetchers?.close();
    db?.destroy();
    await dynalite?.stop();
    await sites?.close();
  });

  it('brings in items from every well-behaved site on the first run', () => {
    for (const source of sources.filter((s) => !(s.id in misbehaving) && s.id !== 'sample-first-guess')) {
      const run = first.get(source.id);
      expect(run?.outcome, `${source.id}: ${JSON.stringify(run?.errors)}`).toBe('succeeded');
      expect(run?.counts.new, source.id).toBeGreaterThan(0);
      expect(run?.counts.invalid, source.id).toBe(0);
    }
  });

  it('ends every misbehaving site in a recorded, explained error while the others succeed', () => {
    for (const [id, expected] of Object.entries(misbehaving)) {
      const run = first.get(id);
      expect(run?.outcome, id).not.toBe('succeeded');
      expect(run?.errors[0], id).toMatchObject({
        kind: expected.kind,
        message: expect.stringMatching(expected.message),
      });
      expect(run?.counts.new, id).toBe(0);
    }
    expect(first.get('sample-robots-deny')?.counts.skippedByRobots).toBe(1);
    expect(first.get('sample-rate-limited')?.outcome).toBe('partial');
    expect(sites.hits('/news.rdf', 'robots-deny')).toBe(0);
  });

  it('publishes nothing from a first-guess definition that fails its quality gate, and says why', async () => {
    for (const run of [first.get('sample-first-guess'), second.get('sample-first-guess')]) {
      expect(run).toMatchObject({ outcome: 'suspect', counts: { new: 0, updated: 0 } });
      expect(run?.quality?.problems.map((p) => p.code)).toEqual(['undated', 'navigation']);
      expect(run?.quality?.examples.map((e) => e.title)).toContain('ホーム');
    }
    expect(await itemAt('sample-first-guess', '/press/press_01201.html')).toBeUndefined();
    expect(await store.getUrlState(sources.find((s) => s.id === 'sample-first-guess')?.url ?? '')).toBeUndefined();
    const health = (await store.listSourceHealth()).find((h) => h.sourceId === 'sample-first-guess');
    expect(health).toMatchObject({
      lastOutcome: 'suspect',
      consecutiveSuspect: 2,
      consecutiveFailures: 0,
      itemCount: 0,
    });
    expect(health?.verifiedAt).toBeUndefined();
    expect(health?.lastSuccessAt).toBeUndefined();
  });

  it('dates every item of an RSS 2.0 feed whose pubDate says JST, and counts the item with an empty <link/> as dropped', async () => {
    const run = first.get('sample-jnet21-rss2');
    const hokkaido = await itemAt('sample-jnet21-rss2', '/snavi/support/2026/hokkaido-monodukuri.html');

    expect(run).toMatchObject({ outcome: 'succeeded', counts: { new: 5 } });
    expect(run?.quality).toMatchObject({ passed: true, items: 5, dated: 5, dropped: { 'no-link': 1 } });
    expect(run?.quality?.examples[0]).toMatchObject({
      why: 'dropped: no-link',
      title: '【福岡県】半導体関連産業 人材育成支援事業の公募',
    });
    expect(Date.parse(hokkaido?.publishedAt ?? '')).toBe(Date.parse('2026-11-26T10:00:00+09:00'));
    expect(hokkaido).toMatchObject({ prefectures: ['01'], closesAt: '2026-12-25T17:00:00+09:00' });
    const nagano = await itemAt('sample-jnet21-rss2', '/snavi/support/2026/nagano-seimitsu.html');
    expect(Date.parse(nagano?.publishedAt ?? '')).toBe(Date.parse('2026-11-22T09:00:00+09:00'));
  });

  it('recovers the flaky site through retries', () => {
    expect(first.get('sample-flaky')?.outcome).toBe('succeeded');
    expect(sites.hits('/news.rdf', 'flaky')).toBeGreaterThanOrEqual(3);
  });

  it('reports 0 new and 0 updated on the second run and writes nothing but the run records', async () => {
    const totals = [...second.values()].reduce(
      (t, r) => ({ new: t.new + r.counts.new, updated: t.updated + r.counts.updated }),
      {
        new: 0,
        updated: 0,
      },
    );

    expect(totals).toEqual({ new: 0, updated: 0 });
    expect(crawlWrites.writes()).toBe(0);
    expect(second.get('sample-mext-rdf')?.counts).toMatchObject({ notModified: 1, unchanged: 6 });
    expect(second.get('sample-news-paged')?.counts.unchanged).toBe(9);
  });

  it('stores calls with dates, budgets and the e-Rad requirement read from detail pages', async () => {
    const cluster = await itemAt('sample-mext-rdf', '/b_menu/houdou/2026/koubo_cluster2.html');

    expect(cluster).toMatchObject({
      kind: 'call',
      title: '知的クラスター創成事業（第II期）の公募について',
      ministry: 'mext',
      opensAt: '2026-11-02T00:00:00+09:00',
      closesAt: '2026-12-18T17:00:00+09:00',
      budget: { text: '5,521百万円', amountYen: 5_521_000_000 },
      requiresRegistration: 'e-rad',
    });
    expect(cluster?.provenance.map((p) => p.sourceId)).toEqual(['sample-mext-rdf']);
    const hiring = await itemAt('sample-mext-rdf', '/b_menu/saiyou/hijyoukin/2026_0031.htm');
    expect(hiring?.kind).toBe('news');
  });

  it('decodes Shift_JIS and EUC-JP pages and reads 和暦 headings and periods', async () => {
    const mlit = await itemAt('sample-mlit-sjis', '/report/press/gijutsu01_hh_000231.html');
    expect(mlit?.title).toBe(
      '「地域の建設技術研究開発助成制度」令和９年度の公募について～地域の課題を解決する技術開発を支援します～',
    );
    expect(mlit?.kind).toBe('call');

    const nagano = await itemAt('sample-pref-euc', '/sangyo/hojo/cluster_itaku.html');
    expect(nagano).toMatchObject({
      // The page prints a 全角 space between the two parts; display text keeps it.
      title: '信州産学官連携クラスター推進事業\u3000委託先の募集',
      prefectures: ['20'],
      regions: ['chubu'],
      opensAt: '2026-11-16T00:00:00+09:00',
      closesAt: '2027-01-08T17:00:00+09:00',
    });

    const maff = await itemAt('sample-maff-list', '/j/press/gijutsu/kenkyu/261124.html');
    expect(maff).toMatchObject({
      publishedAt: '2026-11-24T00:00:00+09:00',
      kind: 'call',
      opensAt: '2026-12-01T00:00:00+09:00',
      closesAt: '2027-01-20T17:00:00+09:00',
    });
    const october = await itemAt('sample-maff-list', '/j/press/syouan/261002.html');
    expect(october?.publishedAt).toBe('2026-10-02T00:00:00+09:00');
  });

  it('reads the jGrants-shaped API with detail for new ids only', async () => {
    const source = sources.find((s) => s.id === 'sample-jgrants') as Source;
    const item = await store.get(
      itemIdFor(canonicalUrl(source.url.replace('/exp/v1/public', '/subsidy/a0W5h00000SAMPLE03'))),
    );

    expect(item).toMatchObject({
      kind: 'call',
      prefectures: ['23'],
      opensAt: '2026-12-10T09:00:00+09:00',
      closesAt: '2027-01-29T17:00:00+09:00',
      budget: { amountYen: 50_000_000 },
    });
    // Second run: the list was unchanged, so no detail was fetched again.
    expect(sites.hits('/exp/v1/public/subsidies-id/a0W5h00000SAMPLE03.json', 'jgrants-api')).toBe(1);
  });

  it('reads both pages of the KAKEN-shaped API as research themes', async () => {
    const source = sources.find((s) => s.id === 'sample-kaken') as Source;
    const theme = await store.get(
      itemIdFor(canonicalUrl(new URL('/grant/KAKENHI-PROJECT-25K00201/', source.url).href)),
    );

    expect(first.get('sample-kaken')?.counts).toMatchObject({ fetched: 2, new: 24, invalid: 0 });
    expect(second.get('sample-kaken')?.counts).toMatchObject({ new: 0, unchanged: 24 });
    expect(theme).toMatchObject({
      kind: 'theme',
      title: '阿蘇地域の草原維持と畜産業の持続可能性',
      prefectures: ['43'],
      opensAt: '2025-04-01T00:00:00+09:00',
      closesAt: '2028-03-31T23:59:59+09:00',
      budget: { amountYen: 3_900_000 },
    });
    // Two pages on the first run; on the second the unchanged first page ends the listing.
    expect(sites.hits('/opensearch/index.xml', 'kaken-api')).toBe(3);
  });

  it('flags the frozen Atom feed stale from the recorded health', async () => {
    const health = (await store.listSourceHealth()).find((h) => h.sourceId === 'sample-meti-atom');
    const source = sources.find((s) => s.id === 'sample-meti-atom') as Source;

    expect(assessSourceHealth(source, health, clock.now())).toMatchObject({ stale: true, status: 'stale' });
  });

  it('records a moved deadline as a material change and a new call when the site changes', async () => {
    sites.advance('changing');
    clock.advanceMs(3600 * 1000);

    const third = await crawl(['sample-changing']);

    expect(third.get('sample-changing')?.counts).toMatchObject({ new: 1, updated: 1, unchanged: 1 });
    const moved = await itemAt('sample-changing', '/koubo/2026-07.html');
    expect(moved?.closesAt).toBe('2026-12-24T23:59:59+09:00');
    expect(moved?.history[0]).toMatchObject({
      material: true,
      changes: [{ field: 'closesAt', before: '2026-12-10T23:59:59+09:00', after: '2026-12-24T23:59:59+09:00' }],
    });
    const added = await itemAt('sample-changing', '/koubo/2026-09.html');
    expect(added?.title).toBe('地域イノベーション・クラスター研究交流事業 追加公募');
  });
});
