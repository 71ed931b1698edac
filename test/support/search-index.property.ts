import fc from 'fast-check';
import { expect } from 'vitest';
import type { FixedClock } from '../../shared/clock.js';
import type { ItemKind } from '../../shared/domain/item.js';
import { foldForMatch } from '../../shared/ja/normalize.js';
import type { SearchQuery } from '../../shared/search/query.js';
import type { SearchDoc, SearchIndex } from '../../shared/search/search-index.js';
import { contractTimes, fixtureId } from './search-corpus.js';
import { amountWanted, bruteFacets, markedSegments, orderOf, statusWanted } from './search-truth.js';

/**
 * A property of the SearchIndex contract: random small corpora of Japanese and Latin text, random
 * queries (1-4 words, filters, sorts, clock times), compared with a brute-force scan written from
 * the documented rules (docs/search.md) rather than from the engines' analysis code, which it
 * only shares the folding with (NFKC + lower case).
 *
 * The vocabulary is small so that queries hit: kanji words and their pieces, kana, Latin words in
 * both widths, digits, words typed across scripts and look-alikes (biot, adx, 33). Words are
 * joined with or without separators, so texts hold longer CJK runs and new mixed words too. Every
 * folded character is CJK, `a-z0-9` or a separator, where the standard tokenizer and the
 * documented runs agree.
 */

const vocabulary = [
  ...['研究', '開発', '研究開発', '推進', '推', '進事', '地域', '事業', '化', '化学', '産学官', '産学', '連携'],
  ...['支援', '第', '期', '計画', 'の', 'を', 'した', 'スマート', 'ｽﾏｰﾄ', 'ロボット'],
  ...['DX', 'ＤＸ', 'dx', 'IoT', 'ＩｏＴ', 'iot', 'biot', 'adx', 'AI', 'ai', '5G', '５Ｇ', '3', '３', '33', '2025'],
  ...['e-Rad', 'DX推進', 'ＤＸ推進', 'IoT化', '推進DX', '第3期', 'AIロボット', '5G活用'],
];
const separators = ['', '', '', ' ', '・', '、', '　', '。'];

const word = fc.constantFrom(...vocabulary);
/** Text of `min`-`max` vocabulary words, each followed by a separator or none. */
const textOf = (min: number, max: number): fc.Arbitrary<string> =>
  fc
    .array(fc.tuple(word, fc.constantFrom(...separators)), { minLength: min, maxLength: max })
    .map((parts) => parts.map(([w, sep]) => w + sep).join(''));

const dates = [
  '2025-01-10T09:00:00+09:00',
  '2025-04-01T00:00:00+09:00',
  '2025-05-15T12:00:00+09:00',
  '2025-06-30T17:00:00+09:00',
  '2025-10-01T00:00:00+09:00',
];
const date = fc.constantFrom(...dates);
const kinds: readonly ItemKind[] = ['call', 'news', 'theme'];
const ministries = ['mext', 'meti', 'jst'];
const prefectures = ['01', '13', '27', '47'];

const applicantTypes = ['university', 'sme', 'startup', 'nonprofit'] as const;
// Few values, so ceilings tie and range bounds fall on them.
const ceilings = [1_000_000, 5_000_000, 30_000_000];
const forecastDays = ['2025-04-01', '2025-07-01', '2026-04-01'];

const docSpec = fc.record({
  kind: fc.constantFrom(...kinds),
  title: textOf(1, 5),
  summary: fc.option(textOf(0, 6), { nil: undefined }),
  bodyText: fc.option(textOf(1, 10), { nil: undefined }),
  ministry: fc.option(fc.constantFrom(...ministries), { nil: undefined }),
  prefectures: fc.subarray(prefectures),
  fields: fc.subarray(['環境', '情報通信']),
  publishedAt: fc.option(date, { nil: undefined }),
  opensAt: fc.option(date, { nil: undefined }),
  closesAt: fc.option(date, { nil: undefined }),
  updatedAt: date,
  withdrawn: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  applicants: fc.subarray([...applicantTypes]),
  amountCeiling: fc.option(fc.constantFrom(...ceilings), { nil: undefined }),
  forecast: fc.option(
    fc.tuple(fc.constantFrom(...forecastDays), fc.nat(9)).map(([from, n]) => ({
      seriesId: `series-${n}`,
      opens: { from, to: from },
      text: `次回の公募は${from}頃に開始の見込み`,
    })),
    { nil: undefined, freq: 3 },
  ),
});

const corpusOf = fc.array(docSpec, { minLength: 1, maxLength: 10 }).map((specs) =>
  specs.map(({ amountCeiling, forecast, ...spec }, i): SearchDoc => ({
    ...spec,
    ...(amountCeiling === undefined ? {} : { amountCeiling }),
    ...(forecast === undefined ? {} : { forecast }),
    id: fixtureId(`property-${i}`),
    url: `https://fixtures.chiiki-portal.test/property-${i}`,
    publisher: spec.ministry ?? 'fixture',
    regions: [],
    sources: ['fixture'],
  })),
);

type PropertyQuery = Omit<SearchQuery, 'cursor' | 'size'> & {
  sort: 'relevance' | 'newest' | 'deadline' | 'amount' | 'expected';
};

/** A filter value in about one query of four. */
const sometimes = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: arb, weight: 1 });

/**
 * A piece of some document's text, so queries hit: a run of it (a whole CJK run or word, or the
 * start, end or middle of a CJK run), or a raw slice that may cut words and runs anywhere.
 */
const pieceOf = (corpus: readonly SearchDoc[]): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.constantFrom(...corpus),
      fc.constantFrom('title', 'summary', 'bodyText'),
      fc.nat(),
      fc.nat(),
      fc.integer({ min: 1, max: 6 }),
      fc.constantFrom('run', 'start', 'end', 'middle', 'pair', 'pair', 'pair', 'slice'),
    )
    .map(([doc, field, at, from, length, how]) => {
      const text = doc[field] ?? doc.title;
      if (how === 'slice') return text.slice(at % text.length, (at % text.length) + length);
      const runs = tokensOf(foldForMatch(text));
      const run = runs[at % Math.max(1, runs.length)]?.text ?? text;
      const cut = 1 + (from % Math.max(1, run.length - 1));
      const inner = (t: string): string => t.slice(from % t.length, (from % t.length) + length);
      if (how === 'run' || run.length < 2) return run;
      if (how === 'start') return run.slice(0, cut);
      if (how === 'end') return run.slice(cut);
      if (how === 'middle') return inner(run);
      // Two neighbouring runs of different scripts typed as one word: a mixed word that may or may not match.
      const first = runs.findIndex((t, i) => i >= at % runs.length && t.cjk !== runs[i + 1]?.cjk);
      const next = first < 0 ? undefined : runs[first + 1];
      const part = (t: Token): string => {
        if (!t.cjk || t.text.length < 2) return t.text;
        const c = 1 + (length % (t.text.length - 1));
        return [t.text, t.text.slice(0, c), t.text.slice(c), inner(t.text)][from % 4] as string;
      };
      return next === undefined ? run : part(runs[first] as Token) + part(next);
    });

/** Queries for a corpus: 1-4 vocabulary words or pieces of the corpus, typed with or without spaces; filters; a sort. */
const queryFor = (corpus: readonly SearchDoc[]): fc.Arbitrary<PropertyQuery> =>
  fc.record({
    text: fc.oneof(
      {
        arbitrary: fc
          .oneof(
            { arbitrary: fc.constant(1), weight: 4 },
            { arbitrary: fc.constant(2), weight: 2 },
            { arbitrary: fc.integer({ min: 3, max: 4 }), weight: 1 },
          )
          .chain((n) =>
            fc.array(fc.tuple(fc.oneof(word, pieceOf(corpus), pieceOf(corpus)), fc.constantFrom('', ' ', ' ', '　')), {
              minLength: n,
              maxLength: n,
            }),
          )
          .map((parts) => parts.map(([w, sep]) => w + sep).join('')),
        weight: 3,
      },
      { arbitrary: fc.constant(undefined), weight: 1 },
    ),
    kinds: sometimes(fc.subarray([...kinds], { minLength: 1 })),
    ministries: sometimes(fc.subarray(ministries, { minLength: 1 })),
    prefectures: sometimes(fc.subarray(prefectures, { minLength: 1 })),
    statuses: sometimes(
      fc.subarray(['upcoming', 'open', 'closed', 'expected'] as const, { minLength: 1 }).map((l) => [...l]),
    ),
    applicants: sometimes(fc.subarray([...applicantTypes], { minLength: 1 })),
    amountMin: sometimes(fc.constantFrom(0, ...ceilings)),
    amountMax: sometimes(fc.constantFrom(...ceilings, 100_000_000)),
    includeWithdrawn: fc.boolean(),
    sort: fc.constantFrom('relevance', 'newest', 'deadline', 'amount', 'expected'),
  });

// ---- the documented rules, written out ------------------------------------------------------

interface Token {
  readonly text: string;
  readonly cjk: boolean;
  readonly start: number;
  readonly end: number;
}

const tokenPattern = /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}ー]+)|([a-z0-9]+)/gu;

/** Runs of folded text: CJK runs and Latin words; anything else separates. */
function tokensOf(folded: string): Token[] {
  return [...folded.matchAll(tokenPattern)].map((m) => ({
    text: m[0],
    cjk: m[1] !== undefined,
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/** Query words: runs typed without a separator between them form one word. */
function queryWords(text: string | undefined): Token[][] {
  const words: Token[][] = [];
  let previous: Token | undefined;
  for (const token of tokensOf(foldForMatch(text ?? ''))) {
    if (previous !== undefined && previous.end === token.start) words[words.length - 1]?.push(token);
    else words.push([token]);
    previous = token;
  }
  return words;
}

/**
 * Whether a query word stands in one field's runs: one CJK run inside a CJK run; one Latin word
 * equal to a word; a word across scripts as consecutive runs, Latin parts equal, a CJK part ending
 * its run when a part follows and starting it when one precedes.
 */
function wordIn(field: readonly Token[], parts: readonly Token[]): boolean {
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only)
    return field.some((t) => t.cjk === only.cjk && (only.cjk ? t.text.includes(only.text) : t.text === only.text));
  return field.some((_, i) =>
    parts.every((part, k) => {
      const t = field[i + k];
      if (t === undefined || t.cjk !== part.cjk) return false;
      if (!part.cjk) return t.text === part.text;
      const first = k === 0;
      const last = k === parts.length - 1;
      if (first) return t.text.endsWith(part.text);
      if (last) return t.text.startsWith(part.text);
      return t.text === part.text;
    }),
  );
}

function bruteForce(corpus: readonly SearchDoc[], q: PropertyQuery, now: Date): SearchDoc[] {
  const words = queryWords(q.text);
  return corpus.filter((doc) => {
    if (doc.withdrawn && !q.includeWithdrawn) return false;
    const fields = [doc.title, doc.summary ?? '', doc.bodyText ?? ''].map((f) => tokensOf(foldForMatch(f)));
    if (!words.every((w) => fields.some((f) => wordIn(f, w)))) return false;
    if (q.kinds && !q.kinds.includes(doc.kind)) return false;
    if (q.ministries && (doc.ministry === undefined || !q.ministries.includes(doc.ministry))) return false;
    if (q.prefectures && !doc.prefectures.some((p) => q.prefectures?.includes(p))) return false;
    if (q.applicants && !doc.applicants.some((a) => q.applicants?.includes(a))) return false;
    return amountWanted(doc, q.amountMin, q.amountMax) && statusWanted(doc, q.statuses, now);
  });
}

/**
 * Checks `runs` random corpora, each with a few random queries, against the brute force on one
 * index: the corpus is written, searched, then removed again, so the index ends empty.
 */
export async function checkAgainstBruteForce(index: SearchIndex, clock: FixedClock, runs: number): Promise<void> {
  const times = Object.values(contractTimes);
  await fc.assert(
    fc.asyncProperty(
      corpusOf.chain((corpus) =>
        fc.tuple(
          fc.constant(corpus),
          fc.array(fc.tuple(queryFor(corpus), fc.constantFrom(...times)), { minLength: 1, maxLength: 4 }),
        ),
      ),
      async ([corpus, queries]) => {
        await index.upsert(corpus);
        try {
          for (const [q, at] of queries) {
            clock.set(at);
            const now = new Date(at);
            const expected = bruteForce(corpus, q, now);
            const page = await index.search({ ...q, size: 20 });
            const got = page.items.map((hit) => hit.doc.id);
            if (q.sort === 'relevance') expect([...got].sort()).toEqual(expected.map((d) => d.id).sort());
            else expect(got).toEqual([...expected].sort(orderOf(q.sort, now)).map((d) => d.id));
            expect(page.total).toBe(expected.length);
            expect(page.facets).toEqual(bruteFacets(expected, now));
            if (queryWords(q.text).length === 0) continue;
            for (const hit of page.items) {
              const { title = [], summary = [], bodyText = [] } = hit.highlights;
              expect([...title, ...summary, ...bodyText].flatMap(markedSegments).length).toBeGreaterThan(0);
            }
          }
        } finally {
          await index.remove(corpus.map((d) => d.id));
          clock.set(contractTimes.middle);
        }
      },
    ),
    // Shrinking against a real node is slow: after a minute the failure found so far is reported as it is.
    { numRuns: runs, interruptAfterTimeLimit: 60_000 },
  );
}
