import { describe, expect, it } from 'vitest';
import { health } from '../../../../functions/api/health.js';
import { HealthResponseSchema } from '../../../../functions/api/schemas.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import { FixedClock } from '../../../../shared/clock.js';
import { SearchUnavailableError } from '../../../../shared/errors.js';
import type { SearchIndex } from '../../../../shared/search/search-index.js';

describe('health', () => {
  const clock = new FixedClock('2026-04-01T00:00:00Z');
  const search = new EmbeddedSearchIndex({ clock });

  it('reports ok without a reason while storage works', async () => {
    const body = await health({ search, clock, storage: () => ({ ok: true }) });

    expect(body).toEqual({ status: 'ok', time: '2026-04-01T00:00:00.000Z', indexedItems: 0 });
  });

  it('reports degraded with the reason when storage writes fail', async () => {
    const reason = 'writes to /srv/chiiki/dynalite fail (ENOSPC: no space left on device)';

    const body = await health({ search, clock, storage: () => ({ ok: false, reason }) });

    expect(body).toMatchObject({ status: 'degraded', reason });
    expect(HealthResponseSchema.parse(body)).toEqual(body);
  });

  const failingCount = (error: Error): SearchIndex =>
    Object.assign(new EmbeddedSearchIndex({ clock }), { count: () => Promise.reject(error) });

  it('reports degraded without indexedItems when the search engine cannot be reached', async () => {
    const search = failingCount(
      new SearchUnavailableError('opensearch GET /chiiki/_count failed after 3 attempts', 10),
    );

    const body = await health({ search, clock });

    expect(body).toEqual({
      status: 'degraded',
      reason: 'search engine unavailable; searches answer 503, item pages work',
      time: '2026-04-01T00:00:00.000Z',
    });
    expect(HealthResponseSchema.parse(body)).toEqual(body);
  });

  it('names both reasons when storage and the search engine fail together', async () => {
    const search = failingCount(new SearchUnavailableError('circuit open', 4));

    const body = await health({ search, clock, storage: () => ({ ok: false, reason: 'writes to /data fail' }) });

    expect(body.reason).toBe('writes to /data fail; search engine unavailable; searches answer 503, item pages work');
  });

  it('still fails on an error that is not the engine being unreachable', async () => {
    const search = failingCount(new Error('index mapping broken'));

    await expect(health({ search, clock })).rejects.toThrow('index mapping broken');
  });

  it('reports the index lag and stays ok while the index keeps up', async () => {
    const indexLag = () => ({ pending: 3, oldestAgeSec: 1, lastAttemptFailed: false, behind: false });

    const body = await health({ search, clock, indexLag });

    expect(body).toEqual({
      status: 'ok',
      time: '2026-04-01T00:00:00.000Z',
      indexedItems: 0,
      index: { lag: { pending: 3, oldestAgeSec: 1 }, lastAttemptFailed: false },
    });
    expect(HealthResponseSchema.parse(body)).toEqual(body);
  });

  it('reports degraded with both reasons when storage fails and the index is behind', async () => {
    const indexLag = () => ({ pending: 20, oldestAgeSec: 45, lastAttemptFailed: true, behind: true });
    const storage = () => ({ ok: false as const, reason: 'writes to /srv/chiiki/dynalite fail (ENOSPC)' });

    const body = await health({ search, clock, storage, indexLag });

    expect(body.status).toBe('degraded');
    expect(body.reason).toBe(
      'writes to /srv/chiiki/dynalite fail (ENOSPC); search index is behind the store: 20 changes wait, the oldest for 45 s; the last attempt to apply them failed, retrying',
    );
    expect(HealthResponseSchema.parse(body)).toEqual(body);
  });
});
