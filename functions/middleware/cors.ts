import type { MiddlewareObj } from '@middy/core';
import { withVary } from './compression.js';
import { headerOf, responseHeaderOf, type HttpEvent, type HttpResult } from './http-event.js';

export interface CorsOptions {
  /** `*` or exact origins such as `https://portal.example.jp` (from CORS_ORIGINS). */
  readonly origins: readonly string[];
  readonly methods?: readonly string[];
  readonly maxAgeSec?: number;
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
 * requests itself with 204. With a list of origins, a matching `Origin` is echoed and
 * `Vary: Origin` set; other origins get no CORS headers (the browser blocks them).
 */
export function cors(options: CorsOptions): MiddlewareObj<HttpEvent, HttpResult> {
  const any = options.origins.includes('*');
  const allowed = new Set(options.origins);
  const methods = (options.methods ?? ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS']).join(', ');
  const maxAge = String(options.maxAgeSec ?? 600);

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
      'access-control-expose-headers': 'ETag, Retry-After, X-Export-Truncated, X-Request-Id',
    };
  };

  return {
    name: 'cors',
    before: (request) => {
      if (request.event.requestContext?.http?.method !== 'OPTIONS') return undefined;
      return {
        statusCode: 204,
        headers: {
          ...originHeaders(request.event),
          'access-control-allow-methods': methods,
          'access-control-allow-headers': headerOf(request.event, 'access-control-request-headers') ?? 'content-type',
          'access-control-max-age': maxAge,
        },
      };
    },
    after: decorate,
    onError: decorate,
  };
}
