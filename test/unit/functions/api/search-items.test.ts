import { describe, expect, it } from 'vitest';
import { searchItemsJson, searchResponseJson, toSearchResponse } from '../../../../functions/api/search-items.js';
import { FixedClock } from '../../../../shared/clock.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import type { SearchQuery } from '../../../../shared/search/query.js';
import type { SearchPage } from '../../../../shared/search/search-index.js';
import { contractTimes, generateCorpus, searchFixtureCorpus } from '../../../support/search-corpus.js';

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
  });
});

describe('searchItemsJson', () => {
  it('answers a query string with the serialised search response', async () => {
    const index = await fixtureIndex();

    const text = await searchItemsJson({ search: index }, { rawQueryString: 'q=%E7%94%A3%E5%AD%A6%E5%AE%98&size=5' });

    expect(text).toBe(JSON.stringify(toSearchResponse(await index.search({ text: '産学官', size: 5 }))));
  });
});
