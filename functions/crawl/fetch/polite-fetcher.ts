import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { pipeline, type Readable, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Agent, request, type Dispatcher } from 'undici';
import * as z from 'zod';
import { systemClock, type Clock } from '../../../shared/clock.js';
import { PermanentFetchError, RetryLaterError, RobotsDisallowedError } from '../../../shared/errors.js';
import { silentLog, type Log } from '../../../shared/log.js';
import { parseInput } from '../../../shared/parse-input.js';
import { decodeBody } from './charset.js';
import { HostPacer, sharedHostPacer, timerSleep } from './host-pacer.js';
import type { FetchRequest, FetchResult, HttpFetcher } from './http-fetcher.js';
import { robotsPolicy, robotsUrlFor, type RobotsPolicy } from './robots.js';
import { isDowngrade, originAllowed } from './urls.js';

/**
 * The real `HttpFetcher`: polite, bounded and honest about failure.
 *
 * Built on undici's `request` with our own `Agent` rather than `fetch`: `request` does not follow
 * redirects (we must check every hop against `allowedHosts` and robots.txt), does not buffer or
 * decompress behind our back (we ask for gzip/deflate/br, decompress ourselves and count the
 * decompressed bytes as they stream, aborting past `maxBytes`), and the Agent gives a real
 * connect timeout plus a DNS hook for `*.localhost`. `FetchedPage.body` holds the decompressed bytes.
 *
 * Per request: robots.txt of the origin (fetched once per fetcher and cached), then the GET
 * through the shared per-host pacer, then redirects (each hop re-checked), then status handling:
 * - 2xx: body read up to `maxBytes`, decoded by `charset.ts`; a 202 with an empty body is a bot wall;
 * - 304: `{ status: 'not-modified' }` (validators come from `FetchRequest`);
 * - 429 and 5xx, and network errors: retried up to `retries` times with exponential backoff and
 *   jitter, waiting what Retry-After says when it says something; a Retry-After longer than
 *   `maxRetryAfterSec` is not waited for but thrown at once as `RetryLaterError` so the caller
 *   requeues; when retries run out, `RetryLaterError`;
 * - 403: bot wall (`PermanentFetchError`), never retried;
 * - other 4xx and odd statuses: `PermanentFetchError` with the status.
 *
 * `*.localhost` names resolve to 127.0.0.1 here (RFC 6761 §6.3), because the local sample sites
 * are virtual hosts under it and glibc does not resolve them.
 */
export const PoliteFetcherOptionsSchema = z.strictObject({
  /** Sent on every request, robots.txt included; must name the portal and a contact URL. */
  userAgent: z.string().regex(/https?:\/\//, 'must include a contact URL (http:// or https://)'),
  /**
   * Hostnames we may contact, the first URL and every redirect target alike (no SSRF through
   * redirects). `*.example.go.jp` allows every subdomain of example.go.jp. Scheme, host and port
   * are compared (`originAllowed` in urls.ts): an entry without `:port` allows only the default
   * port, and a redirect from https to http is not followed.
   */
  allowedHosts: z
    .array(
      z.string().regex(/^(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/i, 'expected a hostname or *.domain, optionally with :port'),
    )
    .min(1),
  /** Pause between two requests to one host (end of one to start of the next). Crawl-delay in robots.txt can raise it. */
  minDelayMs: z.number().int().min(0).default(1000),
  connectTimeoutMs: z.number().int().positive().default(10_000),
  /** For one HTTP exchange, headers and body (each retry and redirect hop gets its own). */
  totalTimeoutMs: z.number().int().positive().default(30_000),
  /** Body size cap in bytes, counted while streaming. */
  maxBytes: z
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  maxRedirects: z.number().int().min(0).max(5).default(5),
  /** Extra attempts after the first for 429, 5xx and network errors. */
  retries: z.number().int().min(0).max(10).default(3),
  /** First backoff; doubles per attempt, with jitter in [50 %, 100 %]. */
  retryBaseDelayMs: z.number().int().min(0).default(1000),
  maxRetryDelayMs: z.number().int().min(0).default(30_000),
  /** Longest Retry-After we wait in-line; beyond it, `RetryLaterError` right away. */
  maxRetryAfterSec: z.number().int().min(0).default(60),
  /** Cap on a robots.txt Crawl-delay we honour, in seconds. */
  maxCrawlDelaySec: z.number().min(0).default(30),
  pacer: z.instanceof(HostPacer).optional(),
  /** Waits for backoff and Retry-After; tests inject a recorder. */
  sleep: z.custom<(ms: number) => Promise<void>>((v) => typeof v === 'function', 'expected a function').optional(),
  /** For Retry-After HTTP-dates. */
  clock: z.custom<Clock>((v) => typeof v === 'object' && v !== null && 'now' in v, 'expected a Clock').optional(),
  /** Jitter source in [0, 1); default Math.random. */
  random: z.custom<() => number>((v) => typeof v === 'function', 'expected a function').optional(),
  log: z.custom<Log>((v) => typeof v === 'object' && v !== null && 'debug' in v, 'expected a Log').optional(),
});
export type PoliteFetcherOptions = z.input<typeof PoliteFetcherOptionsSchema>;

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
/** RFC 9309 §2.5: parse at least 500 KiB; the rest is cut off. */
const robotsMaxBytes = 512 * 1024;
/** METI-style WAFs answer 403, or 202 with an empty body (a JavaScript challenge), to non-browser agents. */
const botWallMessage = (status: number) =>
  `the site refused a non-browser agent (HTTP ${status} bot wall); not retried`;

/** Resolves `localhost` and `*.localhost` to loopback, everything else through the system resolver. */
const localhostAwareLookup: LookupFunction = (hostname, options, callback) => {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    if (options.all) {
      const all: LookupAddress[] = [{ address: '127.0.0.1', family: 4 }];
      callback(null, all);
    } else {
      callback(null, '127.0.0.1', 4);
    }
    return;
  }
  dnsLookup(hostname, options, callback);
};

/** One HTTP exchange's outcome, before status handling. */
interface Exchange {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** A decompressor for a Content-Encoding, undefined for identity; refuses (PermanentFetchError) one we cannot read. */
function decoderFor(contentEncoding: string | undefined, url: URL): Transform | undefined {
  const encoding = contentEncoding?.trim().toLowerCase();
  if (!encoding || encoding === 'identity') return undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') return createGunzip();
  if (encoding === 'deflate') return createInflate();
  if (encoding === 'br') return createBrotliDecompress();
  throw new PermanentFetchError(`unsupported Content-Encoding "${encoding}", expected gzip, deflate or br`, url.href);
}

function header(headers: Exchange['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Seconds to wait from a Retry-After value: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const code = 'code' in error && typeof error.code === 'string' ? `${error.code}: ` : '';
    return `${code}${error.message}`;
  }
  return String(error);
}

export class PoliteFetcher implements HttpFetcher {
  private readonly options: z.output<typeof PoliteFetcherOptionsSchema>;
  private readonly agent: Agent;
  private readonly pacer: HostPacer;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: Log;
  /** robots.txt per origin, fetched once for this fetcher's lifetime. */
  private readonly robots = new Map<string, Promise<RobotsPolicy>>();

  /** Throws `InvalidInputError` naming the bad option. */
  constructor(options: PoliteFetcherOptions) {
    this.options = parseInput(PoliteFetcherOptionsSchema, options);
    this.pacer = this.options.pacer ?? sharedHostPacer;
    this.sleep = this.options.sleep ?? timerSleep;
    this.clock = this.options.clock ?? systemClock;
    this.random = this.options.random ?? Math.random;
    this.log = this.options.log ?? silentLog;
    this.agent = new Agent({
      connect: { timeout: this.options.connectTimeoutMs, lookup: localhostAwareLookup },
      headersTimeout: this.options.totalTimeoutMs,
      bodyTimeout: this.options.totalTimeoutMs,
    });
  }

  /** Closes pooled connections; call when the crawl is done. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  async fetch(req: FetchRequest): Promise<FetchResult> {
    const start = this.parseUrl(req.url, req.url);
    const seen = [start.href];
    let current = start;
    for (;;) {
      const exchange = await this.fetchWithRetries(current, req);
      if (redirectStatuses.has(exchange.status)) {
        const location = header(exchange.headers, 'location');
        if (!location) {
          throw new PermanentFetchError(
            `HTTP ${exchange.status} redirect without a Location header`,
            req.url,
            exchange.status,
          );
        }
        const next = this.parseUrl(location, req.url, current);
        next.hash = '';
        if (isDowngrade(current, next)) {
          throw new PermanentFetchError(`redirect from https to ${next.href} not followed`, req.url, exchange.status);
        }
        if (seen.includes(next.href)) {
          throw new PermanentFetchError(
            `redirect loop: ${[...seen, next.href].join(' -> ')}`,
            req.url,
            exchange.status,
          );
        }
        if (seen.length > this.options.maxRedirects) {
          throw new PermanentFetchError(
            `more than ${this.options.maxRedirects} redirects: ${[...seen, next.href].join(' -> ')}`,
            req.url,
            exchange.status,
          );
        }
        seen.push(next.href);
        current = next;
        continue;
      }
      return this.toResult(req, current, exchange);
    }
  }

  /** Parses and vets a URL: http(s) only, no credentials, origin allowed. `base` resolves relative redirects. */
  private parseUrl(raw: string, requested: string, base?: URL): URL {
    let url: URL;
    try {
      url = new URL(raw, base);
    } catch (error) {
      throw new PermanentFetchError(`invalid URL "${raw}"`, requested, undefined, { cause: error });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new PermanentFetchError(`refusing ${url.protocol} URL ${url.href}, expected http or https`, requested);
    }
    if (url.username !== '' || url.password !== '') {
      throw new PermanentFetchError(`refusing URL with credentials on ${url.host}`, requested);
    }
    if (!originAllowed(url, this.options.allowedHosts)) {
      const what = base ? `redirect to ${url.href}` : `URL ${url.href}`;
      throw new PermanentFetchError(
        `${what} leaves the allowed hosts (${this.options.allowedHosts.join(', ')}); not followed`,
        requested,
      );
    }
    url.hash = '';
    return url;
  }

  private toResult(req: FetchRequest, url: URL, exchange: Exchange): FetchResult {
    const { status, headers, body } = exchange;
    if (status === 304) return { status: 'not-modified', url: req.url, finalUrl: url.href };
    if (status === 403 || (status === 202 && body.length === 0)) {
      throw new PermanentFetchError(botWallMessage(status), req.url, status);
    }
    if (status === 404 || status === 410) {
      throw new PermanentFetchError(`HTTP ${status}: the page is gone`, req.url, status);
    }
    if (status < 200 || status >= 300) {
      throw new PermanentFetchError(`HTTP ${status}; not retried`, req.url, status);
    }
    const contentType = header(headers, 'content-type');
    const decoded = decodeBody(body, {
      url: req.url,
      ...(contentType !== undefined ? { contentType } : {}),
      ...(req.charset !== undefined ? { override: req.charset } : {}),
    });
    const etag = header(headers, 'etag');
    const lastModified = header(headers, 'last-modified');
    return {
      status: 'ok',
      url: req.url,
      finalUrl: url.href,
      httpStatus: status,
      ...(contentType !== undefined ? { contentType } : {}),
      charset: decoded.charset,
      charsetSource: decoded.charsetSource,
      text: decoded.text,
      body,
      ...(etag !== undefined ? { etag } : {}),
      ...(lastModified !== undefined ? { lastModified } : {}),
    };
  }

  /** Robots check, then the paced GET, retried for 429/5xx/network errors. Returns any other status. */
  private async fetchWithRetries(url: URL, req: FetchRequest): Promise<Exchange> {
    const policy = await this.robotsFor(url);
    if (policy.kind === 'unreachable') {
      throw new RetryLaterError(
        `robots.txt of ${url.host} is unreachable (${policy.reason}); the host is off limits until it answers`,
      );
    }
    if (policy.kind === 'rules' && !policy.isAllowed(url.href)) {
      throw new RobotsDisallowedError(`robots.txt disallows ${url.pathname}${url.search} for our agent`, req.url);
    }
    const crawlDelayMs =
      policy.kind === 'rules' && policy.crawlDelaySec !== undefined
        ? Math.min(policy.crawlDelaySec, this.options.maxCrawlDelaySec) * 1000
        : 0;
    const delayMs = Math.max(this.options.minDelayMs, crawlDelayMs);
    const headers: Record<string, string> = {
      'user-agent': this.options.userAgent,
      accept:
        'text/html,application/xhtml+xml,application/xml;q=0.9,application/rss+xml,application/atom+xml,application/json;q=0.9,*/*;q=0.5',
      'accept-language': 'ja,en;q=0.5',
      'accept-encoding': 'gzip, deflate, br',
    };
    if (req.etag) headers['if-none-match'] = req.etag;
    if (req.lastModified) headers['if-modified-since'] = req.lastModified;

    // The whole attempt loop holds the host's pacer slot: while a site asks us to wait
    // (Retry-After, backoff), no other source sends it anything either.
    return this.pacer.run(url.hostname, delayMs, async () => {
      const attempts = this.options.retries + 1;
      const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
      for (let attempt = 1; ; attempt++) {
        let exchange: Exchange;
        try {
          exchange = await this.exchange(url, headers, this.options.maxBytes);
        } catch (error) {
          // A body refused by one hop (too large, unknown encoding) is refused for the URL asked for.
          if (error instanceof PermanentFetchError) {
            throw new PermanentFetchError(error.message, req.url, undefined, { cause: error });
          }
          const reason = describeNetworkError(error);
          if (attempt >= attempts) {
            throw new RetryLaterError(`network error after ${tries}: ${reason}`, undefined, {
              cause: error,
            });
          }
          const waitMs = Math.max(delayMs, this.backoffMs(attempt));
          this.log.debug('fetch retry', { url: url.href, attempt, reason, waitMs });
          await this.sleep(waitMs);
          continue;
        }
        const { status } = exchange;
        if (status !== 429 && status < 500) return exchange;

        const retryAfterSec = parseRetryAfter(header(exchange.headers, 'retry-after'), this.clock.now());
        if (retryAfterSec !== undefined && retryAfterSec > this.options.maxRetryAfterSec) {
          throw new RetryLaterError(
            `HTTP ${status}: the site asked to retry after ${retryAfterSec}s, longer than the ${this.options.maxRetryAfterSec}s we wait in-line`,
            retryAfterSec,
            { status },
          );
        }
        if (attempt >= attempts) {
          throw new RetryLaterError(`HTTP ${status} after ${tries}`, retryAfterSec, { status });
        }
        const waitMs = Math.max(delayMs, retryAfterSec !== undefined ? retryAfterSec * 1000 : this.backoffMs(attempt));
        this.log.debug('fetch retry', { url: url.href, attempt, status, waitMs });
        await this.sleep(waitMs);
      }
    });
  }

  /** Exponential backoff with jitter: base·2^(attempt-1), capped, then scaled into [50 %, 100 %]. */
  private backoffMs(attempt: number): number {
    const ceiling = Math.min(this.options.maxRetryDelayMs, this.options.retryBaseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling * (0.5 + this.random() / 2));
  }

  /** One GET: headers and body under one total timeout; body counted against `maxBytes`. */
  private async exchange(
    url: URL,
    headers: Record<string, string>,
    maxBytes: number,
    overflow: 'fail' | 'truncate' = 'fail',
  ): Promise<Exchange> {
    const signal = AbortSignal.timeout(this.options.totalTimeoutMs);
    const response: Dispatcher.ResponseData = await request(url, {
      method: 'GET',
      headers,
      dispatcher: this.agent,
      signal,
    });
    const tooLarge = `body exceeds ${maxBytes} bytes`;
    const declared = Number(header(response.headers, 'content-length'));
    if (overflow === 'fail' && Number.isFinite(declared) && declared > maxBytes) {
      response.body.destroy();
      throw new PermanentFetchError(tooLarge, url.href);
    }
    let decoder: Transform | undefined;
    try {
      decoder = decoderFor(header(response.headers, 'content-encoding'), url);
    } catch (error) {
      response.body.destroy();
      throw error;
    }
    // The cap counts decompressed bytes, so a small gzip bomb cannot slip under it.
    const stream: Readable = decoder ? pipeline(response.body, decoder, () => undefined) : response.body;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      const piece = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      size += piece.length;
      if (size > maxBytes) {
        stream.destroy();
        response.body.destroy();
        if (overflow === 'fail') throw new PermanentFetchError(tooLarge, url.href);
        chunks.push(piece.subarray(0, piece.length - (size - maxBytes)));
        break;
      }
      chunks.push(piece);
    }
    return { status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) };
  }

  /** The robots policy of `url`'s origin, fetched at most once per fetcher. */
  private robotsFor(url: URL): Promise<RobotsPolicy> {
    const origin = url.origin;
    let policy = this.robots.get(origin);
    if (!policy) {
      policy = this.loadRobots(url);
      this.robots.set(origin, policy);
    }
    return policy;
  }

  private async loadRobots(url: URL): Promise<RobotsPolicy> {
    const robotsUrl = robotsUrlFor(url.href);
    const headers = { 'user-agent': this.options.userAgent, accept: 'text/plain,*/*;q=0.5' };
    let current = new URL(robotsUrl);
    try {
      // RFC 9309 §2.3.1.2: follow at least five redirects; we follow them only to allowed hosts.
      for (let hop = 0; hop <= 5; hop++) {
        const exchange = await this.pacer.run(current.hostname, this.options.minDelayMs, () =>
          this.exchange(current, headers, robotsMaxBytes, 'truncate'),
        );
        if (redirectStatuses.has(exchange.status)) {
          const location = header(exchange.headers, 'location');
          const next = location ? new URL(location, current) : undefined;
          if (!next || !originAllowed(next, this.options.allowedHosts) || isDowngrade(current, next))
            return robotsPolicy(robotsUrl, this.options.userAgent, { status: 404, text: '' });
          current = next;
          continue;
        }
        return robotsPolicy(robotsUrl, this.options.userAgent, {
          status: exchange.status,
          text: exchange.body.toString('utf8'),
        });
      }
      return robotsPolicy(robotsUrl, this.options.userAgent, { status: 404, text: '' });
    } catch (error) {
      return robotsPolicy(robotsUrl, this.options.userAgent, { error: describeNetworkError(error) });
    }
  }
}
