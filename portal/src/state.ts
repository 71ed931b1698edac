/**
 * The search state lives in the page URL (`?q=クラスター&status=open&sort=deadline&item=it_…`),
 * so a result list or an opened call can be shared and the back button works.
 */
import type { PortalFacetName } from './labels.js';

export const facetNames: readonly PortalFacetName[] = [
  'kind',
  'status',
  'applicant',
  'ministry',
  'region',
  'prefecture',
  'field',
];

const sorts = ['relevance', 'newest', 'deadline', 'amount', 'expected'] as const;
type SearchSort = '' | (typeof sorts)[number];

/** Reads a sort the API knows; anything else is the default order. */
export function sortOf(value: string | null): SearchSort {
  return sorts.find((sort) => sort === value) ?? '';
}

export interface SearchState {
  q: string;
  filters: Record<PortalFacetName, string[]>;
  /** 上限額 range in whole yen (the API's `amountMin` / `amountMax`); undefined when open. */
  amountMin: number | undefined;
  amountMax: number | undefined;
  sort: SearchSort;
  cursor: string;
  /** 1-based page number shown next to the cursor (the API pages by cursor, not by number). */
  page: number;
  /** The item whose detail is open. */
  item: string;
  /**
   * `expected`: the 「今後の公募（見込み）」 view, expected openings grouped by month (the search
   * with `status=expected&sort=expected`); '' is the result list.
   */
  view: '' | 'expected';
}

function yenParam(value: string | null): number | undefined {
  if (value === null || !/^\d{1,16}$/.test(value)) return undefined;
  const yen = Number(value);
  return Number.isSafeInteger(yen) ? yen : undefined;
}

export function readState(search: string): SearchState {
  const params = new URLSearchParams(search);
  const filters = {} as Record<PortalFacetName, string[]>;
  for (const name of facetNames)
    filters[name] = params
      .getAll(name)
      .flatMap((v) => v.split(','))
      .filter(Boolean);
  const page = Number(params.get('page') ?? '1');
  return {
    q: params.get('q') ?? '',
    filters,
    amountMin: yenParam(params.get('amountMin')),
    amountMax: yenParam(params.get('amountMax')),
    sort: sortOf(params.get('sort')),
    cursor: params.get('cursor') ?? '',
    page: Number.isInteger(page) && page > 0 ? page : 1,
    item: params.get('item') ?? '',
    view: params.get('view') === 'expected' ? 'expected' : '',
  };
}

/** Hits the 見込み view asks for at once (the API's largest page). */
export const expectedViewSize = 100;

/**
 * The API parameters of a state: what /v1/search, the feeds, the CSV and saved searches take. The
 * 見込み view is the search with `status=expected` (in place of the chosen statuses) and
 * `sort=expected`, unpaged.
 */
export function apiParams(state: SearchState, options: { paging?: boolean; sort?: boolean } = {}): URLSearchParams {
  const params = new URLSearchParams();
  const expected = state.view === 'expected';
  if (state.q.trim()) params.set('q', state.q.trim());
  for (const name of facetNames) {
    if (expected && name === 'status') params.append(name, 'expected');
    else for (const value of state.filters[name]) params.append(name, value);
  }
  if (state.amountMin !== undefined) params.set('amountMin', String(state.amountMin));
  if (state.amountMax !== undefined) params.set('amountMax', String(state.amountMax));
  const sort = expected ? 'expected' : state.sort;
  if (options.sort !== false && sort) params.set('sort', sort);
  if (options.paging && state.cursor && !expected) params.set('cursor', state.cursor);
  return params;
}

/** The page URL's query for a state (`?q=…`), or '' when the state is the empty search. */
export function pageSearch(state: SearchState): string {
  const params = new URLSearchParams();
  if (state.view) params.set('view', state.view);
  const search = apiParams(state, { paging: true });
  for (const [name, value] of search) {
    // The view implies its status and order; the URL keeps only what the visitor chose.
    if (state.view === 'expected' && (name === 'status' || name === 'sort')) continue;
    params.append(name, value);
  }
  if (state.cursor && state.page > 1 && !state.view) params.set('page', String(state.page));
  if (state.item) params.set('item', state.item);
  const query = params.toString();
  return query ? `?${query}` : '';
}
