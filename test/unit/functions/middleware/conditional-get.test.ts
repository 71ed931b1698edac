import { describe, expect, it } from 'vitest';
import { matchesIfNoneMatch } from '../../../../functions/middleware/conditional-get.js';
import { testApi } from '../api/api-test-deps.js';

describe('conditionalGet', () => {
  it('sends a weak ETag and answers 304 with no body when If-None-Match matches', async () => {
    const api = await testApi();
    const first = await api.call('/v1/search?kind=call');
    const etag = String(first.headers?.etag);

    const second = await api.call('/v1/search?kind=call', { headers: { 'if-none-match': etag } });

    expect(etag).toMatch(/^W\/".+"$/);
    expect(second.statusCode).toBe(304);
    expect(second.body).toBe('');
    expect(second.headers?.etag).toBe(etag);
    expect(second.headers?.['cache-control']).toBe('public, max-age=60');
  });

  it('answers 200 when the body changed', async () => {
    const api = await testApi();

    const result = await api.call('/v1/search?kind=news', { headers: { 'if-none-match': 'W/"stale"' } });

    expect(result.statusCode).toBe(200);
  });

  it.each([
    ['W/"abc"', 'W/"abc"', true],
    ['"abc"', 'W/"abc"', true],
    ['"x", W/"abc"', 'W/"abc"', true],
    ['*', 'W/"abc"', true],
    ['W/"abd"', 'W/"abc"', false],
  ])('compares If-None-Match %s with %s weakly: %s', (header, etag, expected) => {
    expect(matchesIfNoneMatch(header, etag)).toBe(expected);
  });
});
