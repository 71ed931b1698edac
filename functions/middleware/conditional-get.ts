import { createHash } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import { RecentMap } from '../../shared/recent-map.js';
import { headerOf, type HttpEvent, type HttpResult } from './http-event.js';

/** A weak validator from the body: the same body always gets the same ETag. */
function weakEtagOf(body: string): string {
  // The same string object comes back for cached pages; V8 caches a string's hash, so this lookup is cheap.
  const known = recentEtags.get(body);
  if (known !== undefined) return known;
  // Hashing the UTF-16 code units skips a UTF-8 encode (about a third of the cost on a 20 KB
  // Japanese page); the tag only has to change when the body does.
  const etag = `W/"${createHash('sha1').update(body, 'utf16le').digest('base64url')}"`;
  if (body.length <= recentEtagMaxChars) recentEtags.set(body, etag);
  return etag;
}
/** Only small bodies are remembered (a CSV export can be megabytes). */
const recentEtagMaxChars = 256 * 1024;
const recentEtags = new RecentMap<string>({ maxEntries: 256 });

/** RFC 9110 weak comparison against an If-None-Match list (or `*`). */
export function matchesIfNoneMatch(ifNoneMatch: string, etag: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = opaque(etag);
  return ifNoneMatch.split(',').some((candidate) => candidate.trim() === '*' || opaque(candidate) === wanted);
}

/**
 * For successful GET/HEAD responses: sets a weak `ETag` computed from the body, and answers
 * `304 Not Modified` (no body, same validators and Cache-Control) when `If-None-Match` matches.
 */
export function conditionalGet(): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    name: 'conditionalGet',
    after: (request) => {
      const response = request.response;
      const method = request.event.requestContext?.http?.method;
      if (!response || response.statusCode !== 200 || (method !== 'GET' && method !== 'HEAD')) return;
      if (typeof response.body !== 'string' || response.isBase64Encoded) return;
      const etag = weakEtagOf(response.body);
      response.headers = { ...response.headers, etag };
      const ifNoneMatch = headerOf(request.event, 'if-none-match');
      if (ifNoneMatch !== undefined && matchesIfNoneMatch(ifNoneMatch, etag)) {
        const kept: Record<string, string | number | boolean> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (['etag', 'cache-control', 'vary', 'content-location', 'expires'].includes(name.toLowerCase()))
            kept[name] = value;
        }
        request.response = { statusCode: 304, headers: kept, body: '' };
      }
    },
  };
}
