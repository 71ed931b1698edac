/**
 * The portal's client of the public API. Types come from the API's own response schemas
 * (type-only imports: nothing of zod reaches the bundle).
 */
import type {
  ItemDetail,
  SearchItem,
  SearchResponse,
  SourceView,
  SourcesResponse,
} from '../../functions/api/schemas.js';

export type { ItemDetail, SearchItem, SearchResponse, SourceView };

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
