import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { XMLValidator } from 'fast-xml-parser';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvColumns } from '../../functions/api/export-csv.js';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.js';
import { FixedClock } from '../../shared/clock.js';

/** The whole local stack on a temporary folder and a free port: sample sites → crawl → dynalite → index → API. */
const clock = new FixedClock('2026-11-28T12:00:00+09:00');
const cluster = encodeURIComponent('クラスター');
let dataDir: string;
let stack: LocalStack;

interface SearchBody {
  total: number;
  items: { id: string; title: string; status: string; highlights: Record<string, string[]>; sources: string[] }[];
  facets: Record<string, { value: string; count: number }[]>;
}

async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${stack.apiUrl}${path}`, { headers });
}
async function json<T>(path: string): Promise<T> {
  const response = await get(path);
  expect(response.status, `${path} answered ${response.status}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as T;
}

/** RFC 4180 reader for the test: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'chiiki-local-'));
  stack = await startLocalStack({ dataDir, port: 0, registry: 'sample', clock, schedule: false });
  await stack.firstCrawl;
}, 120_000);

afterAll(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local stack', () => {
  it("links the sample archive's three fiscal years into a series with a forecast, and not the 地域枠 call", async () => {
    const found = await json<SearchBody>(
      `/v1/search?q=${encodeURIComponent('地域イノベーション創出支援事業')}&kind=call`,
    );
    const r8 = found.items.find((i) => i.title.startsWith('令和8年度') && !i.title.includes('地域枠'));
    const quota = found.items.find((i) => i.title.includes('地域枠'));

    const item = await json<{ series?: { id: string; rounds: { label: string }[]; forecast: { text: string } } }>(
      `/v1/items/${r8?.id ?? ''}`,
    );
    const lookAlike = await json<{ series?: unknown }>(`/v1/items/${quota?.id ?? ''}`);
    const series = await json<{ evidence: { rule: string }[] }>(`/v1/series/${item.series?.id ?? ''}`);

    expect(item.series?.rounds.map((r) => r.label)).toEqual(['令和6年度', '令和7年度', '令和8年度']);
    expect(item.series?.forecast).toMatchObject({
      status: 'expected',
      opens: { from: '2027-03-25', to: '2027-04-15' },
    });
    expect(item.series?.forecast.text).toContain('見込み');
    expect(series.evidence.map((e) => e.rule)).toEqual(['title', 'title']);
    expect(lookAlike.series).toBeUndefined();
  });

  it('serves open calls about クラスター with highlights and facets after the first crawl', async () => {
    const body = await json<SearchBody>(`/v1/search?q=${cluster}&status=open`);

    expect(body.total).toBeGreaterThanOrEqual(3);
    expect(body.items.every((item) => item.status === 'open')).toBe(true);
    expect(
      body.items.every((item) =>
        Object.values(item.highlights)
          .flat()
          .some((f) => f.includes('<mark>クラスター</mark>')),
      ),
    ).toBe(true);
    expect(body.facets.kind?.find((f) => f.value === 'call')?.count).toBeGreaterThan(0);
    expect(body.facets.status).toEqual([{ value: 'open', count: body.total }]);
  });

  it('shows an item with provenance and its change history after the site changed', async () => {
    stack.sampleSites?.advance('changing');
    await stack.crawl(['sample-changing']);
    const hits = await json<SearchBody>(`/v1/search?q=${encodeURIComponent('地域産学官共同研究拠点整備事業')}`);
    const id = hits.items[0]?.id ?? '';

    const item = await json<{
      provenance: { sourceId: string; url: string }[];
      history: { version: number; material: boolean; changes: { field: string; before: unknown; after: unknown }[] }[];
      closesAt: string;
      version: number;
    }>(`/v1/items/${id}`);

    expect(item.provenance[0]?.sourceId).toBe('sample-changing');
    expect(item.version).toBe(2);
    expect(item.history[0]?.material).toBe(true);
    expect(item.history[0]?.changes.map((c) => c.field)).toContain('closesAt');
    expect(item.closesAt.startsWith('2026-12-24')).toBe(true);
  });

  it('lists every source with health: stale, failing and failed ones flagged', async () => {
    const body = await json<{
      sources: {
        id: string;
        verification: string;
        fixCommand?: string;
        health: {
          lastOutcome?: string;
          lastError?: string;
          stale: boolean;
          suspect: boolean;
          itemCount: number;
          neverRun: boolean;
          lastQuality?: { passed: boolean; problems: { code: string; messageJa: string }[] };
        };
      }[];
    }>('/v1/sources');
    const byId = new Map(body.sources.map((s) => [s.id, s.health]));

    expect(body.sources.map((s) => s.id)).toEqual(stack.sources.map((s) => s.id));
    expect(byId.get('sample-mext-rdf')).toMatchObject({ lastOutcome: 'succeeded', stale: false, neverRun: false });
    expect(byId.get('sample-mext-rdf')?.itemCount).toBeGreaterThan(0);
    expect(byId.get('sample-meti-atom')?.stale).toBe(true);
    expect(byId.get('sample-bot-wall')?.lastOutcome).toBe('failed');
    expect(byId.get('sample-bot-wall')?.lastError).toContain('403');
    const guess = body.sources.find((s) => s.id === 'sample-first-guess');
    expect(guess).toMatchObject({ verification: 'unverified', health: { lastOutcome: 'suspect', suspect: true } });
    expect(guess?.fixCommand).toMatch(
      /^npx chiiki source suggest --fetch 'http:\/\/first-guess\.localhost:\d+\/press\/index\.html'$/,
    );
    expect(guess?.health.lastQuality?.problems.map((p) => p.messageJa).join()).toContain('日付の指定を確認');
    expect(body.sources.find((s) => s.id === 'sample-mext-rdf')?.verification).toBe('sample');
  });

  it('publishes an OpenAPI 3.1 document that passes a real validator', async () => {
    const document = await json<Record<string, unknown>>('/v1/openapi.json');

    const validated = (await SwaggerParser.validate(document as never)) as {
      openapi?: string;
      paths?: Record<string, Record<string, unknown>>;
    };

    expect(validated.openapi).toBe('3.1.0');
    expect(Object.keys(validated.paths ?? {})).toEqual(
      expect.arrayContaining([
        '/v1/search',
        '/v1/items/{id}',
        '/v1/sources',
        '/v1/feed.rss',
        '/v1/feed.atom',
        '/v1/export.csv',
        '/v1/health',
        '/v1/subscriptions',
        '/v1/subscriptions/confirm',
        '/v1/subscriptions/manage',
        '/v1/subscriptions/unsubscribe',
        '/v1/subscriptions/mute',
      ]),
    );
    expect(Object.keys(validated.paths?.['/v1/subscriptions/manage'] ?? {}).sort()).toEqual(['get', 'post', 'put']);
    expect(Object.keys(validated.paths?.['/v1/subscriptions/unsubscribe'] ?? {}).sort()).toEqual(['get', 'post']);
  });

  it('serves any search as RSS 2.0 and Atom 1.0 that parse, with self links', async () => {
    const search = await json<SearchBody>(`/v1/search?q=${cluster}&size=50`);
    const rss = await (await get(`/v1/feed.rss?q=${cluster}`)).text();
    const atom = await (await get(`/v1/feed.atom?q=${cluster}`)).text();

    expect(XMLValidator.validate(rss)).toBe(true);
    expect(XMLValidator.validate(atom)).toBe(true);
    const parser = new Parser();
    const rssFeed = await parser.parseString(rss);
    const atomFeed = await parser.parseString(atom);
    expect(rssFeed.items).toHaveLength(search.total);
    expect(atomFeed.items).toHaveLength(search.total);
    expect(rssFeed.title).toContain('クラスター');
    expect(rssFeed.items.map((i) => i.guid).sort()).toEqual(search.items.map((i) => i.id).sort());
    expect(atomFeed.items.every((i) => i.link?.startsWith('http'))).toBe(true);
    expect(rss).toContain(`<atom:link href="${stack.apiUrl}/v1/feed.rss?q=${cluster}" rel="self"`);
    expect(atom).toContain(
      `<link rel="self" type="application/atom+xml" href="${stack.apiUrl}/v1/feed.atom?q=${cluster}"/>`,
    );
  });

  it('exports a search as CSV with a BOM, the documented columns and one row per hit', async () => {
    const search = await json<SearchBody>('/v1/search?kind=call&size=100');
    const response = await get('/v1/export.csv?kind=call');
    const bytes = Buffer.from(await response.arrayBuffer());

    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('x-export-truncated')).toBe('false');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(bytes.subarray(3).toString('utf8'));
    expect(rows[0]).toEqual([...csvColumns]);
    expect(rows).toHaveLength(search.total + 1);
    const kindCode = csvColumns.indexOf('種類コード');
    expect(
      rows.slice(1).every((row) => row.length === csvColumns.length && row[1] === '公募' && row[kindCode] === 'call'),
    ).toBe(true);
    expect(new Set(rows.slice(1).map((row) => row[0]))).toEqual(new Set(search.items.map((i) => i.id)));
  });

  it('answers 304 to a matching If-None-Match through the HTTP server', async () => {
    const first = await get('/v1/search?kind=news');
    const etag = first.headers.get('etag') ?? '';

    const second = await get('/v1/search?kind=news', { 'if-none-match': etag });

    expect(etag).toMatch(/^W\//);
    expect(second.status).toBe(304);
    expect(await second.text()).toBe('');
  });

  it('answers bad parameters with 400 naming them, never 500', async () => {
    const response = await get('/v1/search?prefecture=Atlantis&size=1000');
    const body = (await response.json()) as { error: string; issues: { path: string[] }[] };

    expect(response.status).toBe(400);
    expect(body.error).toBe('InvalidInputError');
    expect(body.issues.map((i) => i.path[0]).sort()).toEqual(['prefecture', 'size']);
  });

  it('keeps its data across a restart without re-indexing, and rebuilds a lost index from the store', async () => {
    const before = await json<SearchBody>(`/v1/search?q=${cluster}`);
    await stack.close();

    stack = await startLocalStack({
      dataDir,
      port: 0,
      registry: 'sample',
      clock,
      schedule: false,
      crawlOnStart: false,
    });
    const kept = await json<SearchBody>(`/v1/search?q=${cluster}`);
    expect(stack.indexOnStart.rebuilt).toBe(false);
    expect(kept.items.map((i) => i.id)).toEqual(before.items.map((i) => i.id));
    await stack.close();

    rmSync(join(dataDir, 'search'), { recursive: true, force: true });
    stack = await startLocalStack({
      dataDir,
      port: 0,
      registry: 'sample',
      clock,
      schedule: false,
      crawlOnStart: false,
    });
    const rebuilt = await json<SearchBody>(`/v1/search?q=${cluster}`);
    expect(stack.indexOnStart.rebuilt).toBe(true);
    expect(rebuilt.total).toBe(before.total);
  });
});
