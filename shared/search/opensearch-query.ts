import * as z from 'zod';
import type { CallStatus } from '../domain/status.js';
import { queryTermsOf, type QueryTerm } from './analyze.js';
import { fragmentChars, fragmentsPerField } from './highlight.js';
import type { ParsedSearchQuery } from './query.js';
import { rankDateKeys, textFieldWeights } from './ranking.js';
import type { FacetCount, Facets, Highlights } from './search-index.js';

/**
 * The OpenSearch query DSL of the project's search model: text phrases, filters, status clauses
 * derived from the clock, facet aggregations, sorts and highlighting (see opensearch-search-index.ts).
 */

const textFields = textFieldWeights.map(({ field, weight }) => (weight === 1 ? field : `${field}^${weight}`));
/** `missing` sort values: representable in JavaScript, outside any real date. */
const missingLow = -62135596800000; // 0001-01-01
const missingHigh = 253402300799999; // 9999-12-31

/** The indexed first day of a forecast's opening window. */
const forecastOpensField = 'forecast.opens.from';

const TermsAggSchema = z.object({
  buckets: z.array(z.object({ key: z.union([z.string(), z.number()]), doc_count: z.number() })),
});
const FiltersAggSchema = z.object({ buckets: z.record(z.string(), z.object({ doc_count: z.number() })) });

/** The query of a search at `now` (epoch ms): the text as phrases, the filters as filter clauses. */
export function queryOf(q: ParsedSearchQuery, now: number): unknown {
  const must = queryTermsOf(q.text).map((term) =>
    term.parts ? mixedPhrase(term.parts) : { multi_match: { query: term.text, type: 'phrase', fields: textFields } },
  );
  const filter: unknown[] = [];
  if (!q.includeWithdrawn) filter.push({ term: { withdrawn: false } });
  const terms = (field: string, values: readonly string[] | undefined): void => {
    if (values && values.length > 0) filter.push({ terms: { [field]: values } });
  };
  terms('kind', q.kinds);
  terms('ministry', q.ministries);
  terms('prefectures', q.prefectures);
  terms('regions', q.regions);
  terms('fields', q.fields);
  terms('applicants', q.applicants);
  if (q.statuses && q.statuses.length > 0) {
    const clauses = statusClauses(now);
    filter.push({ bool: { should: q.statuses.map((s) => clauses[s]), minimum_should_match: 1 } });
  }
  const range = (field: string, r: ParsedSearchQuery['opens']): void => {
    if (!r || (r.from === undefined && r.to === undefined)) return;
    const bounds: Record<string, number> = {};
    if (r.from !== undefined) bounds.gte = Date.parse(r.from);
    if (r.to !== undefined) bounds.lte = Date.parse(r.to);
    filter.push({ range: { [field]: { ...bounds, format: 'epoch_millis' } } });
  };
  range('opensAt', q.opens);
  range('closesAt', q.closes);
  range('publishedAt', q.published);
  range('updatedAt', q.updated);
  // A document without a ceiling has no value, so it fails either bound.
  if (q.amountMin !== undefined || q.amountMax !== undefined)
    filter.push({ range: { amountCeiling: { gte: q.amountMin ?? 0, lte: q.amountMax ?? Number.MAX_SAFE_INTEGER } } });
  return { bool: { must: must.length > 0 ? must : [{ match_all: {} }], filter } };
}

/** The facet aggregations at `now` (epoch ms). */
export function aggsOf(now: number): unknown {
  const terms = (field: string, size: number) => ({ terms: { field, size } });
  return {
    kind: terms('kind', 10),
    ministry: terms('ministry', 1000),
    prefecture: terms('prefectures', 100),
    region: terms('regions', 20),
    field: terms('fields', 1000),
    applicant: terms('applicants', 20),
    status: { filters: { filters: statusClauses(now) } },
  };
}

/**
 * A mixed-script term as the index tokens that stand in a row where it matches (analyze.ts): a
 * Latin part is its word; a CJK part its bigrams (one character alone: itself), and when another
 * part follows, its last character too, since the index puts that unigram at the position after
 * the last bigram. `ｘ推進ｙ` → `x` `推進` `進` `y`; `IoT化` → `iot` `化`. Bigrams exist only where
 * characters touch, so a CJK part still stands inside one run.
 */
function mixedTokens(parts: readonly QueryTerm[]): string[] {
  return parts.flatMap((part, k) => {
    if (!part.cjk) return [part.text];
    const chars = Array.from(part.text);
    if (chars.length === 1) return chars;
    const tokens = chars.slice(1).map((ch, i) => (chars[i] as string) + ch);
    if (k < parts.length - 1) tokens.push(chars[chars.length - 1] as string);
    return tokens;
  });
}

/** A mixed-script term as one phrase over the text fields: per field an exact in-order `span_near`, best field scoring. */
function mixedPhrase(parts: readonly QueryTerm[]): unknown {
  const tokens = mixedTokens(parts);
  return {
    dis_max: {
      queries: textFields.map((spec) => {
        const [field, boost] = spec.split('^') as [string, string | undefined];
        const clauses = tokens.map((token) => ({ span_term: { [field]: token } }));
        return { span_near: { clauses, slop: 0, in_order: true, boost: Number(boost ?? 1) } };
      }),
    },
  };
}

/**
 * Status as filter clauses at `now` (epoch ms), the same rule as `statusAt`, and `expected`: a
 * forecast on a document that is closed or has neither date.
 */
export function statusClauses(now: number): Record<CallStatus | 'expected', unknown> {
  const range = (field: string, op: 'gt' | 'lt') => ({ range: { [field]: { [op]: now, format: 'epoch_millis' } } });
  const upcoming = range('opensAt', 'gt');
  const closedPast = range('closesAt', 'lt');
  const closed = { bool: { filter: [closedPast], must_not: [upcoming] } };
  const unknown = { bool: { must_not: [{ exists: { field: 'opensAt' } }, { exists: { field: 'closesAt' } }] } };
  return {
    upcoming,
    open: {
      bool: {
        should: [{ exists: { field: 'opensAt' } }, { exists: { field: 'closesAt' } }],
        minimum_should_match: 1,
        must_not: [upcoming, closedPast],
      },
    },
    closed,
    unknown,
    expected: {
      bool: { filter: [{ exists: { field: forecastOpensField } }], should: [closed, unknown], minimum_should_match: 1 },
    },
  };
}

/** Highlighting of every search: matches marked, the rest HTML-escaped. */
export const highlight = {
  pre_tags: ['<mark>'],
  post_tags: ['</mark>'],
  encoder: 'html',
  require_field_match: true,
  fields: {
    title: { number_of_fragments: 0 },
    summary: { fragment_size: fragmentChars, number_of_fragments: fragmentsPerField },
    bodyText: { fragment_size: fragmentChars, number_of_fragments: fragmentsPerField },
  },
};

/** The deadline sort's groups in order, with the sort within each (see deadline-rank.ts). */
export const deadlineGroups = [
  { status: 'open', sort: [{ closesAt: { order: 'asc', missing: missingHigh } }, { id: 'asc' }] },
  { status: 'upcoming', sort: [{ opensAt: { order: 'asc' } }, { id: 'asc' }] },
  { status: 'closed', sort: [{ closesAt: { order: 'desc' } }, { id: 'asc' }] },
  { status: 'unknown', sort: [{ id: 'asc' }] },
] as const;

/**
 * The sort of a search other than `deadline` (see `searchByDeadline`). Missing values sort last by
 * explicit `missing` values rather than `_last`, whose sort values (Long.MIN/MAX) a cursor cannot
 * carry through JavaScript: a ceiling of -1 (ceilings are never negative), a forecast on 9999-12-31.
 */
export function sortOf(sort: Exclude<ParsedSearchQuery['sort'], 'deadline'>): unknown[] {
  const newest = rankDateKeys.map((key) => ({ [key]: { order: 'desc', missing: missingLow } }));
  if (sort === 'newest') return [...newest, { id: 'asc' }];
  if (sort === 'amount') return [{ amountCeiling: { order: 'desc', missing: -1 } }, ...newest, { id: 'asc' }];
  if (sort === 'expected')
    return [{ [forecastOpensField]: { order: 'asc', missing: missingHigh } }, ...newest, { id: 'asc' }];
  return [{ _score: 'desc' }, ...newest, { id: 'asc' }];
}

function facetList(raw: unknown): FacetCount[] {
  const parsed = TermsAggSchema.safeParse(raw);
  if (!parsed.success) return [];
  return sortFacets(parsed.data.buckets.map((b) => ({ value: String(b.key), count: b.doc_count })));
}

function sortFacets(list: FacetCount[]): FacetCount[] {
  return list
    .filter((f) => f.count > 0)
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

export function facetsOf(aggs: Record<string, unknown>): Facets {
  const status = FiltersAggSchema.safeParse(aggs.status);
  return {
    kind: facetList(aggs.kind),
    status: status.success
      ? sortFacets(Object.entries(status.data.buckets).map(([value, b]) => ({ value, count: b.doc_count })))
      : [],
    ministry: facetList(aggs.ministry),
    prefecture: facetList(aggs.prefecture),
    region: facetList(aggs.region),
    field: facetList(aggs.field),
    applicant: facetList(aggs.applicant),
  };
}

export function highlightsOf(raw: Record<string, string[]> | undefined): Highlights {
  if (!raw) return {};
  const out: { title?: string[]; summary?: string[]; bodyText?: string[] } = {};
  if (raw.title) out.title = raw.title;
  if (raw.summary) out.summary = raw.summary;
  if (raw.bodyText) out.bodyText = raw.bodyText;
  return out;
}
