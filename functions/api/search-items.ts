import type {
  SearchDoc,
  SearchForecast,
  SearchHit,
  SearchIndex,
  SearchPage,
} from '../../shared/search/search-index.js';
import { RecentMap } from '../../shared/recent-map.js';
import type { SearchQuery } from '../../shared/search/query.js';
import type { SearchItem, SearchResponse } from './schemas.js';
import { parseSearchParams, type RawQuery } from './search-params.js';

/**
 * GET /v1/search as the JSON text of the response. A page the search cache hands out again is
 * serialised once (keyed by the page object), so a cache hit costs no re-rendering.
 */
export async function searchItemsJson(deps: { search: SearchIndex }, raw: RawQuery): Promise<string> {
  const page = await deps.search.search(recentQueryOf(raw));
  let text = rendered.get(page);
  if (text === undefined) {
    text = searchResponseJson(page);
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
    recentQueries.set(key, query);
  }
  return query;
}
const recentQueries = new RecentMap<SearchQuery>({ maxEntries: 512 });
const recentQueryMaxChars = 2048;

export function toSearchResponse(page: SearchPage): SearchResponse {
  return {
    total: page.total,
    totalIsLowerBound: page.totalIsLowerBound,
    items: page.items.map(toSearchItem),
    facets: facetsOf(page),
    ...(page.nextCursor !== undefined ? { nextCursor: page.nextCursor } : {}),
  };
}

function facetsOf(page: SearchPage): SearchResponse['facets'] {
  return {
    kind: page.facets.kind.map((f) => ({ value: f.value, count: f.count })),
    status: page.facets.status.map((f) => ({ value: f.value, count: f.count })),
    ministry: page.facets.ministry.map((f) => ({ value: f.value, count: f.count })),
    prefecture: page.facets.prefecture.map((f) => ({ value: f.value, count: f.count })),
    region: page.facets.region.map((f) => ({ value: f.value, count: f.count })),
    field: page.facets.field.map((f) => ({ value: f.value, count: f.count })),
    applicant: page.facets.applicant.map((f) => ({ value: f.value, count: f.count })),
  };
}

/**
 * `JSON.stringify(toSearchResponse(page))`, the same text, built from per-document pieces: the
 * fields of a hit that come from its document are serialised once per document object (an engine
 * that hands out the same object for a document again, as the embedded one does, reuses them);
 * only status, highlights, facets and totals are serialised per page.
 */
export function searchResponseJson(page: SearchPage): string {
  let items = '';
  for (const hit of page.items) {
    const { head, tail } = docJsonOf(hit.doc);
    if (items.length > 0) items += ',';
    items += `${head},"status":"${hit.status}","highlights":${highlightsJson(hit)},${tail}`;
  }
  const cursor = page.nextCursor !== undefined ? `,"nextCursor":${JSON.stringify(page.nextCursor)}` : '';
  return `{"total":${JSON.stringify(page.total)},"totalIsLowerBound":${JSON.stringify(page.totalIsLowerBound)},"items":[${items}],"facets":${JSON.stringify(facetsOf(page))}${cursor}}`;
}

/** A document's item JSON before `status` (`{"id":…,"updatedAt":…`) and after `highlights` (`"sources":[…]}`). */
function docJsonOf(doc: SearchDoc): { head: string; tail: string } {
  let parts = docJson.get(doc);
  if (parts === undefined) {
    const head = JSON.stringify(docFieldsOf(doc));
    parts = { head: head.slice(0, -1), tail: JSON.stringify({ sources: doc.sources }).slice(1) };
    docJson.set(doc, parts);
  }
  return parts;
}
const docJson = new WeakMap<SearchDoc, { head: string; tail: string }>();

/** An item's fields that come from its document, in response order (before status, highlights and sources). */
function docFieldsOf(doc: SearchDoc) {
  return {
    id: doc.id,
    kind: doc.kind,
    title: doc.title,
    summary: doc.summary,
    url: doc.url,
    publisher: doc.publisher,
    ministry: doc.ministry,
    prefectures: doc.prefectures,
    regions: doc.regions,
    fields: doc.fields,
    publishedAt: doc.publishedAt,
    opensAt: doc.opensAt,
    closesAt: doc.closesAt,
    updatedAt: doc.updatedAt,
    applicants: doc.applicants,
    amountCeiling: doc.amountCeiling,
    forecast: doc.forecast,
  };
}

/** `JSON.stringify(highlightsOf(hit))` without the copies. */
function highlightsJson(hit: SearchHit): string {
  let out = '';
  for (const field of Object.keys(hit.highlights)) {
    const fragments = hit.highlights[field as keyof SearchHit['highlights']];
    out += `${out.length > 0 ? ',' : ''}${JSON.stringify(field)}:${JSON.stringify(fragments ?? [])}`;
  }
  return `{${out}}`;
}

function highlightsOf(hit: SearchHit): SearchItem['highlights'] {
  return Object.fromEntries(
    Object.entries(hit.highlights).map(([field, fragments]) => [field, [...(fragments ?? [])]]),
  );
}

function toSearchItem(hit: SearchHit): SearchItem {
  const doc = hit.doc;
  const item: SearchItem = {
    ...docFieldsOf(doc),
    prefectures: [...doc.prefectures],
    regions: [...doc.regions],
    fields: [...doc.fields],
    applicants: [...doc.applicants],
    ...(doc.forecast ? { forecast: forecastOf(doc.forecast) } : {}),
    status: hit.status,
    highlights: highlightsOf(hit),
    sources: [...doc.sources],
  };
  for (const key of Object.keys(item) as (keyof SearchItem)[]) if (item[key] === undefined) delete item[key];
  return item;
}

/** A plain copy of a document's forecast, in the response's field order. */
function forecastOf(forecast: SearchForecast): NonNullable<SearchItem['forecast']> {
  return {
    seriesId: forecast.seriesId,
    opens: { from: forecast.opens.from, to: forecast.opens.to },
    ...(forecast.closes ? { closes: { from: forecast.closes.from, to: forecast.closes.to } } : {}),
    text: forecast.text,
  };
}
