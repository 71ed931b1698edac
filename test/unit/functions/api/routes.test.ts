import { describe, expect, it } from 'vitest';
import { contractTimes, fixtureId } from '../../../support/search-corpus.js';
import { jsonOf, testApi } from './api-test-deps.js';

interface SearchBody {
  total: number;
  items: { id: string; title: string; status: string; highlights: { title?: string[] } }[];
  facets: Record<string, { value: string; count: number }[]>;
  nextCursor?: string;
}

describe('API routes', () => {
  it('searches with highlights and facets', async () => {
    const api = await testApi();

    const result = await api.call(`/v1/search?q=${encodeURIComponent('産学官')}`);

    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toContain('application/json');
    const body = jsonOf<SearchBody>(result);
    expect(body.items.map((item) => item.id)).toContain(fixtureId('sangakukan'));
    expect(body.items[0]?.highlights.title?.[0]).toContain('<mark>');
    expect(body.facets.kind?.length).toBeGreaterThan(0);
    expect(body.total).toBe(body.items.length);
  });

  it('filters by status at the clock time and pages with nextCursor', async () => {
    const api = await testApi();

    const first = jsonOf<SearchBody>(await api.call('/v1/search?status=open&size=2'));
    const second = jsonOf<SearchBody>(
      await api.call(`/v1/search?status=open&size=2&cursor=${encodeURIComponent(first.nextCursor ?? '')}`),
    );

    expect(first.items.every((item) => item.status === 'open')).toBe(true);
    expect(first.total).toBeGreaterThan(2);
    expect(second.items.map((item) => item.id)).not.toContain(first.items[0]?.id);
  });

  it('answers a bad parameter with 400 naming it', async () => {
    const api = await testApi();

    const result = await api.call('/v1/search?status=soon');

    expect(result.statusCode).toBe(400);
    const body = jsonOf<{ error: string; message: string; issues: { path: string[] }[]; requestId: string }>(result);
    expect(body.error).toBe('InvalidInputError');
    expect(body.issues[0]?.path).toEqual(['status']);
    expect(body.message).toContain('status: expected one of upcoming, open, closed');
    expect(body.requestId).toMatch(/.+/);
  });

  it('answers a forged cursor with 400, not 500', async () => {
    const api = await testApi();

    const result = await api.call('/v1/search?cursor=not-a-cursor');

    expect(result.statusCode).toBe(400);
  });

  it('returns 404 with the error shape for an unknown item and for an unknown route', async () => {
    const api = await testApi();

    const missing = await api.call(`/v1/items/${fixtureId('nothing-here')}`);
    const noRoute = await api.call('/v2/search');
    const badId = await api.call('/v1/items/12345');

    expect(missing.statusCode).toBe(404);
    expect(jsonOf(missing).error).toBe('NotFoundError');
    expect(noRoute.statusCode).toBe(404);
    expect(jsonOf(noRoute).message).toContain('/v2/search');
    expect(badId.statusCode).toBe(400);
    expect(jsonOf<{ issues: { path: string[] }[] }>(badId).issues[0]?.path).toEqual(['id']);
  });

  it('reports health with the number of indexed items', async () => {
    const api = await testApi();

    const body = jsonOf<{ status: string; indexedItems: number; time: string }>(await api.call('/v1/health'));

    expect(body).toEqual({ status: 'ok', indexedItems: 37, time: new Date(contractTimes.middle).toISOString() });
  });

  it('answers HEAD like GET', async () => {
    const api = await testApi();

    const result = await api.call('/v1/health', { method: 'HEAD' });

    expect(result.statusCode).toBe(200);
  });
});

describe('API links under a forged Host header', () => {
  const forged = { host: 'evil.example', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'evil.example' };
  const paths = [
    '/v1/openapi.json',
    '/v1/feed.rss?kind=call',
    '/v1/feed.atom?kind=call',
    '/v1/search?kind=call',
    '/v1/export.csv?kind=call',
    '/v1/sources',
    '/v1/health',
    '/v1/items/it_0000000000000000',
  ];

  it.each(paths)('never writes the Host into %s', async (path) => {
    const api = await testApi({ publicBaseUrl: 'https://api.example.jp/' });

    const result = await api.call(path, { headers: forged });

    expect(result.body ?? '').not.toContain('evil.example');
  });

  it('builds the OpenAPI servers and the feed links from PUBLIC_BASE_URL', async () => {
    const api = await testApi({ publicBaseUrl: 'https://api.example.jp/' });

    const openapi = jsonOf<{ servers: { url: string }[] }>(await api.call('/v1/openapi.json', { headers: forged }));
    const atom = (await api.call('/v1/feed.atom?kind=call', { headers: forged })).body ?? '';

    expect(openapi.servers).toEqual([{ url: 'https://api.example.jp' }]);
    expect(atom).toContain(
      '<link rel="self" type="application/atom+xml" href="https://api.example.jp/v1/feed.atom?kind=call"/>',
    );
    expect(atom).toContain('href="https://api.example.jp/v1/search?kind=call"');
    expect(atom).toContain('<link rel="alternate" type="text/html" href="https://api.example.jp/?kind=call"/>');
  });

  it('points the feed at PORTAL_URL when the portal lives elsewhere', async () => {
    const api = await testApi({ publicBaseUrl: 'https://api.example.jp', portalUrl: 'https://www.example.jp' });

    const rss = (await api.call('/v1/feed.rss?kind=call', { headers: forged })).body ?? '';

    expect(rss).toContain('<link>https://www.example.jp/?kind=call</link>');
    expect(rss).toContain('<atom:link href="https://api.example.jp/v1/feed.rss?kind=call" rel="self"');
  });
});

describe('request ids', () => {
  it('sends X-Request-Id on answers and on errors, the same id as an error body quotes', async () => {
    const api = await testApi();

    const ok = await api.call('/v1/health');
    const bad = await api.call('/v1/search?size=0');
    const headBad = await api.call('/v1/search?size=0', { method: 'HEAD' });

    expect(ok.headers?.['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(bad.headers?.['x-request-id']).toBe(jsonOf<{ requestId: string }>(bad).requestId);
    expect(headBad.statusCode).toBe(400);
    expect(headBad.headers?.['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
