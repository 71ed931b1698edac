import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSampleSiteServer, type SampleSiteServer } from '../../../../infra/local/sample-site-server.js';
import { FixedClock } from '../../../../shared/clock.js';
import { ConfigError } from '../../../../shared/errors.js';

const root = fileURLToPath(new URL('../../../fixtures/web/', import.meta.url));
const sampleSites = fileURLToPath(new URL('../../../../infra/local/sample-sites/', import.meta.url));
const clock = new FixedClock('2026-08-20T00:00:00Z');

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

let server: SampleSiteServer;

/** A GET with the Host header set, as a client resolving `<site>.localhost` would send it. */
function get(
  site: string | undefined,
  path: string,
  headers: Record<string, string> = {},
  port = server.port,
): Promise<Answer> {
  return new Promise((done, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        headers: { host: site ? `${site}.localhost:${port}` : `localhost:${port}`, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end();
  });
}

beforeAll(async () => {
  server = await startSampleSiteServer({ root, clock });
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.reset();
});

describe('startSampleSiteServer', () => {
  it('serves each site on its own virtual host', async () => {
    const plain = await get('plain', '/news.html');
    const euc = await get('euc', '/');

    expect(plain.status).toBe(200);
    expect(plain.body.toString('utf8')).toContain('お知らせ一覧');
    expect(euc.body.toString('latin1')).toContain('charset=EUC-JP');
  });

  it('lists the sites on the bare host', async () => {
    const index = await get(undefined, '/');

    expect(index.body.toString('utf8')).toContain(`href="http://sjis.localhost:${server.port}/"`);
    expect(server.sites().map((s) => s.name)).toContain('sjis');
  });

  it('serves files as stored bytes with the manifest charset in the Content-Type', async () => {
    const feed = await get('sjis', '/feed.rdf');

    expect(feed.headers['content-type']).toBe('application/rdf+xml; charset=Shift_JIS');
    expect(feed.body.includes(Buffer.from([0x8c, 0xf6, 0x95, 0xe5]))).toBe(true); // 公募 in Shift_JIS
  });

  it('sends an exact-path Content-Type verbatim, without the site charset', async () => {
    const feed = await get('sjis', '/declared.rdf');

    expect(feed.headers['content-type']).toBe('application/rdf+xml');
  });

  it('sends a strong ETag and a Last-Modified, and the Date of the injected clock', async () => {
    const page = await get('changing', '/page.html');

    expect(page.headers.etag).toMatch(/^"[\w-]{16}"$/);
    expect(page.headers['last-modified']).toBe('Sat, 01 Aug 2026 00:00:00 GMT');
    expect(page.headers.date).toBe('Thu, 20 Aug 2026 00:00:00 GMT');
  });

  it('answers 304 to a matching If-None-Match, and 200 to a stale one', async () => {
    const first = await get('plain', '/news.html');
    const etag = String(first.headers.etag);

    const same = await get('plain', '/news.html', { 'if-none-match': `"other", ${etag}` });
    const stale = await get('plain', '/news.html', { 'if-none-match': '"other"' });

    expect(same.status).toBe(304);
    expect(same.body.length).toBe(0);
    expect(stale.status).toBe(200);
  });

  it('gzips for a client that asks, with its own ETag, and sends identity otherwise', async () => {
    const zipped = await get('gzipped', '/', { 'accept-encoding': 'gzip, br' });
    const plain = await get('gzipped', '/');

    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('accept-encoding');
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.headers.etag).not.toBe(plain.headers.etag);
  });

  it('answers 304 to If-Modified-Since at or after Last-Modified', async () => {
    const page = await get('changing', '/page.html', { 'if-modified-since': 'Sat, 01 Aug 2026 00:00:00 GMT' });
    const older = await get('changing', '/page.html', { 'if-modified-since': 'Fri, 31 Jul 2026 00:00:00 GMT' });

    expect(page.status).toBe(304);
    expect(older.status).toBe(200);
  });

  it('serves ?page=N from list.page-N.html and a folder from its index.html', async () => {
    expect((await get('paged', '/list.html')).body.toString()).toContain('1ページ目');
    expect((await get('paged', '/list.html?page=2')).body.toString()).toContain('2ページ目');
    expect((await get('paged', '/list.html?page=3')).body.toString()).toContain('1ページ目');
    // OpenSearch-style start index (KAKEN's st) picks the same files; other parameters are ignored.
    expect((await get('paged', '/list.html?kw=x&st=2&appid=y')).body.toString()).toContain('2ページ目');
    expect((await get('paged', '/list.html?st=1')).body.toString()).toContain('1ページ目');
    expect((await get('paged', '/docs/')).body.toString()).toContain('資料');
  });

  it('never serves the manifest or anything outside the site folder', async () => {
    expect((await get('paged', '/_site.json')).status).toBe(404);
    expect((await get('paged', '/../plain/news.html')).status).toBe(404);
    expect((await get('paged', '/%2e%2e/plain/news.html')).status).toBe(404);
  });

  it('answers 404 for an unknown site or file', async () => {
    expect((await get('nosuchsite', '/')).status).toBe(404);
    expect((await get('plain', '/missing.html')).status).toBe(404);
  });

  it('counts hits per site and path, and logs each request', async () => {
    await get('plain', '/news.html');
    await get('plain', '/news.html?x=1');
    await get('paged', '/news.html');

    expect(server.hits('/news.html', 'plain')).toBe(2);
    expect(server.hits('/news.html')).toBe(3);
    expect(server.requests().map((r) => [r.site, r.path, r.status])).toEqual([
      ['plain', '/news.html', 200],
      ['plain', '/news.html', 200],
      ['paged', '/news.html', 404],
    ]);
  });

  describe('versions', () => {
    it('serves the next version of page.html after advance()', async () => {
      const before = await get('changing', '/page.html');
      server.reset();
      const fresh = await get('changing', '/page.html');
      server.advance('changing');
      const after = await get('changing', '/page.html');

      expect(before.body.toString()).toContain('第1版');
      expect(fresh.body.toString()).toContain('第1版');
      expect(after.body.toString()).toContain('第2版');
    });

    it('advances on its own with the changing behaviour and stays on the last version', async () => {
      const bodies = [];
      for (let i = 0; i < 3; i++) bodies.push((await get('changing', '/page.html')).body.toString());

      expect(bodies.map((b) => (b.includes('第2版') ? 2 : 1))).toEqual([1, 2, 2]);
    });
  });

  describe('behaviours', () => {
    it('rate-limit: 429 with Retry-After on the first of every two hits', async () => {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await get('rate-limited', '/')).status);
      const limited = await get('rate-limited', '/');

      expect(statuses).toEqual([429, 200, 429, 200]);
      expect(limited.headers['retry-after']).toBe('1');
    });

    it('rate-limit: Retry-After as an HTTP-date from the clock', async () => {
      const limited = await get('rate-limited-date', '/');

      expect(limited.headers['retry-after']).toBe('Thu, 20 Aug 2026 00:00:02 GMT');
    });

    it('flaky: fails the first N hits, then serves', async () => {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await get('flaky', '/')).status);

      expect(statuses).toEqual([500, 500, 200]);
    });

    it('never applies a behaviour to robots.txt', async () => {
      expect((await get('flaky', '/robots.txt')).status).toBe(404);
    });

    it('redirect-loop, redirect-chain and redirect-foreign send their Locations', async () => {
      expect((await get('loop', '/x')).headers.location).toBe('/x?loop=1');
      expect((await get('loop', '/x?loop=1')).headers.location).toBe('/x');
      expect((await get('chain3', '/?hop=2')).headers.location).toBe('/?hop=3');
      expect((await get('chain3', '/?hop=3')).status).toBe(200);
      expect((await get('redirect-foreign', '/a.html')).headers.location).toBe('http://elsewhere.example/a.html');
    });

    it('oversized: streams the declared size', async () => {
      const big = await get('oversized', '/');

      expect(big.body.length).toBe(2 * 1024 * 1024);
      expect(big.headers['content-length']).toBeUndefined();
    });

    it('bot-wall: refuses agents without Mozilla/ and serves browsers', async () => {
      const bot = await get('botwall', '/', { 'user-agent': 'chiiki-portal-crawler/0.1 (+https://x.example)' });
      const browser = await get('botwall', '/', { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)' });
      const empty = await get('botwall-empty', '/', { 'user-agent': 'curl/8' });

      expect(bot.status).toBe(403);
      expect(browser.status).toBe(200);
      expect(empty.status).toBe(202);
      expect(empty.body.length).toBe(0);
    });

    it('robots-unavailable: robots.txt fails, pages are served', async () => {
      expect((await get('robots-down', '/robots.txt')).status).toBe(503);
      expect((await get('robots-down', '/')).status).toBe(200);
    });

    it('gone: every path answers the status', async () => {
      expect((await get('gone', '/anything.html')).status).toBe(410);
    });
  });

  describe('manifest validation', () => {
    async function withSite(name: string, manifest: string): Promise<unknown> {
      const dir = await mkdtemp(join(tmpdir(), 'sample-sites-'));
      try {
        await mkdir(join(dir, name));
        await writeFile(join(dir, name, '_site.json'), manifest);
        const started = await startSampleSiteServer({ root: dir });
        await started.close();
        return undefined;
      } catch (error) {
        return error;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }

    it('names the site and the field of a bad manifest', async () => {
      const error = await withSite('bad', '{"behaviour":"rate-limit","retryAfterSec":"soon"}');

      expect(error).toBeInstanceOf(ConfigError);
      expect(String(error)).toMatch(/sample site "bad": invalid _site.json: retryAfterSec: /);
    });

    it('rejects unknown keys', async () => {
      const error = await withSite('typo', '{"charest":"utf-8"}');

      expect(String(error)).toMatch(/sample site "typo".*charest/);
    });

    it('rejects an unknown behaviour', async () => {
      expect(await withSite('odd', '{"behaviour":"teapot"}')).toBeInstanceOf(ConfigError);
    });

    it('rejects a folder name that is not a DNS label', async () => {
      const error = await withSite('Bad_Name', '{}');

      expect(String(error)).toMatch(/"Bad_Name" is not a lower-case DNS label/);
    });

    it('accepts every shipped sample site', async () => {
      const shipped = await startSampleSiteServer({ root: sampleSites });

      expect(shipped.sites().length).toBeGreaterThanOrEqual(10);
      await shipped.close();
    });
  });
});

describe('startSampleSiteServer with responseDelayMs', () => {
  it('answers every site request that much later', async () => {
    const slow = await startSampleSiteServer({ root, clock, responseDelayMs: 200 });
    try {
      const started = performance.now();

      const page = await get('plain', '/news.html', {}, slow.port);

      expect(page.status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    } finally {
      await slow.close();
    }
  });
});
