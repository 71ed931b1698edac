import type { Subscription, SubscriptionId } from '../domain/subscription.js';
import type { Page } from './item-store.js';

/** Outcome of counting one request against a sliding-window rate limit. */
export interface RateLimitResult {
  readonly allowed: boolean;
  /** Seconds until a request would be allowed again (0 when allowed). */
  readonly retryAfterSec: number;
}

/**
 * Subscriptions, address suppression and rate-limit counters, on the same single table as the
 * items (see dynamodb-subscription-store.ts for the keys). Adapters keep storage primitives only;
 * the rules (double opt-in, digest protocol) live in functions/alerts.
 *
 * Concurrency: every subscription write is conditional on the `revision` it was read with and
 * stores `revision + 1`; a lost race throws `ConflictError` and writes nothing. The digest's
 * exactly-once protocol (claim → send → commit) is built from these conditional writes.
 */
export interface SubscriptionStore {
  /** `undefined` when there is no such subscription. Strongly consistent. */
  get(id: SubscriptionId): Promise<Subscription | undefined>;
  /** The subscription of an address (by `emailHashOf`), whatever its status. */
  findByEmailHash(emailHash: string): Promise<Subscription | undefined>;
  /**
   * Stores a new subscription (revision 0) and its address lookup. Throws `ConflictError` when the
   * address already has one (two concurrent first requests for the same address).
   */
  create(subscription: Subscription): Promise<void>;
  /**
   * Replaces the subscription when its stored revision is still `subscription.revision`, storing
   * `revision + 1`; returns what was stored. Throws `ConflictError` when it has moved on.
   */
  save(subscription: Subscription): Promise<Subscription>;
  /**
   * Every subscription in one shard (`0 <= shard < shardCount`), active or not, in id order. The
   * digest walks the shards, possibly in parallel. Eventually consistent; the digest re-reads
   * before each conditional write anyway.
   */
  listShard(shard: number, cursor?: string, limit?: number): Promise<Page<Subscription>>;
  readonly shardCount: number;

  /** Records that mail to this address bounced permanently or drew a complaint. Idempotent. */
  suppress(emailHash: string, reason: 'bounce' | 'complaint', at: string): Promise<void>;
  isSuppressed(emailHash: string): Promise<boolean>;

  /**
   * Counts one request at `now` for `bucket` (an opaque key such as `subscribe:address:<hash>`) in
   * a sliding window: not allowed while `limit` requests were counted in the `windowSec` before
   * `now`, whatever clock hours they fall in; `retryAfterSec` is then when the oldest of them
   * leaves the window. A refused request is not counted. Records expire (TTL) a window after the last hit.
   */
  hitRateLimit(bucket: string, limit: number, windowSec: number, now: Date): Promise<RateLimitResult>;
}
