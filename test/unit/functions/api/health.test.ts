import { describe, expect, it } from 'vitest';
import { health } from '../../../../functions/api/health.js';
import { HealthResponseSchema } from '../../../../functions/api/schemas.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import { FixedClock } from '../../../../shared/clock.js';

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
});
