/**
 * The search state lives in the page URL (`?q=クラスター&status=open&sort=deadline&item=it_…`),
 * so a result list or an opened call can be shared and the back button works.
 */
import type { FacetName } from './labels.js';

export const facetNames: readonly FacetName[] = ['kind', 'status', 'ministry', 'region', 'prefecture', 'field'];

export interface SearchState {
  q: string;
  filters: Record<FacetName, string[]>;
  sort: '' | 'relevance' | 'newest' | 'deadline';
  cursor: string;
  /** 1-based page number shown next to the cursor (the API pages by cursor, not by number). */
  page: number;
  /** The item whose detail is open. */
  item: string;
}

export function readState(search: string): SearchState {
  const params = new URLSearchParams(search);
  const filters = {} as Record<FacetName, string[]>;
  for (const name of facetNames)
    filters[name] = params
      .getAll(name)
      .flatMap((v) => v.split(','))
      .filter(Boolean);
  const sort = params.get('sort') ?? '';
  const page = Number(params.get('page') ?? '1');
  return {
    q: params.get('q') ?? '',
    filters,
    sort: sort === 'relevance' || sort === 'newest' || sort === 'deadline' ? sort : '',
    cursor: params.get('cursor') ?? '',
    page: Number.isInteger(page) && page > 0 ? page : 1,
    item: params.get('item') ?? '',
  };
}

/** The API parameters of a state: what /v1/search, the feeds, the CSV and saved searches take. */
export function apiParams(state: SearchState, options: { paging?: boolean; sort?: boolean } = {}): URLSearchParams {
  const params = new URLSearchParams();
  if (state.q.trim()) params.set('q', state.q.trim());
  for (const name of facetNames) for (const value of state.filters[name]) params.append(name, value);
  if (options.sort !== false && state.sort) params.set('sort', state.sort);
  if (options.paging && state.cursor) params.set('cursor', state.cursor);
  return params;
}

/** The page URL's query for a state. */
export function pageQuery(state: SearchState): string {
  const params = apiParams(state, { paging: true });
  if (state.cursor && state.page > 1) params.set('page', String(state.page));
  if (state.item) params.set('item', state.item);
  const query = params.toString();
  return query ? `?${query}` : location.pathname;
}
