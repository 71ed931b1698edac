import type { Clock } from '../../shared/clock.js';
import { NotFoundError } from '../../shared/errors.js';
import type { Log } from '../../shared/log.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import type { ItemStore } from '../../shared/store/item-store.js';
import type { HttpEvent, HttpResult } from '../middleware/http-event.js';
import { exportCsv } from './export-csv.js';
import { portalPageUrl, searchFeedAtom, searchFeedRss, type FeedContext } from './feeds.js';
import { getItem, getSeries, type SeriesReader } from './get-item.js';
import { health, type IndexLagStatus, type StorageStatus } from './health.js';
import { listSources, type ListSourcesDeps } from './list-sources.js';
import { openApiDocument } from './openapi.js';
import { searchItemsJson } from './search-items.js';

/** The ports the API routes use; built once per container by wiring.ts (or by the local stack). */
export interface ApiDeps {
  readonly search: SearchIndex;
  readonly store: ItemStore;
  /** Program series for item pages and /v1/series; absent: items show none and /v1/series answers 404. */
  readonly series?: SeriesReader;
  readonly clock: Clock;
  readonly log: Log;
  readonly sources: ListSourcesDeps['sources'];
  readonly sourceFlags: ListSourcesDeps['flags'];
  /** `*` or exact origins (CORS_ORIGINS). */
  readonly corsOrigins: readonly string[];
  /**
   * The API's public address (PUBLIC_BASE_URL, `https://api.example.jp`): the base of every absolute
   * link the API writes (OpenAPI `servers`, feed self and search links). Never taken from the
   * request's Host header, which any client sets.
   */
  readonly publicBaseUrl: string;
  /** Where the portal is served (PORTAL_URL); absent: at `publicBaseUrl`, as locally. */
  readonly portalUrl?: string;
  /** Whether writes to storage work now (the local stack watches its data folder); absent: always ok. */
  readonly storage?: () => StorageStatus;
  /** How far the index is behind the store (the local stack's change log); absent: not tracked here. */
  readonly indexLag?: () => IndexLagStatus;
}

export type RouteHandler = (event: HttpEvent) => Promise<HttpResult>;
export interface ApiRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
  readonly path: string;
  readonly handler: RouteHandler;
}

const cache = {
  short: 'public, max-age=60',
  item: 'public, max-age=300',
  doc: 'public, max-age=3600',
  none: 'no-store',
} as const;

export function jsonResult(body: unknown, cacheControl: string = cache.short): HttpResult {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': cacheControl },
    body: JSON.stringify(body),
  };
}

/** A 200 with an already serialised JSON body. */
function jsonText(body: string, cacheControl: string = cache.short): HttpResult {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': cacheControl },
    body,
  };
}

function textResult(body: string, contentType: string, extra: Record<string, string> = {}): HttpResult {
  return { statusCode: 200, headers: { 'content-type': contentType, 'cache-control': cache.short, ...extra }, body };
}

/** `publicBaseUrl` without a trailing slash (a path prefix such as a stage name is kept). */
function baseUrlOf(publicBaseUrl: string): string {
  return publicBaseUrl.replace(/\/+$/, '');
}

function feedContext(event: HttpEvent, deps: Pick<ApiDeps, 'publicBaseUrl' | 'portalUrl'>): FeedContext {
  const base = baseUrlOf(deps.publicBaseUrl);
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  const selfUrl = `${base}${event.rawPath}${query}`;
  return {
    selfUrl,
    searchUrl: `${base}/v1/search${query}`,
    portalUrl: portalPageUrl(selfUrl, deps.portalUrl ?? base),
  };
}

/** The GET routes of the public API, in the shape @middy/http-router takes. */
export function apiRoutes(deps: ApiDeps): ApiRoute[] {
  const routes: ApiRoute[] = [
    { method: 'GET', path: '/v1/search', handler: async (event) => jsonText(await searchItemsJson(deps, event)) },
    {
      method: 'GET',
      path: '/v1/items/{id}',
      handler: async (event) => jsonResult(await getItem(deps, event.pathParameters?.id), cache.item),
    },
    {
      method: 'GET',
      path: '/v1/series/{id}',
      handler: async (event) => jsonResult(await getSeries(deps, event.pathParameters?.id), cache.item),
    },
    {
      method: 'GET',
      path: '/v1/sources',
      handler: async () =>
        jsonResult(
          await listSources({ store: deps.store, clock: deps.clock, sources: deps.sources, flags: deps.sourceFlags }),
        ),
    },
    {
      method: 'GET',
      path: '/v1/feed.rss',
      handler: async (event) =>
        textResult(await searchFeedRss(deps, event, feedContext(event, deps)), 'application/rss+xml; charset=utf-8'),
    },
    {
      method: 'GET',
      path: '/v1/feed.atom',
      handler: async (event) =>
        textResult(await searchFeedAtom(deps, event, feedContext(event, deps)), 'application/atom+xml; charset=utf-8'),
    },
    {
      method: 'GET',
      path: '/v1/export.csv',
      handler: async (event) => {
        const exported = await exportCsv(deps, event);
        return textResult(exported.csv, 'text/csv; charset=utf-8; header=present', {
          'content-disposition': 'attachment; filename="chiiki-portal-export.csv"',
          'x-export-truncated': String(exported.truncated),
        });
      },
    },
    {
      method: 'GET',
      path: '/v1/openapi.json',
      handler: async () => jsonResult(openApiDocument(baseUrlOf(deps.publicBaseUrl)), cache.doc),
    },
    { method: 'GET', path: '/v1/health', handler: async () => jsonResult(await health(deps), cache.none) },
  ];
  // HEAD answers like GET; the HTTP layer drops the body.
  return [...routes, ...routes.map((route) => ({ ...route, method: 'HEAD' as const }))];
}

/** What the router does with a method and path it does not know. */
export function routeNotFound({ method, path }: { method: string; path: string }): never {
  throw new NotFoundError(`no route ${method} ${path.slice(0, 200)}; see /v1/openapi.json`);
}
