import { TooManyRequestsError } from '../errors.js';
import type { SubscriptionStore } from '../store/subscription-store.js';

/** Fixed-window limits on subscription requests. */
export interface RateLimits {
  /** Requests per address per window (confirmation mails to one inbox). */
  readonly perAddress: number;
  /** Requests per client (IP address) per window. */
  readonly perClient: number;
  readonly windowSec: number;
}

export const defaultRateLimits: RateLimits = { perAddress: 3, perClient: 20, windowSec: 3600 };

/**
 * Counts the request against the client's and the address's window; throws
 * `TooManyRequestsError` (429 with Retry-After) when either is used up. The client is checked
 * first, so one client cannot spend an address's allowance with refused requests.
 */
export async function enforceRateLimits(
  store: SubscriptionStore,
  limits: RateLimits = defaultRateLimits,
  keys: { clientId: string; emailHash: string },
  now: Date,
): Promise<void> {
  const client = await store.hitRateLimit(`subscribe:client:${keys.clientId}`, limits.perClient, limits.windowSec, now);
  if (!client.allowed)
    throw new TooManyRequestsError('too many subscription requests from this client', client.retryAfterSec);
  const address = await store.hitRateLimit(
    `subscribe:address:${keys.emailHash}`,
    limits.perAddress,
    limits.windowSec,
    now,
  );
  if (!address.allowed) {
    throw new TooManyRequestsError('too many subscription requests for this address', address.retryAfterSec);
  }
}
