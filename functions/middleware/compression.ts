import { gzipSync } from 'node:zlib';
import type { MiddlewareObj } from '@middy/core';
import { RecentMap } from '../../shared/recent-map.js';
import { headerOf, responseHeaderOf, type HttpEvent, type HttpResult } from './http-event.js';

/**
 * gzip for text responses when the client accepts it. API Gateway HTTP APIs do not compress
 * (REST APIs' `minimumCompressionSize` has no HTTP API counterpart), so the function does: a
 * search page of ~20 KB of JSON with Japanese text goes out as ~3 KB. The body becomes base64
 * with `isBase64Encoded`, which API Gateway (and the local adapter) turn back into bytes.
 * Bodies under `minChars`, non-text types and already encoded bodies pass as they are; every
 * compressible response says `Vary: Accept-Encoding` so shared caches keep both forms apart.
 * The ETag stays the body's (weak validators hold across content codings, RFC 9110 8.8.1).
 */
export function compression(options: { minChars?: number } = {}): MiddlewareObj<HttpEvent, HttpResult> {
  const minChars = options.minChars ?? 1024;
  return {
    name: 'compression',
    after: (request) => {
      const response = request.response;
      if (!response || typeof response.body !== 'string' || response.isBase64Encoded) return;
      if (
        !compressible.test(responseHeaderOf(response, 'content-type') ?? '') ||
        responseHeaderOf(response, 'content-encoding')
      )
        return;
      response.headers = { ...response.headers, vary: withVary(responseHeaderOf(response, 'vary'), 'Accept-Encoding') };
      if (response.body.length < minChars || !acceptsGzipCached(headerOf(request.event, 'accept-encoding'))) return;
      response.body = gzipBase64(response.body);
      response.isBase64Encoded = true;
      response.headers['content-encoding'] = 'gzip';
    },
  };
}

const compressible = /^(text\/|application\/([a-z.+-]*\+)?(json|xml)|application\/javascript)/iu;

/** Adds `token` to a Vary list unless it is there (or the list is `*`). */
export function withVary(current: string | undefined, token: string): string {
  if (!current) return token;
  const tokens = current.split(',').map((t) => t.trim().toLowerCase());
  return tokens.includes(token.toLowerCase()) || tokens.includes('*') ? current : `${current}, ${token}`;
}

/** Whether an Accept-Encoding list allows gzip (RFC 9110 12.5.3: `gzip`, or `*`, with a q above 0). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.split(';').map((p) => p.trim());
    const qParam = params.find((p) => /^q=/iu.test(p));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    const coding = name.toLowerCase();
    if (coding === 'gzip' || coding === 'x-gzip') gzip = Number.isNaN(q) ? 0 : q;
    else if (coding === '*') any = Number.isNaN(q) ? 0 : q;
  }
  return (gzip ?? any ?? 0) > 0;
}

/** `acceptsGzip` for the few distinct Accept-Encoding values clients send, remembered. */
function acceptsGzipCached(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined) return false;
  let accepts = acceptCache.get(acceptEncoding);
  if (accepts === undefined) {
    accepts = acceptsGzip(acceptEncoding);
    if (acceptCache.size >= 64) acceptCache.clear();
    acceptCache.set(acceptEncoding, accepts);
  }
  return accepts;
}
const acceptCache = new Map<string, boolean>();

/**
 * gzip as base64, remembered for recent bodies: a page the search micro-cache serves again is the
 * same string object each time (V8 keeps a string's hash), so it is compressed at most twice. A
 * body seen for the first time gets the fast level 1 (about half the CPU of level 6, ~17% larger);
 * one asked for again is popular, so it is compressed once more at level 6 and kept that way.
 */
function gzipBase64(body: string): string {
  const known = recent.get(body);
  if (known !== undefined && known.level === 6) return known.out;
  const level = known === undefined ? 1 : 6;
  const out = gzipSync(body, { level }).toString('base64');
  if (body.length <= recentMaxChars) recent.set(body, { out, level });
  return out;
}
const recentMaxChars = 256 * 1024;
const recent = new RecentMap<{ out: string; level: 1 | 6 }>({
  maxEntries: 256,
  maxWeight: 8 * 1024 * 1024,
  weigh: (body, { out }) => body.length + out.length,
});
