import { InvalidInputError, type Issue } from '../../shared/errors.js';
import { parseInput } from '../../shared/parse-input.js';
import type { SearchQuery } from '../../shared/search/query.js';
import { checkDecodedParameters, decodeQueryString } from './query-string.js';
import { listParamNames, searchParamNames, SearchParamsSchema, type SearchParams } from './schemas.js';

/** Where a route's raw query comes from: the raw string (repeats kept) or API Gateway's decoded map. */
export interface RawQuery {
  readonly rawQueryString?: string;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>>;
}

const listNames = new Set<string>(listParamNames);
const knownNames = new Set<string>(searchParamNames);

/**
 * Turns a query string into our `SearchQuery`. Repeated keys and comma lists both give several
 * values for kind/ministry/prefecture/region/field/status/applicant; every other parameter may
 * appear once. `amountMin` and `amountMax` are whole yen, and `amountMin` may not exceed `amountMax`.
 * Unknown parameters are rejected (a typo such as `kinds=call` must not silently widen a search).
 * Names resolve to codes in `SearchParamsSchema` (長野 → 20, 中部 → chubu, ライフサイエンス → life-science).
 * The raw string is decoded strictly (query-string.ts): `%FF`, `%C0%AF`, `%ZZ`, `%00` and other
 * control characters are a 400 naming the parameter, never a silently different search.
 * Throws `InvalidInputError` with one issue per bad parameter, its path `[name]`.
 */
export function parseSearchParams(
  raw: RawQuery,
  defaults: { size?: number; sort?: SearchQuery['sort'] } = {},
): SearchQuery {
  const entries = queryEntries(raw);
  const collected: Record<string, string | string[]> = {};
  const issues: Issue[] = [];
  for (const [name, value] of entries) {
    if (!knownNames.has(name)) {
      issues.push({ path: [name], message: `unknown parameter; expected one of ${searchParamNames.join(', ')}` });
      continue;
    }
    if (listNames.has(name)) {
      const values = value
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v.length > 0);
      const list = (collected[name] as string[] | undefined) ?? [];
      list.push(...values);
      collected[name] = list;
      continue;
    }
    if (collected[name] !== undefined) {
      issues.push({ path: [name], message: 'given more than once; expected a single value' });
      continue;
    }
    collected[name] = name === 'q' ? value.trim() : value;
  }
  if (collected.q === '') delete collected.q;
  for (const name of listParamNames)
    if (Array.isArray(collected[name]) && collected[name].length === 0) delete collected[name];

  let params: SearchParams | undefined;
  try {
    params = parseInput(SearchParamsSchema, collected);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    // Report the parameter, not the array index inside it; one issue per parameter.
    for (const issue of error.issues) {
      const path = issue.path.length > 0 ? [issue.path[0] ?? ''] : [];
      if (!issues.some((known) => known.path[0] === path[0])) issues.push({ path, message: issue.message });
    }
  }
  if (params?.amountMin !== undefined && params.amountMax !== undefined && params.amountMin > params.amountMax)
    issues.push({
      path: ['amountMin'],
      message: `${params.amountMin} is above amountMax ${params.amountMax}; expected amountMin at most amountMax`,
    });
  if (issues.length > 0 || params === undefined) throw new InvalidInputError(issues);
  return toSearchQuery(params, defaults);
}

function queryEntries(raw: RawQuery): [string, string][] {
  if (raw.rawQueryString !== undefined) return decodeQueryString(raw.rawQueryString);
  checkDecodedParameters(raw.queryStringParameters ?? {});
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(raw.queryStringParameters ?? {}))
    if (value !== undefined) out.push([name, value]);
  return out;
}

function toSearchQuery(params: SearchParams, defaults: { size?: number; sort?: SearchQuery['sort'] }): SearchQuery {
  const range = (from?: string, to?: string) =>
    from === undefined && to === undefined ? undefined : { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  const query: SearchQuery = {
    text: params.q,
    kinds: params.kind,
    ministries: params.ministry,
    prefectures: params.prefecture,
    regions: params.region,
    fields: params.field,
    statuses: params.status,
    applicants: params.applicant,
    amountMin: params.amountMin,
    amountMax: params.amountMax,
    opens: range(params.opensAfter),
    closes: range(undefined, params.closesBefore),
    published: range(params.publishedSince),
    updated: range(params.updatedSince),
    sort: params.sort ?? defaults.sort ?? (params.q ? 'relevance' : 'newest'),
    size: params.size ?? defaults.size ?? 20,
    cursor: params.cursor,
  };
  for (const key of Object.keys(query) as (keyof SearchQuery)[]) if (query[key] === undefined) delete query[key];
  return query;
}

/** Tokyo midnight and the last millisecond of a Tokyo day, the instants a date parameter stands for. */
const dayStart = /^(\d{4}-\d{2}-\d{2})T00:00:00\+09:00$/;
const dayEnd = /^(\d{4}-\d{2}-\d{2})T23:59:59\.999\+09:00$/;

/**
 * The canonical query string of a search (the inverse of `parseSearchParams`, without paging):
 * parameters by name, list values deduplicated and sorted, one key per value, codes rather than
 * names, and dates as `YYYY-MM-DD` where the instant is a whole Tokyo day's edge. Two query
 * strings for the same search give the same canonical string, and parsing it gives the same
 * search back, so saved searches compare by it.
 *
 * @example canonicalSearchParams(parseSearchParams({ rawQueryString: 'status=open&applicant=university,sme&prefecture=長野' }))
 *   === 'applicant=sme&applicant=university&prefecture=20&status=open'
 */
export function canonicalSearchParams(query: Omit<SearchQuery, 'size' | 'cursor'>): string {
  const pairs: [string, string][] = [];
  const list = (name: string, values: readonly string[] | undefined) => {
    for (const value of [...new Set(values ?? [])].sort()) pairs.push([name, value]);
  };
  const one = (name: string, value: string | number | undefined) => {
    if (value !== undefined) pairs.push([name, String(value)]);
  };
  const day = (iso: string | undefined, edge: RegExp) => (iso === undefined ? undefined : (edge.exec(iso)?.[1] ?? iso));
  one('amountMax', query.amountMax);
  one('amountMin', query.amountMin);
  list('applicant', query.applicants);
  one('closesBefore', day(query.closes?.to, dayEnd));
  list('field', query.fields);
  list('kind', query.kinds);
  list('ministry', query.ministries);
  one('opensAfter', day(query.opens?.from, dayStart));
  list('prefecture', query.prefectures);
  one('publishedSince', day(query.published?.from, dayStart));
  one('q', query.text?.trim() || undefined);
  list('region', query.regions);
  one('sort', query.sort);
  list('status', query.statuses);
  one('updatedSince', day(query.updated?.from, dayStart));
  return new URLSearchParams(pairs).toString();
}
