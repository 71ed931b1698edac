import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../shared/clock.js';
import { forecastNextRound } from '../../shared/domain/forecast.js';
import { roundOf, seriesIdFor, type Series } from '../../shared/domain/series.js';
import { statusAt } from '../../shared/domain/status.js';
import { InvalidInputError } from '../../shared/errors.js';
import { foldForMatch } from '../../shared/ja/normalize.js';
import { queryTermsOf, termOccursIn } from '../../shared/search/analyze.js';
import type { SearchQuery } from '../../shared/search/query.js';
import {
  searchForecastOf,
  toSearchDoc,
  type SearchDoc,
  type SearchIndex,
  type SearchPage,
} from '../../shared/search/search-index.js';
import { makeItem } from './factories.js';
import {
  contractTimes,
  fixtureId,
  forecastFixtureCorpus,
  mixedScriptCorpus,
  searchFixtureCorpus,
} from './search-corpus.js';
import { checkAgainstBruteForce } from './search-index.property.js';
import {
  amountOrder,
  amountWanted,
  bruteFacets,
  deadlineOrderAt,
  expectedOrder,
  isExpected,
  markedSegments,
  newestOrder,
  statusWanted,
} from './search-truth.js';

/** What a contract run needs from an adapter: a fresh, empty index and a way to dispose of it. */
export interface ContractIndex {
  readonly index: SearchIndex;
  close(): Promise<void>;
}

export type MakeContractIndex = (clock: FixedClock) => Promise<ContractIndex>;

type Query = Omit<SearchQuery, 'cursor'>;

/** Brute force over the fixture corpus: the truth every engine is checked against. */
function bruteForce(corpus: readonly SearchDoc[], q: Query, now: Date): SearchDoc[] {
  const terms = queryTermsOf(q.text);
  const inRange = (value: string | undefined, r: { from?: string; to?: string } | undefined): boolean => {
    if (!r) return true;
    if (value === undefined) return false;
    const t = Date.parse(value);
    return (r.from === undefined || t >= Date.parse(r.from)) && (r.to === undefined || t <= Date.parse(r.to));
  };
  return corpus.filter((doc) => {
    if (doc.withdrawn && !q.includeWithdrawn) return false;
    const fields = [doc.title, doc.summary ?? '', doc.bodyText ?? ''].map(foldForMatch);
    if (!terms.every((term) => fields.some((f) => termOccursIn(f, term)))) return false;
    if (q.kinds && !q.kinds.includes(doc.kind)) return false;
    if (q.ministries && (doc.ministry === undefined || !q.ministries.includes(doc.ministry))) return false;
    if (q.prefectures && !doc.prefectures.some((p) => q.prefectures?.includes(p))) return false;
    if (q.regions && !doc.regions.some((r) => q.regions?.includes(r))) return false;
    if (q.fields && !doc.fields.some((f) => q.fields?.includes(f))) return false;
    if (q.applicants && !doc.applicants.some((a) => q.applicants?.includes(a))) return false;
    if (!statusWanted(doc, q.statuses, now) || !amountWanted(doc, q.amountMin, q.amountMax)) return false;
    return (
      inRange(doc.opensAt, q.opens) &&
      inRange(doc.closesAt, q.closes) &&
      inRange(doc.publishedAt, q.published) &&
      inRange(doc.updatedAt, q.updated)
    );
  });
}

const ids = (page: SearchPage): string[] => page.items.map((hit) => hit.doc.id);
const sorted = (values: readonly string[]): string[] => [...values].sort();

/** A fresh index holding `docs` for the enclosing `describe` block: made before its tests, closed after them. */
function indexHolding(
  makeIndex: MakeContractIndex,
  clock: FixedClock,
  docs: readonly SearchDoc[],
): () => ContractIndex {
  let subject: ContractIndex | undefined;
  beforeAll(async () => {
    subject = await makeIndex(clock);
    await subject.index.ensureIndex();
    if (docs.length > 0) await subject.index.upsert(docs);
  });
  afterAll(async () => {
    await subject?.close();
  });
  return () => subject as ContractIndex;
}

/**
 * The SearchIndex contract: both engines must behave the same on the fixture corpus. Run with a
 * factory that returns a fresh, empty index bound to the given clock; `propertyRuns` random
 * corpora go through the brute-force property (search-index.property.ts).
 */
export function searchIndexContract(
  name: string,
  makeIndex: MakeContractIndex,
  { propertyRuns = 100 }: { readonly propertyRuns?: number } = {},
): void {
  describe(`SearchIndex contract: ${name}`, () => {
    const corpus = forecastFixtureCorpus();
    const clock = new FixedClock(contractTimes.middle);
    let subject: ContractIndex;
    let index: SearchIndex;

    async function all(q: Query, size = 7): Promise<{ pages: SearchPage[]; ids: string[] }> {
      const pages: SearchPage[] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 100; guard++) {
        const page = await index.search({ ...q, size, cursor });
        pages.push(page);
        cursor = page.nextCursor;
        if (cursor === undefined) break;
      }
      return { pages, ids: pages.flatMap(ids) };
    }

    async function expectMatchesBruteForce(q: Query): Promise<SearchDoc[]> {
      const expected = bruteForce(corpus, q, clock.now());
      const page = await index.search({ ...q, size: 100 });
      expect(sorted(ids(page))).toEqual(sorted(expected.map((d) => d.id)));
      expect(page.total).toBe(expected.length);
      expect(page.totalIsLowerBound).toBe(false);
      return expected;
    }

    beforeAll(async () => {
      subject = await makeIndex(clock);
      index = subject.index;
      await index.ensureIndex();
      await index.ensureIndex();
      await index.upsert(corpus.slice(0, 20));
      await index.upsert(corpus.slice(15));
    });

    afterAll(async () => {
      await subject?.close();
    });

    it('counts every document once, withdrawn ones included', async () => {
      expect(await index.count()).toBe(corpus.length);
    });

    it('finds a two-character Japanese query (研究) wherever it stands', async () => {
      const expected = await expectMatchesBruteForce({ text: '研究' });

      expect(expected.map((d) => d.id)).toEqual(
        expect.arrayContaining([fixtureId('kenkyu-1'), fixtureId('kenkyu-3'), fixtureId('chiiki-body')]),
      );
    });

    it('finds a single kanji that stands inside longer words', async () => {
      const expected = await expectMatchesBruteForce({ text: '水' });

      expect(expected.map((d) => d.id)).toContain(fixtureId('single-char'));
    });

    it('finds a long Japanese query, each run as a phrase', async () => {
      const page = await index.search({ text: '地域イノベーション・エコシステム形成プログラム' });

      expect(ids(page)).toEqual([fixtureId('sangakukan')]);
    });

    it('matches 産学官 only where the three characters stand together', async () => {
      const page = await index.search({ text: '産学官' });

      expect(ids(page)).toEqual([fixtureId('sangakukan')]);
      expect(ids(page)).not.toContain(fixtureId('apart'));
      expect(ids(await index.search({ text: '産学連携' }))).toContain(fixtureId('apart'));
    });

    it.each(['ＩｏＴ', 'IoT', 'iot', 'IOT'])('treats %s as the same word, and only as a whole word', async (text) => {
      const page = await index.search({ text });

      expect(sorted(ids(page))).toEqual(sorted([fixtureId('iot-fullwidth'), fixtureId('iot-ascii')]));
    });

    it('matches half-width katakana with full-width queries', async () => {
      expect(ids(await index.search({ text: 'スマート農業' }))).toEqual([fixtureId('halfwidth-kana')]);
      expect(ids(await index.search({ text: 'ｲﾉﾍﾞｰｼｮﾝ実証' }))).toEqual([fixtureId('halfwidth-kana')]);
    });

    it('requires every word of the query (AND)', async () => {
      await expectMatchesBruteForce({ text: '研究 沖縄' });
      expect(ids(await index.search({ text: '研究 沖縄' }))).toEqual([fixtureId('kenkyu-3')]);
      expect((await index.search({ text: '研究 存在しない語' })).total).toBe(0);
    });

    it('treats query syntax characters as plain text', async () => {
      for (const text of ['研究 AND OR', '"研究', 'title:研究', '研究)(*', '\\', 'R&D']) {
        const page = await index.search({ text });
        expect(page.total).toBe(bruteForce(corpus, { text }, clock.now()).length);
      }
    });

    it('lists everything under the filters for an empty query, hiding withdrawn items', async () => {
      const page = await index.search({});

      expect(page.total).toBe(corpus.filter((d) => !d.withdrawn).length);
      expect(ids(page)).not.toContain(fixtureId('withdrawn'));
    });

    it('shows withdrawn items when asked', async () => {
      await expectMatchesBruteForce({ text: '補助金', includeWithdrawn: true });
      expect(ids(await index.search({ text: '取り下げ', includeWithdrawn: true }))).toEqual([fixtureId('withdrawn')]);
      expect((await index.search({ text: '取り下げ' })).total).toBe(0);
    });

    it.each<[string, Query]>([
      ['kinds', { kinds: ['call'] }],
      ['kinds (several)', { kinds: ['news', 'theme'], text: '研究' }],
      ['ministries', { ministries: ['mext', 'jst'] }],
      ['an unknown ministry', { ministries: ['nowhere'] }],
      ['prefectures', { prefectures: ['13', '27'] }],
      ['a prefecture above 32', { prefectures: ['47', '40'] }],
      ['regions', { regions: ['kinki'] }],
      ['fields', { fields: ['環境'] }],
      ['statuses', { statuses: ['open'] }],
      ['statuses (several)', { statuses: ['upcoming', 'closed'] }],
      ['expected', { statuses: ['expected'] }],
      ['expected or open', { statuses: ['expected', 'open'] }],
      ['expected or closed', { statuses: ['closed', 'expected'], text: '公募' }],
      ['applicants', { applicants: ['sme'] }],
      ['applicants (several)', { applicants: ['nonprofit', 'university'], kinds: ['call'] }],
      ['an applicant nobody names', { applicants: ['large-company'] }],
      ['an amount range', { amountMin: 10_000_000, amountMax: 30_000_000 }],
      ['an amount floor', { amountMin: 30_000_001 }],
      ['an amount cap', { amountMax: 10_000_000, text: '公募' }],
      ['opens range', { opens: { from: '2025-04-01T00:00:00+09:00', to: '2025-06-01T00:00:00+09:00' } }],
      ['closes range', { closes: { to: '2025-05-31T00:00:00+09:00' } }],
      ['published range', { published: { from: '2025-03-01T00:00:00+09:00' } }],
      ['updated range', { updated: { to: '2025-01-31T23:59:59Z' } }],
      ['text and filters across facets', { text: '地域', kinds: ['call'], regions: ['kanto', 'hokkaido'] }],
    ])('filters by %s exactly like brute force', async (_name, q) => {
      await expectMatchesBruteForce(q);
    });

    it.each<[string, Query]>([
      ['everything', {}],
      ['a text query', { text: '研究' }],
      ['a filtered query', { text: '地域', kinds: ['call', 'news'] }],
      ['withdrawn included', { includeWithdrawn: true, prefectures: ['27', '13'] }],
      ['an applicant and amount query', { applicants: ['sme', 'university'], amountMin: 1 }],
      ['expected only', { statuses: ['expected'] }],
    ])('counts each facet over the whole match set: %s', async (_name, q) => {
      const expected = bruteForce(corpus, q, clock.now());

      const page = await index.search({ ...q, size: 3 });

      expect(page.facets).toEqual(bruteFacets(expected, clock.now()));
    });

    it.each([
      ['early', contractTimes.early],
      ['middle', contractTimes.middle],
      ['late', contractTimes.late],
    ])('derives status from the clock (%s)', async (_name, at) => {
      clock.set(at);
      try {
        for (const status of ['upcoming', 'open', 'closed'] as const) {
          await expectMatchesBruteForce({ statuses: [status] });
        }
        const page = await index.search({ kinds: ['call'], size: 100 });
        for (const hit of page.items) expect(hit.status).toBe(statusAt(hit.doc, new Date(at)));
        expect(page.facets.status).toEqual(
          bruteFacets(bruteForce(corpus, { kinds: ['call'] }, new Date(at)), new Date(at)).status,
        );
      } finally {
        clock.set(contractTimes.middle);
      }
    });

    it('fails either amount bound for a document without a known ceiling', async () => {
      const known = corpus.filter((d) => !d.withdrawn && d.amountCeiling !== undefined).map((d) => d.id);
      expect(known.length).toBeLessThan(corpus.filter((d) => !d.withdrawn).length);

      const floor = await index.search({ amountMin: 0, size: 100 });
      const cap = await index.search({ amountMax: Number.MAX_SAFE_INTEGER, size: 100 });

      expect(sorted(ids(floor))).toEqual(sorted(known));
      expect(sorted(ids(cap))).toEqual(sorted(known));
      expect(ids(floor)).not.toContain(fixtureId('expected-undated'));
    });

    it('counts an expected document under its own status and under expected', async () => {
      const page = await index.search({ text: '蓄電池' });

      expect(page.facets.status).toEqual([
        { value: 'closed', count: 1 },
        { value: 'expected', count: 1 },
      ]);
      expect(page.facets.applicant).toEqual([
        { value: 'consortium', count: 1 },
        { value: 'university', count: 1 },
      ]);
      expect((await index.search({ text: '産学官' })).facets.status).toEqual([{ value: 'open', count: 1 }]);
    });

    it.each([
      ['early', contractTimes.early],
      ['middle', contractTimes.middle],
      ['late', contractTimes.late],
    ])('lists as expected only forecast documents that are neither open nor upcoming (%s)', async (_name, at) => {
      clock.set(at);
      try {
        const expected = await expectMatchesBruteForce({ statuses: ['expected'] });
        const page = await index.search({ statuses: ['expected'], size: 100 });

        for (const hit of page.items) expect(['closed', 'unknown']).toContain(hit.status);
        expect(expected.map((d) => d.id)).toContain(fixtureId('expected-undated'));
        // Open in May, closed in September: expected only then.
        expect(expected.map((d) => d.id).includes(fixtureId('sangakukan'))).toBe(at === contractTimes.late);
        expect(page.facets.status.find((f) => f.value === 'expected')?.count).toBe(expected.length);
      } finally {
        clock.set(contractTimes.middle);
      }
    });

    it('returns the forecast, ceiling and applicants of a hit as given', async () => {
      const page = await index.search({ text: '蓄電池' });
      const doc = corpus.find((d) => d.id === fixtureId('expected-closed'));

      expect(page.items[0]?.doc).toEqual(doc);
      expect(page.items[0]?.doc.forecast?.text).toContain('見込み');
    });

    it('sorts by amount: largest ceiling first, unknown last, then newest, then id', async () => {
      const expected = bruteForce(corpus, {}, clock.now()).sort(amountOrder);

      const { ids: got } = await all({ sort: 'amount' }, 5);
      const texted = await index.search({ text: '公募', sort: 'amount', size: 100 });

      expect(got).toEqual(expected.map((d) => d.id));
      expect(ids(texted)).toEqual(
        bruteForce(corpus, { text: '公募' }, clock.now())
          .sort(amountOrder)
          .map((d) => d.id),
      );
    });

    it('sorts by expected opening: earliest forecast first, documents without one last, then newest, then id', async () => {
      const expected = bruteForce(corpus, {}, clock.now()).sort(expectedOrder);

      const { ids: got } = await all({ sort: 'expected' }, 5);
      const filtered = await index.search({ statuses: ['expected'], sort: 'expected', size: 100 });

      expect(got).toEqual(expected.map((d) => d.id));
      expect(ids(filtered)).toEqual(
        bruteForce(corpus, { statuses: ['expected'] }, clock.now())
          .sort(expectedOrder)
          .map((d) => d.id),
      );
      expect(got[0]).toBe(fixtureId('expected-undated'));
    });

    it('sorts by newest: publishedAt desc, missing last, then updatedAt, then id', async () => {
      const expected = bruteForce(corpus, {}, clock.now()).sort(newestOrder);

      const { ids: got } = await all({ sort: 'newest' }, 100);

      expect(got).toEqual(expected.map((d) => d.id));
    });

    it.each([
      ['early', contractTimes.early],
      ['middle', contractTimes.middle],
      ['late', contractTimes.late],
    ])(
      'sorts by deadline: open by soonest deadline, upcoming by opening, closed most recent first, undated last (%s)',
      async (_name, at) => {
        clock.set(at);
        try {
          const expected = bruteForce(corpus, {}, new Date(at)).sort(deadlineOrderAt(new Date(at)));

          const { ids: got } = await all({ sort: 'deadline' }, 5);
          const texted = await index.search({ text: '地域', sort: 'deadline', size: 100 });

          expect(got).toEqual(expected.map((d) => d.id));
          const withText = bruteForce(corpus, { text: '地域' }, new Date(at)).sort(deadlineOrderAt(new Date(at)));
          expect(ids(texted)).toEqual(withText.map((d) => d.id));
        } finally {
          clock.set(contractTimes.middle);
        }
      },
    );

    it('lists no closed call before an open or upcoming one in the deadline sort', async () => {
      const page = await index.search({ kinds: ['call'], sort: 'deadline', size: 100 });

      const statuses = page.items.map((hit) => hit.status);
      const firstClosed = statuses.indexOf('closed');
      expect(statuses[0]).toBe('open');
      expect(firstClosed).toBeGreaterThan(0);
      expect(statuses.slice(firstClosed).every((st) => st === 'closed' || st === 'unknown')).toBe(true);
      expect(page.items[0]?.doc.id).toBe(fixtureId('sangakukan'));
    });

    it('sorts by relevance: title matches before body-only matches', async () => {
      const expected = bruteForce(corpus, { text: '地域' }, clock.now());
      const inTitle = new Set<string>(
        expected.filter((d) => termOccursIn(foldForMatch(d.title), { text: '地域', cjk: true })).map((d) => d.id),
      );

      const page = await index.search({ text: '地域', sort: 'relevance', size: 100 });

      const order = ids(page);
      const lastTitle = Math.max(...order.map((id, i) => (inTitle.has(id) ? i : -1)));
      const firstOther = order.findIndex((id) => !inTitle.has(id));
      expect(inTitle.size).toBeGreaterThan(0);
      expect(firstOther === -1 || lastTitle < firstOther).toBe(true);
      expect(order).toContain(fixtureId('chiiki-body'));
    });

    it.each(['relevance', 'newest', 'deadline', 'amount', 'expected'] as const)(
      'pages with cursors without duplicates or gaps (%s)',
      async (sort) => {
        const q: Query = { text: sort === 'relevance' ? '研究' : undefined, sort };
        const whole = await index.search({ ...q, size: 100 });

        const { pages, ids: paged } = await all(q, 4);

        expect(pages.length).toBeGreaterThan(2);
        expect(new Set(paged).size).toBe(paged.length);
        expect(paged).toEqual(ids(whole));
        for (const page of pages) expect(page.total).toBe(whole.total);
        expect(pages[pages.length - 1]?.nextCursor).toBeUndefined();
      },
    );

    it('rejects a cursor it did not issue, or one made for another sort', async () => {
      await expect(index.search({ cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidInputError);
      await expect(index.search({ cursor: Buffer.from('{"x":1}').toString('base64url') })).rejects.toBeInstanceOf(
        InvalidInputError,
      );
      const first = await index.search({ sort: 'newest', size: 2 });
      expect(first.nextCursor).toBeDefined();
      await expect(index.search({ sort: 'deadline', size: 2, cursor: first.nextCursor })).rejects.toBeInstanceOf(
        InvalidInputError,
      );
    });

    it('marks the matched text in highlights, in its original form, escaping the rest', async () => {
      const iot = await index.search({ text: 'iot' });
      const hit = iot.items.find((h) => h.doc.id === fixtureId('iot-fullwidth'));
      expect(hit?.highlights.title?.flatMap(markedSegments)).toContain('ＩｏＴ');
      expect(hit?.highlights.summary?.flatMap(markedSegments)).toContain('ＩｏＴ');

      const escaped = await index.search({ text: '研究', ministries: ['mext'], kinds: ['news'] });
      const title = escaped.items.find((h) => h.doc.id === fixtureId('escape'))?.highlights.title?.[0] ?? '';
      expect(markedSegments(title)).toContain('研究');
      expect(title).toContain('&lt;script&gt;');
      expect(title).not.toContain('<script>');
      expect(title).toContain('&amp;');

      const phrase = await index.search({ text: '産学官連携' });
      for (const fragment of [
        ...(phrase.items[0]?.highlights.title ?? []),
        ...(phrase.items[0]?.highlights.summary ?? []),
      ]) {
        for (const segment of markedSegments(fragment)) expect(foldForMatch(segment)).toContain('産学官連携');
      }
      expect(phrase.items[0]?.highlights.title?.length).toBe(1);
    });

    it('returns the documents it was given and their derived status', async () => {
      const page = await index.search({ text: '産学官' });
      const doc = corpus.find((d) => d.id === fixtureId('sangakukan'));

      expect(page.items[0]?.doc).toEqual(doc);
      expect(page.items[0]?.status).toBe('open');
    });

    it('keeps count and results on a repeated upsert (idempotent)', async () => {
      await index.upsert(corpus.slice(0, 5));

      expect(await index.count()).toBe(corpus.length);
      await expectMatchesBruteForce({ text: '研究' });
    });
  });

  describe(`SearchIndex contract: ${name}, changes`, () => {
    const corpus = searchFixtureCorpus();
    const subject = indexHolding(makeIndex, new FixedClock(contractTimes.middle), corpus);

    it('reflects an updated item: new text matches, old text no longer does', async () => {
      const index = subject().index;
      const before = corpus.find((d) => d.id === fixtureId('kenkyu-3')) as SearchDoc;

      await index.upsert([{ ...before, title: '深海探査ロボットの開発', fields: ['ロボティクス'] }]);

      expect(ids(await index.search({ text: '深海探査' }))).toEqual([before.id]);
      expect(ids(await index.search({ text: '海洋資源' }))).not.toContain(before.id);
      expect((await index.search({ fields: ['ロボティクス'] })).facets.field).toContainEqual({
        value: 'ロボティクス',
        count: 1,
      });
      expect(await index.count()).toBe(corpus.length);
    });

    it('forgets a removed item and ignores unknown ids', async () => {
      const index = subject().index;
      const gone = fixtureId('sangakukan');

      await index.remove([gone, fixtureId('never-indexed')]);

      expect((await index.search({ text: '産学官' })).total).toBe(0);
      expect(ids(await index.search({ size: 100 }))).not.toContain(gone);
      expect(await index.count()).toBe(corpus.length - 1);
    });

    it('withdraws an item through an upsert with withdrawn set', async () => {
      const index = subject().index;
      const doc = corpus.find((d) => d.id === fixtureId('iot-ascii')) as SearchDoc;

      await index.upsert([{ ...doc, withdrawn: true }]);

      expect(ids(await index.search({ text: 'iot' }))).toEqual([fixtureId('iot-fullwidth')]);
      expect(sorted(ids(await index.search({ text: 'iot', includeWithdrawn: true })))).toEqual(
        sorted([fixtureId('iot-fullwidth'), doc.id]),
      );
    });
  });

  describe(`SearchIndex contract: ${name}, forecasts of program series`, () => {
    // Three closed rounds of one program: the newest carries the forecast of the fourth.
    const rounds = ['令和4年度', '令和5年度', '令和6年度'].map((label, i) =>
      makeItem({
        title: `${label} 地域産学連携拠点形成事業の公募`,
        url: `https://fixtures.chiiki-portal.test/series-${i}`,
        canonicalUrl: `https://fixtures.chiiki-portal.test/series-${i}`,
        publishedAt: `${2022 + i}-03-20T10:00:00+09:00`,
        opensAt: `${2022 + i}-04-0${1 + i}T00:00:00+09:00`,
        closesAt: `${2022 + i}-05-30T17:00:00+09:00`,
        applicants: { types: ['university'], evidence: [{ type: 'university', phrase: '大学', from: 'eligibility' }] },
        amount: {
          maxPerProjectYen: 20_000_000,
          evidence: [{ field: 'maxPerProjectYen', phrase: '2,000万円', from: 'detail' }],
        },
      }),
    );
    const seriesRounds = rounds.map(roundOf);
    const series: Series = {
      id: seriesIdFor(rounds[0]?.id ?? ''),
      name: '地域産学連携拠点形成事業',
      publisher: '文部科学省',
      rounds: seriesRounds,
      evidence: [],
      forecast: forecastNextRound(
        seriesRounds.map((r) => ({ itemId: r.itemId, label: r.label, opensAt: r.opensAt, closesAt: r.closesAt })),
      ),
      updatedAt: '2024-06-01T00:00:00+09:00',
    };
    const docs = rounds.map((item) => toSearchDoc(item, series));
    const clock = new FixedClock(contractTimes.middle);
    const subject = indexHolding(makeIndex, clock, docs);
    const newestDoc = docs[2] as SearchDoc;
    const newest = newestDoc.id;

    it('puts the forecast on the newest round only, and lists only that round as expected', async () => {
      expect(series.forecast.status).toBe('expected');
      expect(docs.map((d) => d.forecast !== undefined)).toEqual([false, false, true]);

      const page = await subject().index.search({ statuses: ['expected'], size: 100 });

      expect(ids(page)).toEqual([newest]);
      expect(page.items[0]?.doc.forecast).toEqual(searchForecastOf({ id: newest }, series));
      expect(page.items[0]?.doc.amountCeiling).toBe(20_000_000);
      expect(page.facets.applicant).toEqual([{ value: 'university', count: 1 }]);
      expect(isExpected(newestDoc, clock.now())).toBe(true);
    });

    it('does not list as expected a series round that is open again', async () => {
      const reopened = { ...newestDoc, closesAt: '2025-06-30T17:00:00+09:00' };
      await subject().index.upsert([reopened]);

      const page = await subject().index.search({ statuses: ['expected'] });
      const all = await subject().index.search({ size: 100 });

      expect(page.total).toBe(0);
      expect(all.facets.status.find((f) => f.value === 'expected')).toBeUndefined();
      await subject().index.upsert([newestDoc]);
      expect(ids(await subject().index.search({ statuses: ['expected'] }))).toEqual([newest]);
    });
  });

  describe(`SearchIndex contract: ${name}, words typed across scripts`, () => {
    const corpus = mixedScriptCorpus();
    const clock = new FixedClock(contractTimes.middle);
    const subject = indexHolding(makeIndex, clock, corpus);
    const hitIds = async (text: string): Promise<string[]> => sorted(ids(await subject().index.search({ text })));

    it.each(['ＤＸ推進', 'DX推進', 'dx推進', 'ｄｘ推進'])(
      'finds %s as one phrase, in titles and bodies, not its parts apart or reversed',
      async (text) => {
        const keys = ['mixed-title-full', 'mixed-title-half', 'mixed-body', 'mixed-spaced'];

        expect(await hitIds(text)).toEqual(sorted(keys.map(fixtureId)));
      },
    );

    it.each(['IoT化', 'ＩｏＴ化', 'iot化'])('finds %s where 化 starts the run after the word', async (text) => {
      expect(await hitIds(text)).toEqual(sorted([fixtureId('mixed-iot'), fixtureId('mixed-iot-full')]));
    });

    it('keeps the order of the parts: 推進DX is another phrase', async () => {
      expect(await hitIds('推進ＤＸ')).toEqual([fixtureId('mixed-reversed')]);
      expect(await hitIds('地域ＤＸ推進')).toEqual([fixtureId('mixed-title-full')]);
    });

    it('requires a mixed word beside other words, like brute force', async () => {
      for (const text of ['DX推進 支援', 'IoT化 製造', 'DX 推進', '推進', 'DXの推進', 'IoT 化学']) {
        const expected = bruteForce(corpus, { text }, clock.now());
        const page = await subject().index.search({ text, size: 100 });
        expect(sorted(ids(page))).toEqual(sorted(expected.map((d) => d.id)));
        expect(page.total).toBe(expected.length);
      }
    });

    it('marks the whole mixed word in its original width', async () => {
      const dx = await subject().index.search({ text: 'dx推進' });
      const marked = (key: string, field: 'title' | 'bodyText'): string[] =>
        dx.items.find((h) => h.doc.id === fixtureId(key))?.highlights[field]?.flatMap(markedSegments) ?? [];
      expect(marked('mixed-title-full', 'title')).toEqual(['ＤＸ推進']);
      expect(marked('mixed-title-half', 'title')).toEqual(['DX推進']);
      expect(marked('mixed-body', 'bodyText')).toEqual(['DX推進']);

      const iot = await subject().index.search({ text: 'IoT化' });
      const full = iot.items.find((h) => h.doc.id === fixtureId('mixed-iot-full'));
      expect(full?.highlights.bodyText?.flatMap(markedSegments)).toEqual(['ＩｏＴ化']);
      expect(full?.highlights.title).toBeUndefined();
    });
  });

  describe(`SearchIndex contract: ${name}, random corpora against brute force`, () => {
    const clock = new FixedClock(contractTimes.middle);
    const subject = indexHolding(makeIndex, clock, []);

    it(`answers ${propertyRuns} random corpora and queries like a scan of the documented rules`, async () => {
      await checkAgainstBruteForce(subject().index, clock, propertyRuns);

      expect(await subject().index.count()).toBe(0);
    });
  });
}
