import { describe, expect, it } from 'vitest';
import { redactPath } from '../../../../functions/middleware/request-log.js';
import { testApi } from '../api/api-test-deps.js';

describe('requestLog', () => {
  it('writes one info line per request with method, path, status and duration, and no query string', async () => {
    const api = await testApi();

    await api.call('/v1/search?q=secret-token&kind=call', { headers: { 'x-forwarded-for': '203.0.113.9' } });
    await api.call('/v1/search?kind=bad');

    const lines = api.log.entries.filter((entry) => entry.level === 'info');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      message: 'request finished',
      data: { method: 'GET', path: '/v1/search', status: 200 },
    });
    expect(lines[1]?.data).toMatchObject({ status: 400 });
    expect(typeof (lines[0]?.data as { durationMs: unknown }).durationMs).toBe('number');
    expect(JSON.stringify(api.log.entries)).not.toContain('secret-token');
    expect(JSON.stringify(api.log.entries)).not.toContain('203.0.113.9');
  });

  it('redacts token-like path segments but keeps item ids', () => {
    expect(redactPath('/v1/items/it_0123456789abcdef01234567')).toBe('/v1/items/it_0123456789abcdef01234567');
    expect(redactPath('/v1/subscriptions/confirm/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc')).toBe(
      '/v1/subscriptions/confirm/:redacted',
    );
  });
});
