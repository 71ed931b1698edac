import type { Clock } from '../../shared/clock.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import type { HealthResponse } from './schemas.js';

/** GET /v1/health: cheap liveness with the number of indexed items. */
export async function health(deps: { search: SearchIndex; clock: Clock }): Promise<HealthResponse> {
  return { status: 'ok', time: deps.clock.now().toISOString(), indexedItems: await deps.search.count() };
}
