import { deadlineGroup, deadlineRankKey, deadlineWithin } from '../deadline-rank.js';
import type { ParsedSearchQuery } from '../query.js';
import { rankDateKeys, textFieldWeights } from '../ranking.js';
import type { IndexState } from './index-state.js';

/** Every term's weight in all fields: the highest score one term adds. */
const totalFieldWeight = textFieldWeights.reduce((sum, f) => sum + f.weight, 0);

/** The documents that matched a query, with their relevance scores (empty without text). */
export interface MatchSet {
  readonly docs: Int32Array;
  readonly scores: Float64Array;
  readonly count: number;
}

/** Sort key of one hit, as the cursor carries it. Missing dates are `null`. */
export type SortValues = readonly (number | null)[];

/** Per-sort comparison of documents; negative when `a` comes first. */
export interface Ranker {
  values(d: number, score: number): SortValues;
  compare(a: number, aScore: number, b: number, bScore: number): number;
  /** Positive when document `d` comes after the cursor position. */
  afterCursor(d: number, score: number, cursor: SortValues, cursorId: string): number;
}

const desc = (x: number, y: number): number => {
  // NaN (missing) sorts last in a descending sort.
  const xm = Number.isNaN(x);
  const ym = Number.isNaN(y);
  if (xm || ym) return xm === ym ? 0 : xm ? 1 : -1;
  return y - x;
};
const asc = (x: number, y: number): number => {
  const xm = Number.isNaN(x);
  const ym = Number.isNaN(y);
  if (xm || ym) return xm === ym ? 0 : xm ? 1 : -1;
  return x - y;
};
const fromCursor = (v: number | null | undefined): number => (v === null || v === undefined ? Number.NaN : v);
const toCursor = (v: number): number | null => (Number.isNaN(v) ? null : v);

/** The date columns of `rankDateKeys`, in order. */
function rankDates(s: IndexState): Float64Array[] {
  const columns = { publishedAt: s.cols.published, updatedAt: s.cols.updated };
  return rankDateKeys.map((key) => columns[key]);
}

export function rankerFor(s: IndexState, sort: ParsedSearchQuery['sort'], now: number): Ranker {
  const idCmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const { opens, closes } = s.cols;
  if (sort === 'deadline') {
    const group = (d: number): number => deadlineGroup(opens[d] as number, closes[d] as number, now);
    const within = (d: number, g: number): number => deadlineWithin(opens[d] as number, closes[d] as number, g);
    return {
      values: (d) => {
        const g = group(d);
        return [g, toCursor(within(d, g))];
      },
      compare: (a, _as, b) => {
        const ga = group(a);
        const gb = group(b);
        return ga - gb || asc(within(a, ga), within(b, gb)) || idCmp(s.ids[a] as string, s.ids[b] as string);
      },
      afterCursor: (d, _sc, c, id) => {
        const g = group(d);
        return g - fromCursor(c[0]) || asc(within(d, g), fromCursor(c[1])) || idCmp(s.ids[d] as string, id);
      },
    };
  }
  const dates = rankDates(s);
  const newest = (a: number, b: number): number => {
    for (const col of dates) {
      const c = desc(col[a] as number, col[b] as number);
      if (c !== 0) return c;
    }
    return 0;
  };
  // Cursor values from `at` on are the date keys.
  const newestFromCursor = (d: number, c: SortValues, at: number): number => {
    for (let k = 0; k < dates.length; k++) {
      const v = desc((dates[k] as Float64Array)[d] as number, fromCursor(c[at + k]));
      if (v !== 0) return v;
    }
    return 0;
  };
  const dateValues = (d: number): Array<number | null> => dates.map((col) => toCursor(col[d] as number));
  if (sort === 'amount' || sort === 'expected') {
    // One leading value (largest ceiling first, or earliest forecast opening first; missing last), then as `newest`.
    const col = sort === 'amount' ? s.cols.ceiling : s.cols.forecastOpens;
    const lead = sort === 'amount' ? desc : asc;
    return {
      values: (d) => [toCursor(col[d] as number), ...dateValues(d)],
      compare: (a, _as, b) =>
        lead(col[a] as number, col[b] as number) || newest(a, b) || idCmp(s.ids[a] as string, s.ids[b] as string),
      afterCursor: (d, _sc, c, id) =>
        lead(col[d] as number, fromCursor(c[0])) || newestFromCursor(d, c, 1) || idCmp(s.ids[d] as string, id),
    };
  }
  if (sort === 'newest') {
    return {
      values: (d) => dateValues(d),
      compare: (a, _as, b) => newest(a, b) || idCmp(s.ids[a] as string, s.ids[b] as string),
      afterCursor: (d, _sc, c, id) => newestFromCursor(d, c, 0) || idCmp(s.ids[d] as string, id),
    };
  }
  return {
    values: (d, score) => [score, ...dateValues(d)],
    compare: (a, as, b, bs) => bs - as || newest(a, b) || idCmp(s.ids[a] as string, s.ids[b] as string),
    afterCursor: (d, sc, c, id) => fromCursor(c[0]) - sc || newestFromCursor(d, c, 1) || idCmp(s.ids[d] as string, id),
  };
}

/**
 * A published date's part of the relevance rank key: ms clamped into ±(2^42 - 1) (years 1830 to
 * 2109) and shifted to be positive, so it is an integer in [1, 2^43); a missing date is 0 (last).
 * Clamping only makes far-off dates equal keys, which the full comparison then orders.
 */
const dateSpan = 2 ** 42;
/**
 * One relevance step (a score difference of 0.5, the finest the field weights make) as a rank key
 * difference: 2^43, above any date part, so the key orders by score, then by published date. The
 * key stays an exact integer (below 2^53) while scores stay under 2^9 (`termCount` bounds them).
 */
const scoreScale = 2 ** 44;
const maxKeyedScore = 2 ** 9 - 1;

/**
 * The first `size` matches in rank order after the cursor, with a bounded heap (worst on top),
 * and whether more follow. Each match gets a numeric rank key that orders like the ranker's
 * leading keys (relevance: score, then published; newest: published; deadline: `deadlineRankKey`;
 * amount: the ceiling; expected: the forecast opening, negated),
 * missing dates last; only matches with equal keys go to the full comparison, so the
 * common case (a match that loses to the worst kept hit) is one number comparison.
 */
export function topK(
  s: IndexState,
  m: MatchSet,
  size: number,
  sort: ParsedSearchQuery['sort'],
  ranker: Ranker,
  cursor: { values: SortValues; id: string } | undefined,
  termCount: number,
  now: number,
): { page: Array<[number, number]>; more: boolean } {
  const published = rankDates(s)[0] as Float64Array;
  const { opens, closes, ceiling, forecastOpens } = s.cols;
  // 0 relevance, 1 relevance by score alone (more terms than the key has room for), 2 newest, 3 deadline,
  // 4 amount, 5 expected.
  const modes = { newest: 2, deadline: 3, amount: 4, expected: 5 } as const;
  const mode = sort === 'relevance' ? (termCount * totalFieldWeight < maxKeyedScore ? 0 : 1) : modes[sort];
  const heapDoc = new Int32Array(size);
  const heapScore = new Float64Array(size);
  const heapKey = new Float64Array(size);
  let len = 0;
  let eligible = 0;
  const hasScores = m.scores.length > 0;
  // worse(i, j): heap entry i ranks after j.
  const worse = (i: number, j: number): boolean => {
    const ki = heapKey[i] as number;
    const kj = heapKey[j] as number;
    if (ki !== kj) return ki < kj;
    return (
      ranker.compare(heapDoc[i] as number, heapScore[i] as number, heapDoc[j] as number, heapScore[j] as number) > 0
    );
  };
  const swap = (i: number, j: number): void => {
    const d = heapDoc[i] as number;
    const sc = heapScore[i] as number;
    const k = heapKey[i] as number;
    heapDoc[i] = heapDoc[j] as number;
    heapScore[i] = heapScore[j] as number;
    heapKey[i] = heapKey[j] as number;
    heapDoc[j] = d;
    heapScore[j] = sc;
    heapKey[j] = k;
  };
  const siftDown = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < len && worse(l, w)) w = l;
      if (r < len && worse(r, w)) w = r;
      if (w === i) return;
      swap(i, w);
      i = w;
    }
  };
  for (let k = 0; k < m.count; k++) {
    const d = m.docs[k] as number;
    const score = hasScores ? (m.scores[k] as number) : 0;
    let key: number;
    if (mode === 3) {
      key = -deadlineRankKey(opens[d] as number, closes[d] as number, now);
    } else if (mode === 4) {
      const c = ceiling[d] as number;
      key = Number.isNaN(c) ? -Infinity : c;
    } else if (mode === 5) {
      const f = forecastOpens[d] as number;
      key = Number.isNaN(f) ? -Infinity : -f;
    } else if (mode === 1) {
      key = score;
    } else {
      const p = published[d] as number;
      if (mode === 2) key = Number.isNaN(p) ? -Infinity : p;
      else
        key = score * scoreScale + (Number.isNaN(p) ? 0 : Math.min(Math.max(p, 1 - dateSpan), dateSpan - 1) + dateSpan);
    }
    if (cursor && ranker.afterCursor(d, score, cursor.values, cursor.id) <= 0) continue;
    eligible++;
    if (len < size) {
      heapDoc[len] = d;
      heapScore[len] = score;
      heapKey[len] = key;
      let i = len++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(i, parent)) break;
        swap(i, parent);
        i = parent;
      }
    } else {
      const rootKey = heapKey[0] as number;
      if (key < rootKey) continue;
      if (key === rootKey && ranker.compare(d, score, heapDoc[0] as number, heapScore[0] as number) >= 0) continue;
      heapDoc[0] = d;
      heapScore[0] = score;
      heapKey[0] = key;
      siftDown(0);
    }
  }
  const page: Array<[number, number]> = [];
  for (let i = 0; i < len; i++) page.push([heapDoc[i] as number, heapScore[i] as number]);
  page.sort((a, b) => ranker.compare(a[0], a[1], b[0], b[1]));
  return { page, more: eligible > size };
}
