import { describe, expect, it } from 'vitest';
import { searchItemsJson, searchResponseJson, toSearchResponse } from '../../../../functions/api/search-items.js';
import { FixedClock } from '../../../../shared/clock.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import type { SearchQuery } from '../../../../shared/search/query.js';
import type { SearchDoc, SearchPage } from '../../../../shared/search/search-index.js';
import { SearchResponseSchema } from '../../../../functions/api/schemas.js';
import { contractTimes, generateCorpus, searchFixtureCorpus } from '../../../support/search-corpus.js';
import { forecastCallDoc } from './api-test-deps.js';

async function fixtureIndex(): Promise<EmbeddedSearchIndex> {
  const index = new EmbeddedSearchIndex({ clock: new FixedClock(contractTimes.middle) });
  await index.upsert([...searchFixtureCorpus(), ...generateCorpus(300)]);
  return index;
}

const queries: SearchQuery[] = [
  { sort: 'newest', size: 20 },
  { text: '産学官', size: 5 },
  { text: 'ＩｏＴ <b>&"\'/', size: 10 },
  { text: '研究 地域', statuses: ['open', 'closed'], size: 50 },
  { text: '補助金', kinds: ['call'], sort: 'deadline', size: 3 },
  { prefectures: ['13'], includeWithdrawn: true, size: 100 },
  { text: 'no such words anywhere', size: 10 },
];

describe('searchResponseJson', () => {
  it.each(queries)('writes the same JSON as serialising the response object, for %j', async (query) => {
    const index = await fixtureIndex();
    const page = await index.search(query);

    const text = searchResponseJson(page);

    expect(text).toBe(JSON.stringify(toSearchResponse(page)));
  });

  it('writes the same JSON again when the engine hands out the same documents for another page', async () => {
    const index = await fixtureIndex();
    await index.search({ text: '研究', size: 30 });
    const page = await index.search({ text: '研究 開発', size: 30 });

    const text = searchResponseJson(page);

    expect(text).toBe(JSON.stringify(toSearchResponse(page)));
  });

  it('leaves out absent optional fields and nextCursor on the last page', () => {
    const page: SearchPage = {
      total: 1,
      totalIsLowerBound: false,
      items: [
        {
          doc: {
            id: 'abc' as SearchPage['items'][number]['doc']['id'],
            kind: 'news',
            title: 'タイトル "quoted" \u2028',
            url: 'https://example.test/a',
            publisher: '文部科学省',
            prefectures: [],
            regions: [],
            fields: [],
            updatedAt: '2025-05-01T00:00:00+09:00',
            withdrawn: false,
            sources: ['mext'],
            applicants: [],
          },
          status: 'unknown',
          highlights: { title: ['<mark>タイトル</mark>'] },
        },
      ],
      facets: {
        kind: [{ value: 'news', count: 1 }],
        status: [],
        ministry: [],
        prefecture: [],
        region: [],
        field: [],
        applicant: [],
      },
    };

    const parsed: unknown = JSON.parse(searchResponseJson(page));

    expect(searchResponseJson(page)).toBe(JSON.stringify(toSearchResponse(page)));
    expect(parsed).not.toHaveProperty('nextCursor');
    expect(parsed).toMatchObject({ items: [{ id: 'abc', status: 'unknown' }] });
    expect((parsed as { items: object[] }).items[0]).not.toHaveProperty('summary');
    expect((parsed as { items: object[] }).items[0]).not.toHaveProperty('amountCeiling');
    expect((parsed as { items: object[] }).items[0]).not.toHaveProperty('forecast');
    expect(parsed).toMatchObject({ items: [{ applicants: [] }], facets: { applicant: [] } });
  });

  it('carries who may apply, the ceiling, the forecast and the applicant facet, as the response schema describes them', () => {
    const page = pageOf(forecastCallDoc());

    const text = searchResponseJson(page);
    const parsed = SearchResponseSchema.parse(JSON.parse(text));

    expect(text).toBe(JSON.stringify(toSearchResponse(page)));
    expect(parsed.items[0]).toMatchObject({
      applicants: ['university', 'sme'],
      amountCeiling: 30_000_000,
      forecast: {
        seriesId: 'se_0123456789abcdef01234567',
        opens: { from: '2027-03-25', to: '2027-04-15' },
        closes: { from: '2027-05-23', to: '2027-06-14' },
        text: '次回の受付開始は2027年3月25日〜2027年4月15日頃の見込み（根拠: 過去3回の受付開始日）',
      },
    });
    expect(parsed.facets.applicant).toEqual([
      { value: 'university', count: 1 },
      { value: 'sme', count: 1 },
    ]);
  });

  it('writes a forecast without an expected deadline window without closes', () => {
    const page = pageOf(
      forecastCallDoc({
        forecast: { seriesId: 'se_0', opens: { from: '2027-04-01', to: '2027-04-30' }, text: '見込み' },
      }),
    );

    const parsed = SearchResponseSchema.parse(JSON.parse(searchResponseJson(page)));

    expect(parsed.items[0]?.forecast).toEqual({
      seriesId: 'se_0',
      opens: { from: '2027-04-01', to: '2027-04-30' },
      text: '見込み',
    });
  });
});

/** One page holding `doc` as a closed hit, with the applicant facet an engine would count for it. */
function pageOf(doc: SearchDoc): SearchPage {
  return {
    total: 1,
    totalIsLowerBound: false,
    items: [{ doc, status: 'closed', highlights: {} }],
    facets: {
      kind: [{ value: 'call', count: 1 }],
      status: [{ value: 'closed', count: 1 }],
      ministry: [{ value: 'mext', count: 1 }],
      prefecture: [],
      region: [],
      field: [],
      applicant: doc.applicants.map((value) => ({ value, count: 1 })),
    },
  };
}

describe('searchItemsJson', () => {
  it('answers a query string with the serialised search response', async () => {
    const index = await fixtureIndex();

    const text = await searchItemsJson({ search: index }, { rawQueryString: 'q=%E7%94%A3%E5%AD%A6%E5%AE%98&size=5' });

    expect(text).toBe(JSON.stringify(toSearchResponse(await index.search({ text: '産学官', size: 5 }))));
  });
});
