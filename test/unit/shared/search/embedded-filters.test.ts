import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../../../shared/clock.js';
import { statusAt } from '../../../../shared/domain/status.js';
import { queryFields, queryFilters } from '../../../../shared/search/embedded/filters.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import { SearchQuerySchema, type ParsedSearchQuery, type SearchQuery } from '../../../../shared/search/query.js';
import type { Facets, SearchDoc } from '../../../../shared/search/search-index.js';
import { contractTimes, generateCorpus } from '../../../support/search-corpus.js';
import { amountWanted, statusWanted } from '../../../support/search-truth.js';

const clock = new FixedClock(contractTimes.middle);
// Every seventh item withdrawn and every third news item or theme dated, so each filter narrows every path.
const corpus = generateCorpus(1500, 5).map((d, i) => {
  const dated = d.kind !== 'call' && i % 3 === 0;
  const closes = Date.parse(d.updatedAt) + 800 * 86_400_000;
  return {
    ...d,
    withdrawn: i % 7 === 0,
    ...(dated ? { opensAt: d.publishedAt, closesAt: new Date(closes).toISOString() } : {}),
  };
});

// Prefectures of some items holding the rare word, so the filter keeps some of them.
const wantedPrefectures = corpus
  .filter((d) => d.title.includes('ドローン') && d.prefectures.length > 0)
  .slice(0, 3)
  .flatMap((d) => d.prefectures);

/**
 * Per query field a filter claims: a value that keeps some documents and drops others, and what
 * it means for one document (the truth the engine is checked against). A filter added to the
 * registry without an example here fails the test below.
 */
const examples: Partial<Record<keyof ParsedSearchQuery, { query: SearchQuery; holds: (d: SearchDoc) => boolean }>> = {
  includeWithdrawn: { query: { includeWithdrawn: false }, holds: (d) => !d.withdrawn },
  kinds: { query: { kinds: ['news'] }, holds: (d) => d.kind === 'news' },
  statuses: {
    query: { statuses: ['open', 'expected'] },
    holds: (d) => statusWanted(d, ['open', 'expected'], clock.now()),
  },
  applicants: {
    query: { applicants: ['startup', 'nonprofit'] },
    holds: (d) => d.applicants.includes('startup') || d.applicants.includes('nonprofit'),
  },
  amountMin: { query: { amountMin: 10_000_000 }, holds: (d) => amountWanted(d, 10_000_000, undefined) },
  amountMax: {
    query: { amountMin: 2_000_000, amountMax: 50_000_000 },
    holds: (d) => amountWanted(d, 2_000_000, 50_000_000),
  },
  ministries: {
    query: { ministries: ['mext', 'jst', 'meti'] },
    holds: (d) => ['mext', 'jst', 'meti'].includes(d.ministry ?? ''),
  },
  prefectures: {
    query: { prefectures: wantedPrefectures },
    holds: (d) => d.prefectures.some((p) => wantedPrefectures.includes(p)),
  },
  regions: { query: { regions: ['kanto'] }, holds: (d) => d.regions.includes('kanto') },
  fields: { query: { fields: ['防災', '環境'] }, holds: (d) => d.fields.some((f) => f === '防災' || f === '環境') },
  opens: {
    query: { opens: { from: '2024-06-01T00:00:00Z' } },
    holds: (d) => d.opensAt !== undefined && Date.parse(d.opensAt) >= Date.parse('2024-06-01T00:00:00Z'),
  },
  closes: {
    query: { closes: { to: '2026-01-01T00:00:00Z' } },
    holds: (d) => d.closesAt !== undefined && Date.parse(d.closesAt) <= Date.parse('2026-01-01T00:00:00Z'),
  },
  published: {
    query: { published: { from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' } },
    holds: (d) =>
      d.publishedAt !== undefined &&
      Date.parse(d.publishedAt) >= Date.parse('2024-01-01T00:00:00Z') &&
      Date.parse(d.publishedAt) <= Date.parse('2025-01-01T00:00:00Z'),
  },
  updated: {
    query: { updated: { to: '2024-01-01T00:00:00Z' } },
    holds: (d) => Date.parse(d.updatedAt) <= Date.parse('2024-01-01T00:00:00Z'),
  },
};

/**
 * The engine's match paths, chosen by the query text: no text (a scan over the columns), a rare
 * word (a posting-list walk with the per-document test), a frequent word (bitmaps intersected 32
 * documents at a time), and a status filter without text (the walk over the status list).
 */
const paths: ReadonlyArray<{ name: string; text?: string; base?: SearchQuery }> = [
  { name: 'scan' },
  { name: 'posting walk', text: 'ドローン' },
  { name: 'dense bitmaps', text: '研究' },
  { name: 'dense bitmaps, long word', text: 'について' },
  { name: 'status list', base: { statuses: ['open', 'upcoming'] } },
];

const contains = (d: SearchDoc, text: string | undefined): boolean =>
  text === undefined || `${d.title}\n${d.summary ?? ''}\n${d.bodyText ?? ''}`.includes(text);

describe('the embedded engine filter registry', () => {
  it('claims every field of the query, each once', () => {
    const claimed = [...queryFields, ...queryFilters.flatMap((f) => f.claims)];
    expect([...claimed].sort()).toEqual(Object.keys(SearchQuerySchema.shape).sort());
    expect(new Set(claimed).size).toBe(claimed.length);
  });

  it('has an example for every filter, and a facet for every facet the API reports', () => {
    for (const filter of queryFilters) for (const claim of filter.claims) expect(examples[claim], claim).toBeDefined();
    const facets: Array<keyof Facets> = ['kind', 'status', 'ministry', 'prefecture', 'region', 'field', 'applicant'];
    expect(
      queryFilters
        .map((f) => f.facet)
        .filter((f) => f !== undefined)
        .sort(),
    ).toEqual([...facets].sort());
  });

  it('sees the paths it means to test', () => {
    const share = (text: string) => corpus.filter((d) => contains(d, text)).length / corpus.length;
    expect(share('ドローン')).toBeLessThan(1 / 16);
    expect(share('研究')).toBeGreaterThan(1 / 16);
    expect(share('について')).toBeGreaterThan(1 / 16);
  });

  const index = new EmbeddedSearchIndex({ clock });
  const ready = index.upsert(corpus);
  const cases = queryFilters.flatMap((filter) =>
    filter.claims.flatMap((claim) => paths.map((path) => ({ claim, path }))),
  );

  it.each(cases)(
    'narrows results by $claim on the $path.name path, in total and in facets',
    async ({ claim, path }) => {
      await ready;
      const example = examples[claim];
      if (example === undefined) throw new TypeError(`no example for ${claim}`);
      const base = { ...path.base, text: path.text, includeWithdrawn: true };
      const query = { ...base, ...example.query };
      const baseHolds = (d: SearchDoc) =>
        contains(d, path.text) &&
        // The example's statuses replace the path's own.
        (path.base?.statuses === undefined ||
          claim === 'statuses' ||
          (path.base.statuses as readonly string[]).includes(statusAt(d, clock.now())));
      const without = corpus.filter(baseHolds);
      const expected = without.filter(example.holds);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(without.length);

      const page = await index.search({ ...query, size: 100 });

      expect(page.total).toBe(expected.length);
      expect(page.facets.kind.reduce((sum, f) => sum + f.count, 0)).toBe(expected.length);
      for (const hit of page.items) expect(example.holds(hit.doc)).toBe(true);
    },
  );
});
