import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import type { MiddlewareObj } from '@middy/core';
import { RecentMap } from '../../shared/recent-map.js';
import { headerOf, responseHeaderOf, type HttpEvent, type HttpResult } from './http-event.js';

/** The content codings the API sends, best first. */
export type ContentCoding = 'br' | 'gzip';

/**
 * Compression for text responses when the client accepts it: Brotli (`br`) when the client allows
 * it, else gzip. API Gateway HTTP APIs do not compress (REST APIs' `minimumCompressionSize` has no
 * HTTP API counterpart), so the function does: a search page of ~30 KB of JSON with Japanese text
 * goes out as ~5 KB. Brotli at its fast setting costs about half the CPU of gzip's fastest level
 * for the same size, so it is preferred when both are equally acceptable. The body becomes base64
 * with `isBase64Encoded`, which API Gateway (and the local adapter) turn back into bytes.
 * Bodies under `minChars`, non-text types and already encoded bodies pass as they are; every
 * compressible response says `Vary: Accept-Encoding` so shared caches keep the forms apart.
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
      if (response.body.length < minChars) return;
      const coding = codingForCached(headerOf(request.event, 'accept-encoding'));
      if (coding === undefined) return;
      response.body = compressedBase64(response.body, coding);
      response.isBase64Encoded = true;
      response.headers['content-encoding'] = coding;
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

/**
 * The coding to answer an Accept-Encoding list with (RFC 9110 12.5.3): of `br` and `gzip` (or
 * `x-gzip`), the one with the highest q above 0, a coding not listed taking the q of `*`; `br`
 * on a tie. `undefined` when neither is acceptable (no header, `identity`, `q=0`): the body
 * goes out as it is.
 */
export function contentCodingFor(acceptEncoding: string | undefined): ContentCoding | undefined {
  if (!acceptEncoding) return undefined;
  let br: number | undefined;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.split(';').map((p) => p.trim());
    const qParam = params.find((p) => /^q=/iu.test(p));
    const parsed = qParam === undefined ? 1 : Number(qParam.slice(2));
    const q = Number.isNaN(parsed) ? 0 : parsed;
    const coding = name.toLowerCase();
    if (coding === 'br') br = q;
    else if (coding === 'gzip' || coding === 'x-gzip') gzip = q;
    else if (coding === '*') any = q;
  }
  const brQ = br ?? any ?? 0;
  const gzipQ = gzip ?? any ?? 0;
  if (brQ <= 0 && gzipQ <= 0) return undefined;
  return brQ >= gzipQ ? 'br' : 'gzip';
}

/** `contentCodingFor` for the few distinct Accept-Encoding values clients send, remembered. */
function codingForCached(acceptEncoding: string | undefined): ContentCoding | undefined {
  if (acceptEncoding === undefined) return undefined;
  let coding = codingCache.get(acceptEncoding);
  if (coding === undefined) {
    coding = contentCodingFor(acceptEncoding) ?? 'identity';
    if (codingCache.size >= 64) codingCache.clear();
    codingCache.set(acceptEncoding, coding);
  }
  return coding === 'identity' ? undefined : coding;
}
const codingCache = new Map<string, ContentCoding | 'identity'>();

/**
 * The body compressed, as base64, remembered for recent bodies: a page the search micro-cache
 * serves again is the same string object each time (V8 keeps a string's hash), so it is
 * compressed at most twice per coding. A body seen for the first time gets the fastest setting
 * (Brotli quality 0, gzip level 1: on a 20 KB search page Brotli 0 takes about two thirds of
 * Brotli 1's CPU and 60% of gzip 1's, for ~9% more bytes than either); one asked for again is
 * popular, so it is compressed once more at the tight setting (Brotli 5, gzip 6: 18–28% fewer
 * bytes for 2–5× the CPU) and kept that way.
 */
function compressedBase64(body: string, coding: ContentCoding): string {
  const recent = recentByCoding[coding];
  const known = recent.get(body);
  if (known !== undefined && known.tight) return known.out;
  const tight = known !== undefined;
  const out = compress(body, coding, tight).toString('base64');
  if (body.length <= recentMaxChars) recent.set(body, { out, tight });
  return out;
}

function compress(body: string, coding: ContentCoding, tight: boolean): Buffer {
  if (coding === 'gzip') return gzipSync(body, { level: tight ? 6 : 1 });
  const input = Buffer.from(body);
  return brotliCompressSync(input, {
    params: {
      [zlibConstants.BROTLI_PARAM_QUALITY]: tight ? 5 : 0,
      [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: input.length,
    },
  });
}

const recentMaxChars = 256 * 1024;
/** Compressed forms of recent bodies, per coding. */
const recentOf = () =>
  new RecentMap<{ out: string; tight: boolean }>({
    maxEntries: 256,
    maxWeight: 8 * 1024 * 1024,
    weigh: (body, { out }) => body.length + out.length,
  });
const recentByCoding: Record<ContentCoding, ReturnType<typeof recentOf>> = { br: recentOf(), gzip: recentOf() };
