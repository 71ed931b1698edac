import { describe, expect, it } from 'vitest';
import { corsOriginsFrom } from '../../../../functions/middleware/cors.js';
import { testApi } from '../api/api-test-deps.js';

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

  it('adds CORS headers to error responses too', async () => {
    const api = await testApi();

    const result = await api.call('/v1/search?kind=nope');

    expect(result.statusCode).toBe(400);
    expect(result.headers?.['access-control-allow-origin']).toBe('*');
  });
});
