import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HostPacer } from '../../../../../functions/crawl/fetch/host-pacer.js';
import {
  parseRetryAfter,
  PoliteFetcher,
  type PoliteFetcherOptions,
} from '../../../../../functions/crawl/fetch/polite-fetcher.js';
import type { FetchedPage, FetchResult } from '../../../../../functions/crawl/fetch/http-fetcher.js';
import { startSampleSiteServer, type SampleSiteServer } from '../../../../../infra/local/sample-site-server.js';
import { FixedClock } from '../../../../../shared/clock.js';
import {
  InvalidInputError,
  PermanentFetchError,
  RetryLaterError,
  RobotsDisallowedError,
} from '../../../../../shared/errors.js';

const root = fileURLToPath(new URL('../../../../fixtures/web/', import.meta.url));
const userAgent = 'chiiki-portal-crawler/0.1 (+https://chiiki-portal.example/crawler)';
const clock = new FixedClock('2026-08-20T00:00:00Z');

let server: SampleSiteServer;
let fetchers: PoliteFetcher[] = [];
let waits: number[] = [];

beforeAll(async () => {
  server = await startSampleSiteServer({ root, clock });
});

afterAll(async () => {
  await server.close();
});

beforeEach(async () => {
  await Promise.all(fetchers.map((f) => f.close()));
  fetchers = [];
  waits = [];
  server.reset();
});

const site = (name: string, path = '/') => `${server.siteUrl(name)}${path}`;

/** A fetcher with its own pacer and a sleep that records instead of waiting. */
function makeFetcher(overrides: Partial<PoliteFetcherOptions> = {}): PoliteFetcher {
  const fetcher = new PoliteFetcher({
    userAgent,
    allowedHosts: [`*.localhost:${server.port}`],
    minDelayMs: 0,
    retries: 3,
    retryBaseDelayMs: 1000,
    clock,
    random: () => 0.5,
    pacer: new HostPacer(),
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...overrides,
  });
  fetchers.push(fetcher);
  return fetcher;
}

function ok(result: FetchResult): FetchedPage {
  if (result.status !== 'ok') throw new Error(`expected a page, got ${result.status}`);
  return result;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected the fetch to fail');
}

describe('PoliteFetcher', () => {
  it('fetches a page with its validators, decoded text and our User-Agent', async () => {
    const page = ok(await makeFetcher().fetch({ url: site('plain', '/news.html') }));

    expect(page).toMatchObject({ httpStatus: 200, charset: 'utf-8', finalUrl: site('plain', '/news.html') });
    expect(page.text).toContain('お知らせ一覧');
    expect(page.etag).toMatch(/^"[\w-]{16}"$/);
    expect(page.lastModified).toMatch(/GMT$/);
    expect(server.requests().map((r) => r.userAgent)).toEqual([userAgent, userAgent]);
  });

  it('answers not-modified to a conditional GET with the stored ETag', async () => {
    const fetcher = makeFetcher();
    const first = ok(await fetcher.fetch({ url: site('plain', '/news.html') }));

    const second = await fetcher.fetch({
      url: site('plain', '/news.html'),
      ...(first.etag ? { etag: first.etag } : {}),
    });

    expect(second).toEqual({
      status: 'not-modified',
      url: site('plain', '/news.html'),
      finalUrl: site('plain', '/news.html'),
    });
  });

  it('answers not-modified to a conditional GET with the stored Last-Modified', async () => {
    const fetcher = makeFetcher();
    const first = ok(await fetcher.fetch({ url: site('plain', '/news.html') }));

    const second = await fetcher.fetch({
      url: site('plain', '/news.html'),
      ...(first.lastModified ? { lastModified: first.lastModified } : {}),
    });

    expect(second.status).toBe('not-modified');
  });

  it('fetches a changed page in full even when validators are sent', async () => {
    const fetcher = makeFetcher();
    const first = ok(await fetcher.fetch({ url: site('changing', '/page.html') }));

    const second = ok(
      await fetcher.fetch({ url: site('changing', '/page.html'), ...(first.etag ? { etag: first.etag } : {}) }),
    );

    expect(first.text).toContain('第1版');
    expect(second.text).toContain('第2版');
    expect(second.etag).not.toBe(first.etag);
  });

  describe('robots.txt', () => {
    it('refuses a disallowed path with RobotsDisallowedError and never requests it', async () => {
      const error = await failure(makeFetcher().fetch({ url: site('plain', '/private/secret.html') }));

      expect(error).toBeInstanceOf(RobotsDisallowedError);
      expect(error).toBeInstanceOf(PermanentFetchError);
      expect(error).toMatchObject({
        reason: 'robots',
        message: 'robots.txt disallows /private/secret.html for our agent',
      });
      expect(server.hits('/private/secret.html', 'plain')).toBe(0);
    });

    it('fetches robots.txt once per host for the fetcher lifetime', async () => {
      const fetcher = makeFetcher();

      await fetcher.fetch({ url: site('plain', '/') });
      await fetcher.fetch({ url: site('plain', '/news.html') });
      await failure(fetcher.fetch({ url: site('plain', '/private/secret.html') }));

      expect(server.hits('/robots.txt', 'plain')).toBe(1);
    });

    it('obeys a group addressed to our product token', async () => {
      const error = await failure(makeFetcher().fetch({ url: site('ours-only', '/') }));

      expect(error).toBeInstanceOf(RobotsDisallowedError);
    });

    it('treats a missing robots.txt (404) as allow-all', async () => {
      const page = ok(await makeFetcher().fetch({ url: site('sjis', '/feed.rdf') }));

      expect(page.httpStatus).toBe(200);
      expect(server.hits('/robots.txt', 'sjis')).toBe(1);
    });

    it('keeps off a host whose robots.txt answers 503, as a temporary condition', async () => {
      const error = await failure(makeFetcher().fetch({ url: site('robots-down', '/') }));

      expect(error).toBeInstanceOf(RetryLaterError);
      expect(error.message).toContain('robots.txt of robots-down.localhost');
      expect(server.hits('/', 'robots-down')).toBe(0);
    });

    it('paces by a Crawl-delay longer than our minimum', async () => {
      const pacerWaits: number[] = [];
      const pacer = new HostPacer({
        sleep: async (ms) => {
          pacerWaits.push(ms);
        },
      });
      const fetcher = makeFetcher({ pacer, minDelayMs: 10 });

      await fetcher.fetch({ url: site('crawl-delay', '/') });

      expect(pacerWaits.some((ms) => ms > 900)).toBe(true);
    });
  });

  describe('retries', () => {
    it('honours Retry-After in seconds on 429 and then succeeds', async () => {
      const page = ok(await makeFetcher().fetch({ url: site('rate-limited', '/') }));

      expect(page.text).toContain('レート制限');
      expect(waits).toEqual([1000]);
      expect(server.hits('/', 'rate-limited')).toBe(2);
    });

    it('keeps every fetcher off the host while one waits out a Retry-After', async () => {
      const pacer = new HostPacer();
      let resume: () => void = () => undefined;
      const a = makeFetcher({
        pacer,
        sleep: (ms) => {
          waits.push(ms);
          return new Promise<void>((done) => (resume = done));
        },
      });
      const b = makeFetcher({ pacer });

      const first = a.fetch({ url: site('rate-limited', '/') });
      while (waits.length === 0) await new Promise((done) => setTimeout(done, 5));
      const second = b.fetch({ url: site('rate-limited', '/index.html') });
      await new Promise((done) => setTimeout(done, 100));
      const hitsWhileWaiting = server.hits('/index.html', 'rate-limited');
      resume();
      await Promise.all([first, second]);

      expect(waits[0]).toBe(1000);
      expect(hitsWhileWaiting).toBe(0);
      expect(server.hits('/index.html', 'rate-limited')).toBeGreaterThan(0);
    });

    it('honours Retry-After given as an HTTP-date', async () => {
      ok(await makeFetcher().fetch({ url: site('rate-limited-date', '/') }));

      expect(waits).toEqual([2000]);
    });

    it('requeues at once when Retry-After is beyond what we wait in-line', async () => {
      const error = await failure(makeFetcher({ maxRetryAfterSec: 60 }).fetch({ url: site('rate-limited-long', '/') }));

      expect(error).toBeInstanceOf(RetryLaterError);
      expect(error).toMatchObject({ retryAfterSec: 3600 });
      expect(waits).toEqual([]);
      expect(server.hits('/', 'rate-limited-long')).toBe(1);
    });

    it('retries flaky 500s with exponential backoff and jitter, then succeeds', async () => {
      const page = ok(await makeFetcher().fetch({ url: site('flaky', '/') }));

      expect(page.text).toContain('不安定');
      // base 1000 ms doubling, jitter fixed at 75 % by random() = 0.5
      expect(waits).toEqual([750, 1500]);
      expect(server.hits('/', 'flaky')).toBe(3);
    });

    it('gives up with RetryLaterError when 5xx outlasts the retries', async () => {
      const error = await failure(makeFetcher({ retries: 2 }).fetch({ url: site('broken', '/') }));

      expect(error).toBeInstanceOf(RetryLaterError);
      expect(error.message).toBe('HTTP 503 after 3 attempts');
      expect(server.hits('/', 'broken')).toBe(3);
    });

    it('keeps jittered backoff under the cap', async () => {
      const fetcher = makeFetcher({ retries: 5, retryBaseDelayMs: 1000, maxRetryDelayMs: 3000, random: () => 0.999 });

      await failure(fetcher.fetch({ url: site('broken', '/') }));

      expect(waits).toHaveLength(5);
      expect(Math.max(...waits)).toBeLessThanOrEqual(3000);
      expect(waits[0]).toBeGreaterThanOrEqual(500);
    });
  });

  describe('redirects', () => {
    it('follows redirects and reports the final URL', async () => {
      const page = ok(await makeFetcher().fetch({ url: site('chain3', '/') }));

      expect(page.finalUrl).toBe(site('chain3', '/?hop=3'));
      expect(page.url).toBe(site('chain3', '/'));
    });

    it('stops a redirect loop', async () => {
      const error = await failure(makeFetcher().fetch({ url: site('loop', '/') }));

      expect(error).toBeInstanceOf(PermanentFetchError);
      expect(error.message).toMatch(/^redirect loop: /);
      expect(server.hits('/', 'loop')).toBe(2);
    });

    it('refuses more than five redirects', async () => {
      const error = await failure(makeFetcher().fetch({ url: site('chain6', '/') }));

      expect(error).toBeInstanceOf(PermanentFetchError);
      expect(error.message).toMatch(/^more than 5 redirects/);
      expect(server.hits('/', 'chain6')).toBe(6);
    });

    it('refuses a redirect to a host that is not allowed, without contacting it', async () => {
      const allowed = `redirect-foreign.localhost:${server.port}`;
      const fetcher = makeFetcher({ allowedHosts: [allowed] });

      const error = await failure(fetcher.fetch({ url: site('redirect-foreign', '/') }));

      expect(error).toBeInstanceOf(PermanentFetchError);
      expect(error.message).toBe(
        `redirect to http://elsewhere.example/ leaves the allowed hosts (${allowed}); not followed`,
      );
    });

    it.each([
      ['another port on the allowed host', (port: number) => `http://hostile.localhost:${port + 1}/x`],
      ['the default port of the allowed host', () => 'http://hostile.localhost/x'],
      ['a loopback address', (port: number) => `http://127.0.0.1:${port}/x`],
      ['an IPv6 loopback address', (port: number) => `http://[::1]:${port}/x`],
      ['a URL with credentials', (port: number) => `http://user:pass@hostile.localhost:${port}/x`],
      ['a file: URL', () => 'file:///etc/passwd'],
    ])('refuses a redirect to %s, without contacting it', async (_what, target) => {
      const hostile = await startRedirector((port) => target(port));
      const fetcher = makeFetcher({ allowedHosts: [`hostile.localhost:${hostile.port}`] });

      const error = await failure(fetcher.fetch({ url: `http://hostile.localhost:${hostile.port}/start` }));

      expect(error).toBeInstanceOf(PermanentFetchError);
      expect(hostile.paths).toEqual(['/robots.txt', '/start']);
      await hostile.close();
    });

    it('follows a redirect to another path on the same origin', async () => {
      const hostile = await startRedirector((port) => `http://hostile.localhost:${port}/x`);
      const fetcher = makeFetcher({ allowedHosts: [`hostile.localhost:${hostile.port}`] });

      const result = await fetcher.fetch({ url: `http://hostile.localhost:${hostile.port}/start` });

      expect(result.status).toBe('ok');
      expect(hostile.paths).toEqual(['/robots.txt', '/start', '/x']);
      await hostile.close();
    });

    it('refuses a first URL whose host is not allowed', async () => {
      const error = await failure(
        makeFetcher({ allowedHosts: [`plain.localhost:${server.port}`] }).fetch({ url: site('sjis', '/feed.rdf') }),
      );

      expect(error).toBeInstanceOf(PermanentFetchError);
      expect(server.requests()).toHaveLength(0);
    });
  });

  describe('limits', () => {
    it('aborts a streamed body past the size cap', async () => {
      const error = await failure(makeFetcher({ maxBytes: 1024 * 1024 }).fetch({ url: site('oversized', '/') }));

      expect(error).toEqual(new PermanentFetchError('body exceeds 1048576 bytes', site('oversized', '/')));
    });

    it('refuses a declared Content-Length past the cap before reading', async () => {
      const error = await failure(
        makeFetcher({ maxBytes: 1024 * 1024 }).fetch({ url: site('oversized-declared', '/') }),
      );

      expect(error.message).toBe('body exceeds 1048576 bytes');
    });

    it('times out a server that does not answer, then gives up for now', async () => {
      const error = await failure(
        makeFetcher({ totalTimeoutMs: 200, retries: 1 }).fetch({ url: site('stalled', '/') }),
      );

      expect(error).toBeInstanceOf(RetryLaterError);
      expect(error.message).toMatch(/^network error after 2 attempts: /);
      expect(waits).toEqual([750]);
    });

    it('times out a body that stops half-way', async () => {
      const error = await failure(
        makeFetcher({ totalTimeoutMs: 300, retries: 0 }).fetch({ url: site('stalled-body', '/') }),
      );

      expect(error).toBeInstanceOf(RetryLaterError);
      expect(error.message).toMatch(/^network error after 1 attempt: /);
    });

    it('gives up on a connection that never completes after the connect timeout', async () => {
      // A TCP server that accepts but never speaks: the TLS handshake of an https URL cannot finish.
      const sockets = new Set<Socket>();
      const silent = createServer((socket) => sockets.add(socket));
      await new Promise<void>((done) => silent.listen(0, '127.0.0.1', () => done()));
      const { port } = silent.address() as AddressInfo;

      const error = await failure(
        makeFetcher({
          connectTimeoutMs: 200,
          totalTimeoutMs: 20_000,
          retries: 0,
          allowedHosts: [`silent.localhost:${port}`],
        }).fetch({
          url: `https://silent.localhost:${port}/`,
        }),
      );
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => silent.close(done));

      expect(error).toBeInstanceOf(RetryLaterError);
      expect(error.message).toContain('UND_ERR_CONNECT_TIMEOUT');
    });

    it('reports a refused connection as a network error', async () => {
      const closed = await startSampleSiteServer({ root });
      const url = `${closed.siteUrl('plain')}/`;
      await closed.close();

      const error = await failure(
        makeFetcher({ retries: 0, allowedHosts: [`plain.localhost:${closed.port}`] }).fetch({ url }),
      );

      expect(error).toBeInstanceOf(RetryLaterError);
      expect(error.message).toContain('ECONNREFUSED');
    });
  });

  describe('bot walls and gone pages', () => {
    it('reports a 403 bot wall once, without retrying', async () => {
      const error = await failure(makeFetcher().fetch({ url: site('botwall', '/') }));

      expect(error).toEqual(
        new PermanentFetchError(
          'the site refused a non-browser agent (HTTP 403 bot wall); not retried',
          site('botwall', '/'),
          403,
        ),
      );
      expect(server.hits('/', 'botwall')).toBe(1);
      expect(waits).toEqual([]);
    });

    it('reports an empty 202 as a bot wall, without retrying', async () => {
      const error = await failure(makeFetcher().fetch({ url: site('botwall-empty', '/') }));

      expect(error).toBeInstanceOf(PermanentFetchError);
      expect(error.message).toBe('the site refused a non-browser agent (HTTP 202 bot wall); not retried');
      expect(server.hits('/', 'botwall-empty')).toBe(1);
    });

    it('reports 410 as gone', async () => {
      const error = await failure(makeFetcher().fetch({ url: site('gone', '/old.html') }));

      expect(error).toMatchObject({ status: 410, message: 'HTTP 410: the page is gone' });
    });
  });

  describe('charsets', () => {
    it('decodes a Shift_JIS feed named by the Content-Type', async () => {
      const page = ok(await makeFetcher().fetch({ url: site('sjis', '/feed.rdf') }));

      expect(page).toMatchObject({
        charset: 'shift_jis',
        charsetSource: 'header',
        contentType: 'application/rdf+xml; charset=Shift_JIS',
      });
      expect(page.text).toContain('「都市エリア産学官連携促進事業」の公募を開始します');
    });

    it('detects Shift_JIS when neither header nor document declare it', async () => {
      const page = ok(await makeFetcher().fetch({ url: site('sjis', '/undeclared.rdf') }));

      expect(page).toMatchObject({ charset: 'shift_jis', charsetSource: 'detected' });
    });

    it('decodes an EUC-JP page from its meta tag', async () => {
      const page = ok(await makeFetcher().fetch({ url: site('euc', '/') }));

      expect(page).toMatchObject({ charset: 'euc-jp', charsetSource: 'declaration' });
      expect(page.text).toContain('地域新生コンソーシアム研究開発事業の募集について');
    });

    it('applies the per-source override', async () => {
      const page = ok(await makeFetcher().fetch({ url: site('euc', '/undeclared.html'), charset: 'EUC-JP' }));

      expect(page).toMatchObject({ charset: 'euc-jp', charsetSource: 'override' });
    });

    it('fails clearly when the override does not fit', async () => {
      const error = await failure(makeFetcher().fetch({ url: site('euc', '/undeclared.html'), charset: 'utf-8' }));

      expect(error).toBeInstanceOf(PermanentFetchError);
      expect(error.message).toBe('body is not valid utf-8, which the source definition requires');
    });
  });

  describe('compression', () => {
    it('asks for gzip and hands back decompressed bytes and text', async () => {
      const page = ok(await makeFetcher().fetch({ url: site('gzipped', '/') }));

      expect(page.text).toContain('地域新生コンソーシアム研究開発事業の公募について（第60回）');
      expect(page.body.toString('utf8')).toBe(page.text);
    });

    it('reads gzip sent without being asked for', async () => {
      const page = ok(await makeFetcher().fetch({ url: site('gzip-always', '/') }));

      expect(page.text).toContain('（第1回）');
    });

    it('applies the size cap to the decompressed bytes', async () => {
      const error = await failure(makeFetcher({ maxBytes: 2000 }).fetch({ url: site('gzipped', '/') }));

      expect(error.message).toBe('body exceeds 2000 bytes');
    });

    it('answers not-modified to the ETag of the compressed representation', async () => {
      const fetcher = makeFetcher();
      const first = ok(await fetcher.fetch({ url: site('gzipped', '/') }));

      const second = await fetcher.fetch({ url: site('gzipped', '/'), ...(first.etag ? { etag: first.etag } : {}) });

      expect(second.status).toBe('not-modified');
    });
  });

  describe('pacing', () => {
    it('never overlaps two requests to one host, even from two fetchers, and keeps the minimum gap', async () => {
      const pacer = new HostPacer();
      const a = makeFetcher({ pacer, minDelayMs: 50 });
      const b = makeFetcher({ pacer, minDelayMs: 50 });

      await Promise.all([
        a.fetch({ url: site('slow', '/a.html') }),
        b.fetch({ url: site('slow', '/b.html') }),
        a.fetch({ url: site('slow', '/c.html') }),
      ]);

      const served = server
        .requests()
        .filter((r) => r.site === 'slow')
        .sort((x, y) => x.startedAtMs - y.startedAtMs);
      expect(served.map((r) => r.path).sort()).toEqual(['/a.html', '/b.html', '/c.html', '/robots.txt', '/robots.txt']);
      for (let i = 1; i < served.length; i++) {
        const previous = served[i - 1];
        const current = served[i];
        if (!previous || !current) throw new Error('unreachable');
        // 5 ms of slack: the server logs "end" when the socket write completes, the client sees it a moment later.
        expect(current.startedAtMs).toBeGreaterThanOrEqual(previous.endedAtMs + 50 - 5);
      }
    });
  });

  describe('options', () => {
    it('rejects a User-Agent without a contact URL, naming the field', () => {
      expect(() => new PoliteFetcher({ userAgent: 'chiiki-portal', allowedHosts: ['x.localhost'] })).toThrow(
        InvalidInputError,
      );
      expect(() => new PoliteFetcher({ userAgent: 'chiiki-portal', allowedHosts: ['x.localhost'] })).toThrow(
        /userAgent/,
      );
    });

    it('rejects unknown options', () => {
      const options = { userAgent, allowedHosts: ['x.localhost'], minDelaySec: 1 };

      expect(() => new PoliteFetcher(options as PoliteFetcherOptions)).toThrow(/minDelaySec|unrecognized/i);
    });

    it('rejects more than 5 redirects', () => {
      expect(() => new PoliteFetcher({ userAgent, allowedHosts: ['x.localhost'], maxRedirects: 6 })).toThrow(
        /maxRedirects/,
      );
    });
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-08-20T00:00:00Z');

  it.each([
    ['120', 120],
    [' 0 ', 0],
    ['Thu, 20 Aug 2026 00:00:30 GMT', 30],
    ['Wed, 19 Aug 2026 23:00:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('reads %s as %s seconds', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

/** A server that redirects `/start` to `target(port)` and answers anything else with a small page. */
async function startRedirector(
  target: (port: number) => string,
): Promise<{ port: number; paths: string[]; close: () => Promise<void> }> {
  const paths: string[] = [];
  const server = createHttpServer((req, res) => {
    paths.push(req.url ?? '');
    if (req.url === '/start') {
      res.writeHead(302, { location: target(port) }).end();
    } else if (req.url === '/robots.txt') {
      res.writeHead(404).end();
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<p>ok</p>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, paths, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
