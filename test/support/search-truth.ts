import { statusAt } from '../../shared/domain/status.js';
import type { FacetCount, Facets, SearchDoc } from '../../shared/search/search-index.js';

/**
 * What a search must answer, computed by brute force from the documented rules: facet counts over
 * a match set and the orders of the `newest` and `deadline` sorts. Shared by the SearchIndex
 * contract and its property test.
 */

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
    status: countBy(docs.map((d) => statusAt(d, now))),
    ministry: countBy(docs.flatMap((d) => (d.ministry === undefined ? [] : [d.ministry]))),
    prefecture: countBy(docs.flatMap((d) => d.prefectures)),
    region: countBy(docs.flatMap((d) => d.regions)),
    field: countBy(docs.flatMap((d) => [...new Set(d.fields)])),
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
