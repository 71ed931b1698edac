import { describe, expect, it } from 'vitest';
import { apiRoutes } from '../../../../functions/api/routes.js';
import { subscriptionRoutes } from '../../../../functions/api/subscription-routes.js';
import { corsMethodsFor, corsOriginsFrom } from '../../../../functions/middleware/cors.js';
import { testApi } from '../api/api-test-deps.js';

const subscriptions = subscriptionRoutes(() => Promise.reject(new Error('not used by a preflight')));

async function preflight(path: string, requestMethod: string) {
  const api = await testApi({ extraRoutes: subscriptions });
  return api.call(path, {
    method: 'OPTIONS',
    headers: { origin: 'https://portal.example.jp', 'access-control-request-method': requestMethod },
  });
}

describe('cors', () => {
  it('allows any origin with *', async () => {
    const api = await testApi({ corsOrigins: ['*'] });

    const result = await api.call('/v1/health', { headers: { origin: 'https://anywhere.example' } });

    expect(result.headers?.['access-control-allow-origin']).toBe('*');
  });

  it('echoes a listed origin and withholds others', async () => {
    const api = await testApi({
      corsOrigins: corsOriginsFrom('https://portal.example.jp, https://staging.example.jp/'),
    });

    const listed = await api.call('/v1/health', { headers: { origin: 'https://staging.example.jp' } });
    const other = await api.call('/v1/health', { headers: { origin: 'https://evil.example' } });

    expect(listed.headers?.['access-control-allow-origin']).toBe('https://staging.example.jp');
    expect(listed.headers?.vary).toBe('Accept-Encoding, Origin');
    expect(other.headers?.['access-control-allow-origin']).toBeUndefined();
  });

  it('answers a preflight with 204 and the allowed methods', async () => {
    const api = await testApi();

    const result = await api.call('/v1/search', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://portal.example.jp',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'if-none-match',
      },
    });

    expect(result.statusCode).toBe(204);
    expect(result.headers?.['access-control-allow-methods']).toContain('GET');
    expect(result.headers?.['access-control-allow-headers']).toBe('if-none-match');
  });

  it('allows exactly GET, POST and PUT (and OPTIONS) on the manage link, so a cross-origin PUT passes', async () => {
    const result = await preflight('/v1/subscriptions/manage', 'PUT');

    expect(result.statusCode).toBe(204);
    expect(result.headers?.['access-control-allow-methods']).toBe('GET, POST, PUT, OPTIONS');
  });

  it.each([
    ['/v1/search', 'GET, HEAD, OPTIONS'],
    ['/v1/items/it_0123456789abcdef01234567', 'GET, HEAD, OPTIONS'],
    ['/v1/subscriptions', 'POST, OPTIONS'],
    ['/v1/subscriptions/unsubscribe', 'GET, POST, OPTIONS'],
  ])('lists only the methods routed at %s', async (path, methods) => {
    const result = await preflight(path, 'GET');

    expect(result.headers?.['access-control-allow-methods']).toBe(methods);
  });

  it('allows no method on a path without routes', async () => {
    const result = await preflight('/v1/nothing-here', 'DELETE');

    expect(result.statusCode).toBe(204);
    expect(result.headers?.['access-control-allow-methods']).toBeUndefined();
  });

  it('never allows a method that has no route, and allows every one that has', async () => {
    const api = await testApi();
    const routes = [...apiRoutes(api.deps), ...subscriptions];

    for (const route of routes) {
      const allowed = corsMethodsFor(routes, route.path.replace('{id}', 'x'));
      const routed = routes.filter((r) => r.path === route.path).map((r) => r.method);
      expect(new Set(allowed)).toEqual(new Set([...routed, 'OPTIONS']));
    }
    expect(routes.some((r) => r.method === 'DELETE')).toBe(false);
  });

  it('adds CORS headers to error responses too', async () => {
    const api = await testApi();

    const result = await api.call('/v1/search?kind=nope');

    expect(result.statusCode).toBe(400);
    expect(result.headers?.['access-control-allow-origin']).toBe('*');
  });
});
