import { describe, expect, it } from 'vitest';
import { ErrorResponseSchema } from '../../../../functions/api/schemas.js';
import {
  ConflictError,
  SearchUnavailableError,
  StorageUnavailableError,
  TooManyRequestsError,
} from '../../../../shared/errors.js';
import { jsonOf, testApi } from '../api/api-test-deps.js';

describe('httpErrors', () => {
  it('turns an unexpected error into a 500 that shows nothing internal, and logs it with its stack', async () => {
    const api = await testApi({ throwOnSearch: new Error('connect ECONNREFUSED 10.0.0.7:9200 secret-domain') });

    const result = await api.call('/v1/search?q=x');

    expect(result.statusCode).toBe(500);
    const body = jsonOf<{ error: string; message: string; requestId: string }>(result);
    expect(body.error).toBe('InternalError');
    expect(result.body).not.toContain('ECONNREFUSED');
    expect(body.requestId).toMatch(/.+/);
    const logged = api.log.entries.find((entry) => entry.level === 'error');
    expect(logged?.data).toMatchObject({ requestId: body.requestId, error: expect.stringContaining('ECONNREFUSED') });
    expect(JSON.stringify(logged?.data)).toContain('stack');
  });

  it('logs the cause of a 5xx error beside its stack', async () => {
    const cause = new Error('connect ECONNREFUSED 10.0.0.7:9200');
    const api = await testApi({
      throwOnSearch: new SearchUnavailableError('search engine unreachable', 10, { cause }),
    });

    const result = await api.call('/v1/search?q=x');

    expect(result.statusCode).toBe(503);
    expect(result.body).not.toContain('ECONNREFUSED');
    const logged = api.log.entries.find((entry) => entry.level === 'error');
    expect(logged?.data).toMatchObject({ name: 'SearchUnavailableError', stack: expect.any(String), cause });
  });

  it('maps ConflictError to 409 and TooManyRequestsError to 429 with Retry-After', async () => {
    const conflict = await testApi({ throwOnSearch: new ConflictError('subscription already confirmed') });
    const busy = await testApi({ throwOnSearch: new TooManyRequestsError('too many subscription requests', 30) });

    const conflictResult = await conflict.call('/v1/search');
    const busyResult = await busy.call('/v1/search');

    expect(conflictResult.statusCode).toBe(409);
    expect(jsonOf(conflictResult)).toMatchObject({ error: 'ConflictError', message: 'subscription already confirmed' });
    expect(busyResult.statusCode).toBe(429);
    expect(busyResult.headers?.['retry-after']).toBe('30');
  });

  it('maps StorageUnavailableError to 503 with Retry-After, logs the folder and keeps it out of the body', async () => {
    const api = await testApi({
      throwOnSearch: new StorageUnavailableError(
        'cannot write /srv/chiiki/dynalite (ENOSPC)',
        '/srv/chiiki/dynalite',
        20,
      ),
    });

    const result = await api.call('/v1/search?q=x');

    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBe('20');
    expect(jsonOf(result)).toMatchObject({ error: 'StorageUnavailableError', requestId: expect.stringMatching(/.+/) });
    expect(result.body).not.toContain('/srv/chiiki');
    const logged = api.log.entries.find((entry) => entry.level === 'error');
    expect(logged?.data).toMatchObject({ folder: '/srv/chiiki/dynalite' });
  });

  it.each(['/v1/search?q=x', '/v1/feed.rss', '/v1/feed.atom', '/v1/export.csv'])(
    'maps SearchUnavailableError on %s to 503 with Retry-After and the documented body, engine details logged only',
    async (url) => {
      const api = await testApi({
        throwOnSearch: new SearchUnavailableError(
          'opensearch POST /_msearch failed after 3 attempts: fetch failed: connect ECONNREFUSED 10.0.0.7:9200',
          7.2,
        ),
      });

      const result = await api.call(url);

      expect(result.statusCode).toBe(503);
      expect(result.headers?.['retry-after']).toBe('8');
      expect(result.headers?.['cache-control']).toBe('no-store');
      const body = ErrorResponseSchema.parse(jsonOf(result));
      expect(body).toMatchObject({ error: 'SearchUnavailableError', message: expect.stringMatching(/retry later/) });
      expect(result.body).not.toContain('10.0.0.7');
      const logged = api.log.entries.find((entry) => entry.level === 'error');
      expect(logged?.data).toMatchObject({
        name: 'SearchUnavailableError',
        error: expect.stringContaining('10.0.0.7'),
      });
    },
  );

  it('marks errors as not cacheable', async () => {
    const api = await testApi();

    const result = await api.call('/v1/search?size=0');

    expect(result.headers?.['cache-control']).toBe('no-store');
  });
});
