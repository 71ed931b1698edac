import type { Clock } from '../../shared/clock.js';
import { SearchUnavailableError } from '../../shared/errors.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import type { HealthResponse } from './schemas.js';

/** Whether the service can store data now; `reason` says what failed and where (for an operator). */
export type StorageStatus = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * How far the search index is behind the store (the local stack's change log): `pending` changes
 * not yet applied, the age of the oldest in seconds, whether the last attempt to apply them
 * failed, and whether that amounts to being `behind` (health `degraded`).
 */
export interface IndexLagStatus {
  readonly pending: number;
  readonly oldestAgeSec: number;
  readonly lastAttemptFailed: boolean;
  readonly behind: boolean;
}

/**
 * GET /v1/health: cheap liveness with the number of indexed items. `degraded` (still 200: the
 * service answers and serves what it can) with the reasons when `storage` reports that writes fail,
 * when the search engine cannot be reached (`indexedItems` is then absent; item pages still work,
 * searches answer 503), or when `indexLag` reports the index behind the store; `index.lag` is shown
 * whenever it is known. Any other error from the engine still fails the check.
 */
export async function health(deps: {
  search: SearchIndex;
  clock: Clock;
  storage?: () => StorageStatus;
  indexLag?: () => IndexLagStatus;
}): Promise<HealthResponse> {
  const storage = deps.storage?.() ?? { ok: true };
  const indexed = await indexedItemsOf(deps.search);
  const lag = deps.indexLag?.();
  const reasons = [
    ...(storage.ok ? [] : [storage.reason]),
    ...(indexed.ok ? [] : [indexed.reason]),
    ...(lag?.behind ? [indexBehindReason(lag)] : []),
  ];
  return {
    status: reasons.length === 0 ? 'ok' : 'degraded',
    ...(reasons.length === 0 ? {} : { reason: reasons.join('; ') }),
    time: deps.clock.now().toISOString(),
    ...(indexed.ok ? { indexedItems: indexed.count } : {}),
    ...(lag
      ? {
          index: {
            lag: { pending: lag.pending, oldestAgeSec: lag.oldestAgeSec },
            lastAttemptFailed: lag.lastAttemptFailed,
          },
        }
      : {}),
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

function indexBehindReason(lag: IndexLagStatus): string {
  const failed = lag.lastAttemptFailed ? '; the last attempt to apply them failed, retrying' : '';
  return `search index is behind the store: ${lag.pending} changes wait, the oldest for ${lag.oldestAgeSec} s${failed}`;
}
