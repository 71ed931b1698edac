import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emailHashOf, newSubscriptionId, type Subscription } from '../../shared/domain/subscription.js';
import { ConflictError } from '../../shared/errors.js';
import type { SubscriptionStore } from '../../shared/store/subscription-store.js';

/** What a contract run needs from an adapter: a fresh, empty store and a way to dispose of it. */
export interface SubscriptionStoreUnderTest {
  readonly store: SubscriptionStore;
  close(): Promise<void>;
}

export type MakeSubscriptionStore = () => Promise<SubscriptionStoreUnderTest>;

const hashSecret = 'subscription-contract-secret-0123';

/** An active subscription of `email` with one saved search, as a confirmed subscriber has it. */
export function makeSubscription(email: string, overrides: Partial<Subscription> = {}): Subscription {
  return {
    id: newSubscriptionId(),
    email,
    emailHash: emailHashOf(email, hashSecret),
    status: 'active',
    searches: [{ params: 'q=半導体', label: '半導体', query: { text: '半導体' } }],
    frequency: 'daily',
    reminderDays: [14, 3],
    createdAt: '2025-05-01T00:00:00Z',
    watermark: '2025-05-01T00:00:00Z',
    notified: {
      it_0123456789abcdef01234567: { version: 2, closesAt: '2025-05-30T17:00:00+09:00', remindedDays: [14] },
    },
    muted: [],
    revision: 0,
    ...overrides,
  };
}

/** Every subscription of every shard, page by page (`limit` per page), as the digest walks them. */
async function listAll(store: SubscriptionStore, limit: number): Promise<Subscription[][]> {
  const shards: Subscription[][] = [];
  for (let shard = 0; shard < store.shardCount; shard++) {
    const listed: Subscription[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listShard(shard, cursor, limit);
      expect(page.items.length).toBeLessThanOrEqual(limit);
      listed.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    shards.push(listed);
  }
  return shards;
}

/**
 * The SubscriptionStore contract (see shared/store/subscription-store.ts): every adapter must pass
 * it. Each test gets a fresh, empty store.
 */
export function subscriptionStoreContract(name: string, makeStore: MakeSubscriptionStore): void {
  describe(`SubscriptionStore contract: ${name}`, () => {
    let subject: SubscriptionStoreUnderTest;
    let store: SubscriptionStore;

    beforeEach(async () => {
      subject = await makeStore();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.close();
    });

    describe('get and findByEmailHash', () => {
      it('answer undefined for an id and an address nobody subscribed', async () => {
        const stranger = makeSubscription('stranger@example.jp');

        expect(await store.get(stranger.id)).toBeUndefined();
        expect(await store.findByEmailHash(stranger.emailHash)).toBeUndefined();
      });

      it('find a created subscription by id and by address hash, as it was given', async () => {
        const subscription = makeSubscription('a@example.jp');

        await store.create(subscription);

        expect(await store.get(subscription.id)).toEqual(subscription);
        expect(await store.findByEmailHash(subscription.emailHash)).toEqual(subscription);
      });

      it('find the subscription of an address whatever its status', async () => {
        const statuses = ['pending', 'unsubscribed', 'suppressed'] as const;
        const created = statuses.map((status) => makeSubscription(`${status}@example.jp`, { status }));

        for (const subscription of created) await store.create(subscription);

        for (const subscription of created) {
          expect((await store.findByEmailHash(subscription.emailHash))?.status).toBe(subscription.status);
        }
      });
    });

    describe('create', () => {
      it('stores a new subscription at revision 0, whatever revision it carries', async () => {
        const subscription = makeSubscription('revision@example.jp', { revision: 4 });

        await store.create(subscription);

        expect((await store.get(subscription.id))?.revision).toBe(0);
      });

      it('refuses a second subscription for the same address and keeps the first', async () => {
        const first = makeSubscription('twice@example.jp');
        const second = makeSubscription('twice@example.jp');
        await store.create(first);

        await expect(store.create(second)).rejects.toThrow(ConflictError);

        expect((await store.findByEmailHash(first.emailHash))?.id).toBe(first.id);
        expect(await store.get(second.id)).toBeUndefined();
      });

      it('lets exactly one of two concurrent first requests for an address through', async () => {
        const one = makeSubscription('concurrent@example.jp');
        const other = makeSubscription('concurrent@example.jp');

        const results = await Promise.allSettled([store.create(one), store.create(other)]);

        expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
        const refused = results.find((r) => r.status === 'rejected');
        expect(refused?.reason).toBeInstanceOf(ConflictError);
        const owner = await store.findByEmailHash(one.emailHash);
        const loser = owner?.id === one.id ? other : one;
        expect([one.id, other.id]).toContain(owner?.id);
        expect(await store.get(loser.id)).toBeUndefined();
      });
    });

    describe('save', () => {
      it('stores revision + 1 over the revision it was read with and returns what it stored', async () => {
        const subscription = makeSubscription('save@example.jp');
        await store.create(subscription);

        const saved = await store.save({ ...subscription, frequency: 'weekly' });
        const again = await store.save({ ...saved, status: 'unsubscribed', unsubscribedAt: '2025-05-02T00:00:00Z' });

        expect(saved).toEqual({ ...subscription, frequency: 'weekly', revision: 1 });
        expect(again.revision).toBe(2);
        expect(await store.get(subscription.id)).toEqual(again);
        expect(await store.findByEmailHash(subscription.emailHash)).toEqual(again);
      });

      it('throws ConflictError and writes nothing when the subscription moved on since it was read', async () => {
        const subscription = makeSubscription('race@example.jp');
        await store.create(subscription);
        const winner = await store.save({ ...subscription, frequency: 'weekly' });

        await expect(store.save({ ...subscription, frequency: 'immediate' })).rejects.toThrow(ConflictError);

        expect(await store.get(subscription.id)).toEqual(winner);
      });

      it('lets exactly one of two concurrent saves of the same revision through', async () => {
        const subscription = makeSubscription('both@example.jp');
        await store.create(subscription);

        const results = await Promise.allSettled([
          store.save({ ...subscription, frequency: 'weekly' }),
          store.save({ ...subscription, frequency: 'immediate' }),
        ]);

        const kept = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        expect(kept).toHaveLength(1);
        expect(results.find((r) => r.status === 'rejected')?.reason).toBeInstanceOf(ConflictError);
        expect(await store.get(subscription.id)).toEqual(kept[0]);
      });

      it('throws ConflictError for a subscription that was never created', async () => {
        const ghost = makeSubscription('ghost@example.jp');

        await expect(store.save(ghost)).rejects.toThrow(ConflictError);

        expect(await store.get(ghost.id)).toBeUndefined();
      });
    });

    describe('listShard', () => {
      it('lists every subscription exactly once across the shards, in id order within each, whatever its status', async () => {
        const created = Array.from({ length: 24 }, (_, i) =>
          makeSubscription(`many${i}@example.jp`, { status: i % 3 === 0 ? 'unsubscribed' : 'active' }),
        );
        for (const subscription of created) await store.create(subscription);

        const shards = await listAll(store, 5);

        const listed = shards.flat().map((s) => s.id);
        expect([...listed].sort()).toEqual(created.map((s) => s.id).sort());
        for (const shard of shards) {
          const ids = shard.map((s) => s.id);
          expect(ids).toEqual([...ids].sort());
        }
      });

      it('lists what was saved last', async () => {
        const subscription = makeSubscription('listed@example.jp');
        await store.create(subscription);
        const saved = await store.save({ ...subscription, frequency: 'weekly' });

        const listed = (await listAll(store, 100)).flat();

        expect(listed).toEqual([saved]);
      });

      it('answers an empty page without a cursor for a shard with no subscription', async () => {
        for (let shard = 0; shard < store.shardCount; shard++) {
          expect(await store.listShard(shard)).toEqual({ items: [], cursor: undefined });
        }
      });
    });

    describe('suppress and isSuppressed', () => {
      it('remember a suppressed address, idempotently, and no other', async () => {
        const bounced = makeSubscription('bounce@example.jp').emailHash;
        const other = makeSubscription('other@example.jp').emailHash;

        await store.suppress(bounced, 'bounce', '2025-05-01T00:00:00Z');
        await store.suppress(bounced, 'complaint', '2025-05-02T00:00:00Z');

        expect(await store.isSuppressed(bounced)).toBe(true);
        expect(await store.isSuppressed(other)).toBe(false);
      });
    });

    describe('hitRateLimit', () => {
      const windowSec = 3600;

      it('counts requests in a sliding window and refuses past the limit until the oldest leaves it', async () => {
        const bucket = 'subscribe:client:203.0.113.9';

        const results = [];
        for (let i = 0; i < 4; i++) {
          results.push(await store.hitRateLimit(bucket, 3, windowSec, new Date('2025-05-01T10:15:00Z')));
        }
        const nextHour = await store.hitRateLimit(bucket, 3, windowSec, new Date('2025-05-01T11:00:00Z'));
        const anHourLater = await store.hitRateLimit(bucket, 3, windowSec, new Date('2025-05-01T11:15:01Z'));

        expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
        expect(results[3]?.retryAfterSec).toBe(3600);
        expect(nextHour).toEqual({ allowed: false, retryAfterSec: 15 * 60 });
        expect(anHourLater).toEqual({ allowed: true, retryAfterSec: 0 });
      });

      it('does not count a refused request', async () => {
        const bucket = 'subscribe:address:refused';
        const at = (time: string) => new Date(`2025-05-01T${time}Z`);

        await store.hitRateLimit(bucket, 1, windowSec, at('10:00:00'));
        await store.hitRateLimit(bucket, 1, windowSec, at('10:30:00'));
        const afterFirstLeft = await store.hitRateLimit(bucket, 1, windowSec, at('11:00:01'));

        expect(afterFirstLeft.allowed).toBe(true);
      });

      it('lets no more than the limit through across a clock-hour boundary', async () => {
        const bucket = 'subscribe:client:198.51.100.7';
        const times = ['10:59:00', '10:59:30', '10:59:59', '11:00:00', '11:00:30', '11:01:00'];

        const allowed = [];
        for (const t of times) {
          allowed.push((await store.hitRateLimit(bucket, 3, windowSec, new Date(`2025-05-01T${t}Z`))).allowed);
        }

        expect(allowed).toEqual([true, true, true, false, false, false]);
      });

      it('keeps each bucket to itself', async () => {
        const at = new Date('2025-05-01T12:00:00Z');
        await store.hitRateLimit('subscribe:client:192.0.2.1', 1, windowSec, at);

        const other = await store.hitRateLimit('subscribe:client:192.0.2.2', 1, windowSec, at);

        expect(other.allowed).toBe(true);
      });

      it('lets exactly the limit through when requests for one bucket race', async () => {
        const at = new Date('2025-05-01T12:00:00Z');

        const results = await Promise.all(
          Array.from({ length: 8 }, () => store.hitRateLimit('subscribe:address:race', 3, windowSec, at)),
        );

        expect(results.filter((r) => r.allowed)).toHaveLength(3);
      });
    });
  });
}
