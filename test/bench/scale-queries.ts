import { FixedClock } from '../../shared/clock.js';
import type { SearchQuery } from '../../shared/search/query.js';
import type { SearchPage } from '../../shared/search/search-index.js';
import { seededRandom } from '../support/search-corpus.js';

/**
 * The scale benchmark's searches, shaped as the API sends them (20 per page, facets on every
 * answer): a new text on every call, drawn from the corpus's vocabulary, so neither engine answers
 * from a cache of the same request.
 */

/** The clock of every scale search: mid-2025, inside the corpus's date span, so statuses vary. */
export const scaleClock = new FixedClock('2025-05-15T03:00:00.000Z');

export const queryClasses = ['plain', 'filtered', 'faceted', 'sorted', 'page-10'] as const;
export type QueryClass = (typeof queryClasses)[number];

const terms = [
  '半導体',
  '蓄電池',
  '水素',
  '量子技術',
  'ロボット',
  '再生医療',
  '脱炭素',
  'スマートシティ',
  'ドローン',
  '創薬',
];
const phrases = ['研究開発', '実証事業', '産学官連携', '地域イノベーション', '人材育成', '共同研究', '社会実装'];
const prefectureSets = [['13'], ['27', '28'], ['01'], ['40', '43', '46'], ['23', '22']];
const ministrySets = [['mext', 'jst'], ['meti', 'nedo'], ['maff'], ['mhlw', 'amed']];

/** The searches of one round: a few per class, texts varying with `round`. */
export function scaleQueries(round: number): { cls: QueryClass; q: SearchQuery }[] {
  const random = seededRandom(7_919 * (round + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  return [
    { cls: 'plain', q: { text: pick(terms) } },
    { cls: 'plain', q: { text: pick(phrases) } },
    { cls: 'plain', q: { text: `${pick(terms)} ${pick(['公募', '補助金', '募集'])}` } },
    { cls: 'filtered', q: { text: pick(phrases), kinds: ['call'], statuses: ['open'] } },
    { cls: 'filtered', q: { text: pick(terms), prefectures: pick(prefectureSets) } },
    { cls: 'filtered', q: { text: pick(phrases), ministries: pick(ministrySets), fields: ['環境', 'エネルギー'] } },
    { cls: 'faceted', q: round % 2 === 0 ? {} : { kinds: ['call'] } },
    { cls: 'faceted', q: { text: pick(['公募', '研究', '地域']) } },
    { cls: 'sorted', q: { text: pick(terms), sort: 'newest' } },
    { cls: 'sorted', q: { text: pick(phrases), statuses: ['open', 'upcoming'], sort: 'deadline' } },
    { cls: 'page-10', q: { text: pick(['研究', '地域', '事業']), sort: 'newest' } },
  ];
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

export interface ClassLatency {
  readonly samples: number;
  readonly p50: number;
  readonly p99: number;
}

/**
 * Times `rounds` rounds of `scaleQueries` through `search` (after one untimed warm-up round).
 * A page-10 search first walks pages 1–9 untimed and times page 10 only.
 */
export async function timeQueries(
  search: (q: SearchQuery) => Promise<SearchPage>,
  rounds: number,
): Promise<Record<QueryClass | 'all', ClassLatency>> {
  const samples: Record<string, number[]> = {};
  for (let round = -1; round < rounds; round++) {
    for (const { cls, q } of scaleQueries(round + 1)) {
      let cursor: string | undefined;
      if (cls === 'page-10') {
        for (let page = 0; page < 9; page++) cursor = (await search({ ...q, size: 20, cursor })).nextCursor;
      }
      const started = performance.now();
      await search({ ...q, size: 20, cursor });
      const ms = performance.now() - started;
      if (round >= 0) {
        (samples[cls] ??= []).push(ms);
        (samples['all'] ??= []).push(ms);
      }
    }
  }
  const out: Record<string, ClassLatency> = {};
  for (const [cls, values] of Object.entries(samples)) {
    const sorted = values.sort((a, b) => a - b);
    out[cls] = { samples: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  }
  return out as Record<QueryClass | 'all', ClassLatency>;
}

/** One line per class: `plain p50 12.3 / p99 45.6 ms (n=30)`. */
export function latencyLines(lat: Record<string, ClassLatency>): string[] {
  return [...queryClasses, 'all' as const].flatMap((cls) => {
    const l = lat[cls];
    return l ? [`${cls.padEnd(8)} p50 ${l.p50.toFixed(1)} / p99 ${l.p99.toFixed(1)} ms (n=${l.samples})`] : [];
  });
}
