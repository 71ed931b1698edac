import type { MiddlewareObj } from '@middy/core';
import { withVary } from './compression.js';
import { headerOf, responseHeaderOf, type HttpEvent, type HttpResult } from './http-event.js';

export interface CorsOptions {
  /** `*` or exact origins such as `https://portal.example.jp` (from CORS_ORIGINS). */
  readonly origins: readonly string[];
  /**
   * The routes behind the middleware (paths as templates, `/v1/items/{id}`). A preflight lists
   * exactly the methods of the routes whose path matches, plus OPTIONS.
   */
  readonly routes: readonly { readonly method: string; readonly path: string }[];
  /** @default corsMaxAgeSec */
  readonly maxAgeSec?: number;
}

/**
 * Response headers a browser script on another origin may read. The one list: the function sends
 * it on every answer, and the AWS edge (API Gateway CORS off, CloudFront passing the function's
 * headers through) changes nothing, so local and AWS agree.
 */
export const corsExposedHeaders = ['ETag', 'Retry-After', 'X-Export-Truncated', 'X-Request-Id'] as const;

/** How long a browser may reuse a preflight answer (`Access-Control-Max-Age`), in seconds. */
export const corsMaxAgeSec = 600;

/** Request headers a preflight allows when the browser names none (`Access-Control-Request-Headers`). */
const corsDefaultAllowHeaders = 'content-type';

/**
 * Request headers the CORS answers depend on. A cache in front of the API (CloudFront) must pass
 * them to the function and keep answers for different `Origin`s apart.
 */
export const corsRequestHeaders = [
  'Origin',
  'Access-Control-Request-Method',
  'Access-Control-Request-Headers',
] as const;

/** Whether a request path matches a route template (`{name}` matches one non-empty segment). */
function pathMatches(template: string, path: string): boolean {
  const want = template.split('/');
  const got = path.split('/');
  return (
    want.length === got.length && want.every((part, i) => (/^\{.+\}$/.test(part) ? got[i] !== '' : part === got[i]))
  );
}

/**
 * The methods a preflight for `path` allows: those of the matching routes, then OPTIONS, in a
 * fixed order; empty when no route matches.
 */
export function corsMethodsFor(routes: CorsOptions['routes'], path: string): string[] {
  const order = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
  const found = new Set(routes.filter((route) => pathMatches(route.path, path)).map((route) => route.method));
  if (found.size === 0) return [];
  return [
    ...order.filter((m) => found.has(m)),
    ...[...found].filter((m) => !order.includes(m) && m !== 'OPTIONS'),
    'OPTIONS',
  ];
}

/** Parses CORS_ORIGINS (`*` or a comma-separated list). */
export function corsOriginsFrom(value: string): string[] {
  return value
    .split(',')
    .map((origin) => origin.trim().replace(/\/$/, ''))
    .filter((origin) => origin.length > 0);
}

/**
 * Adds CORS headers to every response (errors included) and answers preflight `OPTIONS`
 * requests itself with 204, allowing exactly the methods of the routes at that path. With a list of origins, a matching `Origin` is echoed and
 * `Vary: Origin` set; other origins get no CORS headers (the browser blocks them).
 */
export function cors(options: CorsOptions): MiddlewareObj<HttpEvent, HttpResult> {
  const any = options.origins.includes('*');
  const allowed = new Set(options.origins);
  const maxAge = String(options.maxAgeSec ?? corsMaxAgeSec);

  const originHeaders = (event: HttpEvent): Record<string, string> => {
    if (any) return { 'access-control-allow-origin': '*' };
    const origin = headerOf(event, 'origin');
    if (origin !== undefined && allowed.has(origin)) return { 'access-control-allow-origin': origin, vary: 'Origin' };
    return { vary: 'Origin' };
  };
  const decorate = (request: { event: HttpEvent; response: HttpResult | null | undefined }) => {
    if (!request.response) return;
    const added = originHeaders(request.event);
    // Keep a Vary another middleware set (compression's Accept-Encoding).
    if (added.vary !== undefined) added.vary = withVary(responseHeaderOf(request.response, 'vary'), added.vary);
    request.response.headers = {
      ...request.response.headers,
      ...added,
      'access-control-expose-headers': corsExposedHeaders.join(', '),
    };
  };

  return {
    name: 'cors',
    before: (request) => {
      if (request.event.requestContext?.http?.method !== 'OPTIONS') return undefined;
      const methods = corsMethodsFor(options.routes, request.event.rawPath);
      // An unknown path gets no allowed methods, so the browser blocks the request it asked about.
      if (methods.length === 0) return { statusCode: 204, headers: { ...originHeaders(request.event) } };
      return {
        statusCode: 204,
        headers: {
          ...originHeaders(request.event),
          'access-control-allow-methods': methods.join(', '),
          'access-control-allow-headers':
            headerOf(request.event, 'access-control-request-headers') ?? corsDefaultAllowHeaders,
          'access-control-max-age': maxAge,
        },
      };
    },
    after: decorate,
    onError: decorate,
  };
}
