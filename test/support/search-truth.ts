import { statusAt } from '../../shared/domain/status.js';
import type { FacetCount, Facets, SearchDoc } from '../../shared/search/search-index.js';

/**
 * What a search must answer, computed by brute force from the documented rules: the status and
 * amount filters, facet counts over a match set and the orders of the `newest`, `deadline`,
 * `amount` and `expected` sorts. Shared by the SearchIndex contract and its property test.
 */

/**
 * 公募予定・見込み at `now`: the document carries a forecast (only a series' newest round does) and
 * is neither open nor upcoming.
 */
export function isExpected(doc: SearchDoc, now: Date): boolean {
  const status = statusAt(doc, now);
  return doc.forecast !== undefined && status !== 'open' && status !== 'upcoming';
}

/** The `statuses` filter: the document's derived status is wanted, or `expected` is and the document is. */
export function statusWanted(doc: SearchDoc, statuses: readonly string[] | undefined, now: Date): boolean {
  if (statuses === undefined) return true;
  return statuses.includes(statusAt(doc, now)) || (statuses.includes('expected') && isExpected(doc, now));
}

/** The amount range over the ceiling, inclusive; an unknown ceiling fails either bound. */
export function amountWanted(doc: SearchDoc, min: number | undefined, max: number | undefined): boolean {
  if (min === undefined && max === undefined) return true;
  const c = doc.amountCeiling;
  return c !== undefined && (min === undefined || c >= min) && (max === undefined || c <= max);
}

function countBy(values: readonly string[]): FacetCount[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

/** Facet counts of a match set at `now`. */
export function bruteFacets(docs: readonly SearchDoc[], now: Date): Facets {
  return {
    kind: countBy(docs.map((d) => d.kind)),
    status: countBy(docs.flatMap((d) => (isExpected(d, now) ? [statusAt(d, now), 'expected'] : [statusAt(d, now)]))),
    ministry: countBy(docs.flatMap((d) => (d.ministry === undefined ? [] : [d.ministry]))),
    prefecture: countBy(docs.flatMap((d) => d.prefectures)),
    region: countBy(docs.flatMap((d) => d.regions)),
    field: countBy(docs.flatMap((d) => [...new Set(d.fields)])),
    applicant: countBy(docs.flatMap((d) => d.applicants)),
  };
}

const ms = (iso: string | undefined): number => (iso === undefined ? Number.NaN : Date.parse(iso));
const byId = (a: SearchDoc, b: SearchDoc): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
/** Descending with missing values last. */
const descMissingLast = (x: number, y: number): number =>
  Number.isNaN(x) || Number.isNaN(y) ? Number(Number.isNaN(x)) - Number(Number.isNaN(y)) : y - x;
const ascMissingLast = (x: number, y: number): number =>
  Number.isNaN(x) || Number.isNaN(y) ? Number(Number.isNaN(x)) - Number(Number.isNaN(y)) : x - y;

/** 新着順: publishedAt desc, missing last, then updatedAt desc, then id. */
export const newestOrder = (a: SearchDoc, b: SearchDoc): number =>
  descMissingLast(ms(a.publishedAt), ms(b.publishedAt)) ||
  descMissingLast(ms(a.updatedAt), ms(b.updatedAt)) ||
  byId(a, b);

/** 金額順: the ceiling desc, unknown last, then as 新着順. */
export const amountOrder = (a: SearchDoc, b: SearchDoc): number =>
  descMissingLast(a.amountCeiling ?? Number.NaN, b.amountCeiling ?? Number.NaN) || newestOrder(a, b);

/** 公募予定順: the forecast's first opening day ascending, documents without a forecast last, then as 新着順. */
export const expectedOrder = (a: SearchDoc, b: SearchDoc): number =>
  ascMissingLast(forecastMs(a), forecastMs(b)) || newestOrder(a, b);

const forecastMs = (d: SearchDoc): number =>
  d.forecast === undefined ? Number.NaN : Date.parse(`${d.forecast.opens.from}T00:00:00+09:00`);

/** The order of a sort other than relevance, at `now`. */
export function orderOf(
  sort: 'newest' | 'deadline' | 'amount' | 'expected',
  now: Date,
): (a: SearchDoc, b: SearchDoc) => number {
  if (sort === 'deadline') return deadlineOrderAt(now);
  return sort === 'newest' ? newestOrder : sort === 'amount' ? amountOrder : expectedOrder;
}

/**
 * 締切が近い順 at `now`: open calls by soonest deadline (no deadline after them), then upcoming by
 * opening date, then closed, most recently closed first, then items with neither date; then id.
 */
export const deadlineOrderAt =
  (now: Date) =>
  (a: SearchDoc, b: SearchDoc): number => {
    const group = { open: 0, upcoming: 1, closed: 2, unknown: 3 } as const;
    const sa = statusAt(a, now);
    const sb = statusAt(b, now);
    if (sa !== sb) return group[sa] - group[sb];
    const within =
      sa === 'open'
        ? ascMissingLast(ms(a.closesAt), ms(b.closesAt))
        : sa === 'upcoming'
          ? ms(a.opensAt) - ms(b.opensAt)
          : sa === 'closed'
            ? ms(b.closesAt) - ms(a.closesAt)
            : 0;
    return within || byId(a, b);
  };

/** Removes `<mark>` tags, joining adjacent marks, and returns the marked segments. */
export function markedSegments(fragment: string): string[] {
  return [...fragment.replace(/<\/mark><mark>/g, '').matchAll(/<mark>(.*?)<\/mark>/g)].map((m) => m[1] ?? '');
}
