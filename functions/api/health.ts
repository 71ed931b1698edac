import type { Clock } from '../../shared/clock.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import type { HealthResponse } from './schemas.js';

/** Whether the service can store data now; `reason` says what failed and where (for an operator). */
export type StorageStatus = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * GET /v1/health: cheap liveness with the number of indexed items. `degraded` (still 200: the
 * service answers and serves reads) with the reason when `storage` reports that writes fail.
 */
export async function health(deps: {
  search: SearchIndex;
  clock: Clock;
  storage?: () => StorageStatus;
}): Promise<HealthResponse> {
  const storage = deps.storage?.() ?? { ok: true };
  return {
    status: storage.ok ? 'ok' : 'degraded',
    ...(storage.ok ? {} : { reason: storage.reason }),
    time: deps.clock.now().toISOString(),
    indexedItems: await deps.search.count(),
  };
}
