import type { SearchHit, SearchIndex, SearchPage } from '../../shared/search/search-index.js';
import type { SearchQuery } from '../../shared/search/query.js';
import type { SearchItem, SearchResponse } from './schemas.js';
import { parseSearchParams, type RawQuery } from './search-params.js';

/** GET /v1/search: parses the query string and runs it on the index. */
export async function searchItems(deps: { search: SearchIndex }, raw: RawQuery): Promise<SearchResponse> {
  const query = parseSearchParams(raw);
  return toSearchResponse(await deps.search.search(query));
}

/**
 * GET /v1/search as the JSON text of the response. A page the search cache hands out again is
 * serialised once (keyed by the page object), so a cache hit costs no re-rendering.
 */
export async function searchItemsJson(deps: { search: SearchIndex }, raw: RawQuery): Promise<string> {
  const page = await deps.search.search(recentQueryOf(raw));
  let text = rendered.get(page);
  if (text === undefined) {
    text = JSON.stringify(toSearchResponse(page));
    rendered.set(page, text);
  }
  return text;
}
const rendered = new WeakMap<SearchPage, string>();

/**
 * `parseSearchParams` for a raw query string, remembered for the last few hundred distinct strings:
 * a front end sends the same few searches over and over, and the parse is a pure function of the
 * string. Invalid strings are not remembered (they throw every time).
 */
function recentQueryOf(raw: RawQuery): SearchQuery {
  const key = raw.rawQueryString;
  if (key === undefined || key.length > recentQueryMaxChars) return parseSearchParams(raw);
  let query = recentQueries.get(key);
  if (query === undefined) {
    query = parseSearchParams(raw);
    if (recentQueries.size >= recentQueryLimit) recentQueries.delete(recentQueries.keys().next().value as string);
    recentQueries.set(key, query);
  }
  return query;
}
const recentQueries = new Map<string, SearchQuery>();
const recentQueryLimit = 512;
const recentQueryMaxChars = 2048;

/** Runs an already parsed query (feeds and export reuse it). */
export async function runSearch(deps: { search: SearchIndex }, query: SearchQuery): Promise<SearchPage> {
  return deps.search.search(query);
}

export function toSearchResponse(page: SearchPage): SearchResponse {
  return {
    total: page.total,
    totalIsLowerBound: page.totalIsLowerBound,
    items: page.items.map(toSearchItem),
    facets: {
      kind: page.facets.kind.map((f) => ({ value: f.value, count: f.count })),
      status: page.facets.status.map((f) => ({ value: f.value, count: f.count })),
      ministry: page.facets.ministry.map((f) => ({ value: f.value, count: f.count })),
      prefecture: page.facets.prefecture.map((f) => ({ value: f.value, count: f.count })),
      region: page.facets.region.map((f) => ({ value: f.value, count: f.count })),
      field: page.facets.field.map((f) => ({ value: f.value, count: f.count })),
    },
    ...(page.nextCursor !== undefined ? { nextCursor: page.nextCursor } : {}),
  };
}

export function toSearchItem(hit: SearchHit): SearchItem {
  const doc = hit.doc;
  const item: SearchItem = {
    id: doc.id,
    kind: doc.kind,
    title: doc.title,
    summary: doc.summary,
    url: doc.url,
    publisher: doc.publisher,
    ministry: doc.ministry,
    prefectures: [...doc.prefectures],
    regions: [...doc.regions],
    fields: [...doc.fields],
    publishedAt: doc.publishedAt,
    opensAt: doc.opensAt,
    closesAt: doc.closesAt,
    updatedAt: doc.updatedAt,
    status: hit.status,
    highlights: Object.fromEntries(
      Object.entries(hit.highlights).map(([field, fragments]) => [field, [...(fragments ?? [])]]),
    ),
    sources: [...doc.sources],
  };
  for (const key of Object.keys(item) as (keyof SearchItem)[]) if (item[key] === undefined) delete item[key];
  return item;
}
