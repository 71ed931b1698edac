import type { Clock } from '../../shared/clock.js';
import { SearchUnavailableError } from '../../shared/errors.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import type { HealthResponse } from './schemas.js';

/** Whether the service can store data now; `reason` says what failed and where (for an operator). */
export type StorageStatus = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * GET /v1/health: cheap liveness with the number of indexed items. `degraded` (still 200: the
 * service answers and serves what it can) with the reasons when `storage` reports that writes fail
 * or the search engine cannot be reached (`indexedItems` is then absent; item pages still work,
 * searches answer 503). Any other error from the engine still fails the check.
 */
export async function health(deps: {
  search: SearchIndex;
  clock: Clock;
  storage?: () => StorageStatus;
}): Promise<HealthResponse> {
  const storage = deps.storage?.() ?? { ok: true };
  const indexed = await indexedItemsOf(deps.search);
  const reasons = [...(storage.ok ? [] : [storage.reason]), ...(indexed.ok ? [] : [indexed.reason])];
  return {
    status: reasons.length === 0 ? 'ok' : 'degraded',
    ...(reasons.length === 0 ? {} : { reason: reasons.join('; ') }),
    time: deps.clock.now().toISOString(),
    ...(indexed.ok ? { indexedItems: indexed.count } : {}),
  };
}

async function indexedItemsOf(
  search: SearchIndex,
): Promise<{ readonly ok: true; readonly count: number } | { readonly ok: false; readonly reason: string }> {
  try {
    return { ok: true, count: await search.count() };
  } catch (error) {
    if (!(error instanceof SearchUnavailableError)) throw error;
    return { ok: false, reason: 'search engine unavailable; searches answer 503, item pages work' };
  }
}
