/**
 * The portal's client of the public API. Types come from the API's own response schemas
 * (type-only imports: nothing of zod reaches the bundle).
 */
import type {
  ItemDetail,
  SearchItem as ApiSearchItem,
  SearchResponse as ApiSearchResponse,
  SourceView,
  SourcesResponse,
} from '../../functions/api/schemas.js';

export type { ItemDetail, SourceView };

/** A window of Tokyo days (`YYYY-MM-DD`). */
interface DayWindow {
  readonly from: string;
  readonly to: string;
}

/**
 * The search contract's additions to a hit: who may apply (applicant type ids), the per-project
 * ceiling in yen, and the next round's forecast on a series' newest round (見込み, never a fact).
 * Optional here so the page also reads an API that does not send them yet.
 */
interface HitFacts {
  readonly applicants?: readonly string[];
  readonly amountCeiling?: number;
  readonly forecast?: {
    readonly seriesId: string;
    readonly opens: DayWindow;
    readonly closes?: DayWindow;
    readonly text: string;
  };
}

export type SearchItem = ApiSearchItem & HitFacts;

type FacetCounts = ApiSearchResponse['facets']['kind'];

/** A search answer with the hits' facts and the 応募できる者 facet (absent from an API without it). */
export type SearchResponse = Omit<ApiSearchResponse, 'items' | 'facets'> & {
  readonly items: SearchItem[];
  readonly facets: ApiSearchResponse['facets'] & { readonly applicant?: FacetCounts };
};

/** The API origin: `<meta name="chiiki-api">` when the page is hosted elsewhere, else this origin. */
function apiBase(): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="chiiki-api"]');
  return (meta?.content ?? '').replace(/\/$/, '');
}

/** One problem the API found in a request: `path[0]` names the parameter (`prefecture`, `status` …). */
export interface ApiIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** An API answer other than 2xx, with the message and the issues the API gave (4xx bodies say what to fix). */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly issues: readonly ApiIssue[] = [],
  ) {
    super(message);
  }
}

async function getJson<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(`${apiBase()}${path}`, {
    ...init,
    headers: { accept: 'application/json', ...init?.headers },
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = body as { message?: string; issues?: ApiIssue[] } | undefined;
    const issues = Array.isArray(error?.issues) ? error.issues : [];
    const detail = issues.map((issue) => issue.message).join(' / ') || (error?.message ?? response.statusText);
    throw new ApiError(response.status, detail, issues);
  }
  return body as T;
}

export const searchItems = (params: URLSearchParams) => getJson<SearchResponse>(`/v1/search?${params.toString()}`);

export const getItem = (id: string) => getJson<ItemDetail>(`/v1/items/${encodeURIComponent(id)}`);

export const listSources = () => getJson<SourcesResponse>('/v1/sources');

/** `POST /v1/subscriptions`: always 202 with a message for a well-formed request. */
export const subscribe = (body: { email: string; searches: string[]; frequency: string }) =>
  getJson<{ status: string; message: string }>('/v1/subscriptions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** An absolute link to an API path (feeds, CSV) for the current search. */
export const apiLink = (path: string, params: URLSearchParams) => {
  const query = params.toString();
  return `${apiBase() || location.origin}${path}${query ? `?${query}` : ''}`;
};
