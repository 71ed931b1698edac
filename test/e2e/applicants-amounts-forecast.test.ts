import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/local-stack.js';
import { chiiki } from '../support/chiiki-cli.js';
import { startCrawledSampleStack, type CrawledSampleStack } from '../support/sample-stack.js';

/**
 * The local stack on the sample sites (crawled at 2026-11-28 12:00 Tokyo): who may apply, the
 * per-project ceiling and the next round's 見込み, as the search API serves them.
 */
let sample: CrawledSampleStack;
let stack: LocalStack;

interface Hit {
  id: string;
  title: string;
  status: string;
  applicants?: string[];
  amountCeiling?: number;
  forecast?: {
    seriesId: string;
    opens: { from: string; to: string };
    closes?: { from: string; to: string };
    text: string;
  };
}
interface SearchBody {
  total: number;
  items: Hit[];
  facets: Record<string, { value: string; count: number }[]>;
  nextCursor?: string;
}

async function json<T>(path: string): Promise<T> {
  const response = await fetch(`${stack.apiUrl}${path}`);
  expect(response.status, `${path} answered ${response.status}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as T;
}

/** Every hit of a search (all pages), and the first page's facets. */
async function searchAll(query: string): Promise<{ hits: Hit[]; facets: SearchBody['facets']; total: number }> {
  const hits: Hit[] = [];
  let first: SearchBody | undefined;
  let cursor: string | undefined;
  do {
    const page = await json<SearchBody>(
      `/v1/search?${query}&size=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    first ??= page;
    hits.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return { hits, facets: first?.facets ?? {}, total: first?.total ?? 0 };
}

const titles = (hits: readonly Hit[]): string[] => hits.map((h) => h.title).sort();

/**
 * The sample calls whose eligibility text names 中小企業 (応募資格・補助対象者 or a sentence on who applies),
 * read from infra/local/sample-sites: jGrants SAMPLE02 (補助対象者：中小企業者・小規模事業者), SAMPLE03
 * (中小企業等が行う…を補助), SAMPLE04 (応募資格：道内の中小企業、大学…), and JST's A-STEP page.
 */
const smeCalls = [
  'ものづくり・商業・サービス生産性向上促進補助金（第22次締切）',
  '愛知県 次世代産業クラスター研究開発費補助金',
  '北海道 食クラスター連携研究開発補助金',
  '研究成果最適展開支援プログラム（A-STEP）産学共同フェーズ',
].sort();

/**
 * The sample calls whose ceiling per project is at most 3,000万円, from their pages: MAFF
 * (1課題当たり上限額 3,000万円), jGrants SAMPLE01 (30,000,000), SAMPLE02 (12,500,000), SAMPLE04 (10,000,000).
 */
const upTo30m = [
  '先端技術を活用した農林水産研究高度化事業（令和９年度新規課題）の公募について',
  '産業クラスター形成支援補助金（地域中核企業の研究開発）',
  'ものづくり・商業・サービス生産性向上促進補助金（第22次締切）',
  '北海道 食クラスター連携研究開発補助金',
].sort();

const program = encodeURIComponent('地域イノベーション創出支援事業');

beforeAll(async () => {
  sample = await startCrawledSampleStack('chiiki-applicants-');
  stack = sample.stack;
  await stack.waitForIndex();
}, 120_000);

afterAll(async () => {
  await sample?.close();
});

describe('applicants, amounts and forecasts on the local stack', () => {
  it('narrows the sample calls to those whose eligibility names 中小企業 with applicant=sme', async () => {
    const found = await searchAll('kind=call&applicant=sme');

    expect(titles(found.hits)).toEqual(smeCalls);
    expect(found.hits.every((h) => h.applicants?.includes('sme'))).toBe(true);
  });

  it('ORs applicant types and counts the applicant facet as the hits name them', async () => {
    const all = await searchAll('kind=call');
    const either = await searchAll('kind=call&applicant=sme,university');

    const counted = new Map<string, number>();
    for (const hit of all.hits)
      for (const type of hit.applicants ?? []) counted.set(type, (counted.get(type) ?? 0) + 1);
    const facet = new Map((all.facets.applicant ?? []).map((f) => [f.value, f.count]));
    expect(all.hits.length).toBe(all.total);
    expect(facet).toEqual(counted);
    expect(facet.get('sme')).toBe(smeCalls.length);
    expect(titles(either.hits)).toEqual(
      titles(all.hits.filter((h) => h.applicants?.some((t) => t === 'sme' || t === 'university'))),
    );
    expect(either.hits.length).toBeGreaterThan(smeCalls.length);
  });

  it('narrows to calls with a known ceiling of at most 3,000万円 with amountMax', async () => {
    const found = await searchAll('kind=call&amountMax=30000000');
    const atLeast = await searchAll('kind=call&amountMin=100000000');

    expect(titles(found.hits)).toEqual(upTo30m);
    expect(found.hits.every((h) => h.amountCeiling !== undefined && h.amountCeiling <= 30_000_000)).toBe(true);
    expect(atLeast.hits.length).toBeGreaterThan(0);
    expect(atLeast.hits.every((h) => h.amountCeiling !== undefined && h.amountCeiling >= 100_000_000)).toBe(true);
  });

  it('orders calls by ceiling, largest first and unknown last, with sort=amount', async () => {
    const { hits } = await searchAll('kind=call&sort=amount');

    const ceilings = hits.map((h) => h.amountCeiling ?? -1);
    expect(ceilings).toEqual([...ceilings].sort((a, b) => b - a));
    expect(ceilings[0]).toBe(500_000_000);
    expect(ceilings.filter((c) => c >= 0).length).toBeGreaterThanOrEqual(upTo30m.length + 3);
  });

  it('has the sample program as a series of three rounds with a forecast window on its newest round', async () => {
    const { hits } = await searchAll(`q=${program}&kind=call`);
    const r8 = hits.find((h) => h.title.startsWith('令和8年度') && !h.title.includes('地域枠'));

    const item = await json<{
      series?: {
        id: string;
        rounds: { itemId: string }[];
        forecast: { status: string; opens?: { from: string; to: string } };
      };
    }>(`/v1/items/${r8?.id ?? ''}`);

    expect(item.series?.rounds.length).toBeGreaterThanOrEqual(3);
    expect(item.series?.rounds.at(-1)?.itemId).toBe(r8?.id);
    expect(item.series?.forecast.status).toBe('expected');
    expect(r8?.forecast?.seriesId).toBe(item.series?.id);
    expect(r8?.forecast?.opens).toEqual(item.series?.forecast.opens);
    expect(r8?.forecast?.text).toContain('見込み');
    expect(hits.filter((h) => h.forecast).map((h) => h.id)).toEqual([r8?.id]);
  });

  it("indexes the series' forecast on the sample program's newest round only, as the crawl linked it", async () => {
    const page = await stack.search.search({ text: '地域イノベーション創出支援事業', kinds: ['call'], size: 50 });
    const docs = page.items.map((hit) => hit.doc);
    const r8 = docs.find((d) => d.title.startsWith('令和8年度') && !d.title.includes('地域枠'));

    const item = await json<{
      series?: {
        id: string;
        forecast: { opens?: { from: string; to: string }; closes?: { from: string; to: string }; text: string };
      };
    }>(`/v1/items/${r8?.id ?? ''}`);

    expect(docs.filter((d) => d.forecast).map((d) => d.id)).toEqual([r8?.id]);
    expect(r8?.forecast).toEqual({
      seriesId: item.series?.id,
      opens: item.series?.forecast.opens,
      closes: item.series?.forecast.closes,
      text: item.series?.forecast.text,
    });
    expect(r8?.forecast?.closes).toBeDefined();
  });

  it('answers status=expected with the newest round only, not its older rounds or the 地域枠 look-alike', async () => {
    const expected = await searchAll('status=expected');
    const programHits = await searchAll(`q=${program}&kind=call`);

    const r8 = programHits.hits.find((h) => h.title.startsWith('令和8年度') && !h.title.includes('地域枠'));
    expect(expected.hits.map((h) => h.id)).toEqual([r8?.id]);
    expect(expected.hits[0]?.status).toBe('closed');
    expect(programHits.hits.filter((h) => h.title.includes('地域イノベーション創出支援事業')).length).toBe(4);
    const statusFacet = new Map((programHits.facets.status ?? []).map((f) => [f.value, f.count]));
    expect(statusFacet.get('expected')).toBe(1);
    expect(statusFacet.get('closed')).toBe(programHits.hits.filter((h) => h.status === 'closed').length);
  });

  it('puts calls with a forecast first, earliest expected opening first, with sort=expected', async () => {
    const { hits } = await searchAll('kind=call&sort=expected');

    const withForecast = hits.findIndex((h) => !h.forecast);
    const leading = hits.slice(0, withForecast < 0 ? hits.length : withForecast);
    expect(leading.length).toBeGreaterThanOrEqual(1);
    expect(hits.slice(leading.length).every((h) => !h.forecast)).toBe(true);
    const opens = leading.map((h) => h.forecast?.opens.from ?? '');
    expect(opens).toEqual([...opens].sort());
    expect(leading[0]?.title).toContain('令和8年度 地域イノベーション創出支援事業の公募');
  });

  // Last: it changes the sample program's series (and puts it back).
  it('moves the forecast at once when an operator splits the newest round off beside the running stack', async () => {
    const page = await stack.search.search({ text: '地域イノベーション創出支援事業', kinds: ['call'], size: 50 });
    const round = (prefix: string) =>
      page.items.find((h) => h.doc.title.startsWith(prefix) && !h.doc.title.includes('地域枠'))?.doc.id ?? '';
    const [r6, r7, r8] = [round('令和6年度'), round('令和7年度'), round('令和8年度')];
    const env = { DATA_DIR: sample.dataDir, LOG_LEVEL: 'warn' };
    const forecasts = async () => {
      const found = await stack.search.search({ text: '地域イノベーション創出支援事業', kinds: ['call'], size: 50 });
      return found.items.flatMap((h) => (h.doc.forecast ? [[h.doc.id, h.doc.forecast.seriesId]] : []));
    };

    const splits = [await chiiki(['series', 'split', r8, r6], env), await chiiki(['series', 'split', r8, r7], env)];
    const afterSplit = await forecasts();
    const seriesOf7 = await json<{ series?: { id: string; rounds: unknown[] } }>(`/v1/items/${r7}`);
    const merges = [await chiiki(['series', 'merge', r8, r6], env), await chiiki(['series', 'merge', r8, r7], env)];
    const afterMerge = await forecasts();

    expect([...splits, ...merges].map((run) => [run.code, run.stdout.includes('stored')])).toEqual(
      Array.from({ length: 4 }, () => [0, true]),
    );
    expect(seriesOf7.series?.rounds).toHaveLength(2);
    expect(afterSplit).toEqual([[r7, seriesOf7.series?.id]]);
    expect(afterMerge.map(([id]) => id)).toEqual([r8]);
  });
});
