import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../../../shared/clock.js';
import { emailHashOf, newSubscriptionId, type Subscription } from '../../../../shared/domain/subscription.js';
import { ConflictError } from '../../../../shared/errors.js';
import { DynamoDbItemStore } from '../../../../shared/store/dynamodb-item-store.js';
import { DynamoDbSubscriptionStore } from '../../../../shared/store/dynamodb-subscription-store.js';
import {
  countingDocumentClient,
  startDynalite,
  type CountingDocumentClient,
  type RunningDynalite,
} from '../../../support/dynalite.js';

function makeSubscription(email: string, overrides: Partial<Subscription> = {}): Subscription {
  return {
    id: newSubscriptionId(),
    email,
    emailHash: emailHashOf(email, 'store-test-secret-0123'),
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

describe('DynamoDbSubscriptionStore', () => {
  let dynalite: RunningDynalite;
  let documents: CountingDocumentClient;
  let store: DynamoDbSubscriptionStore;

  beforeAll(async () => {
    dynalite = await startDynalite();
    documents = countingDocumentClient(dynalite.endpoint);
    await new DynamoDbItemStore({
      client: documents.client,
      tableName: 'subs',
      clock: new FixedClock('2025-05-01T00:00:00Z'),
    }).ensureTable();
    store = new DynamoDbSubscriptionStore({ client: documents.client, tableName: 'subs', shardCount: 4 });
  });
  afterAll(async () => {
    documents.destroy();
    await dynalite.stop();
  });

  it('finds a subscription by id and by address hash, as stored', async () => {
    const subscription = makeSubscription('a@example.jp');

    await store.create(subscription);

    expect(await store.get(subscription.id)).toEqual(subscription);
    expect(await store.findByEmailHash(subscription.emailHash)).toEqual(subscription);
  });

  it('refuses a second subscription for the same address', async () => {
    const first = makeSubscription('twice@example.jp');
    await store.create(first);

    await expect(store.create(makeSubscription('twice@example.jp'))).rejects.toThrow(ConflictError);
    expect((await store.findByEmailHash(first.emailHash))?.id).toBe(first.id);
  });

  it('saves only over the revision it read, so a stale writer loses', async () => {
    const subscription = makeSubscription('race@example.jp');
    await store.create(subscription);

    const saved = await store.save({ ...subscription, frequency: 'weekly' });

    expect(saved.revision).toBe(1);
    await expect(store.save({ ...subscription, frequency: 'immediate' })).rejects.toThrow(ConflictError);
    expect((await store.get(subscription.id))?.frequency).toBe('weekly');
  });

  it('lists every subscription exactly once across its shards', async () => {
    const created = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const subscription = makeSubscription(`many${i}@example.jp`);
        await store.create(subscription);
        return subscription.id;
      }),
    );

    const listed: string[] = [];
    for (let shard = 0; shard < store.shardCount; shard++) {
      let cursor: string | undefined;
      do {
        const page = await store.listShard(shard, cursor, 7);
        listed.push(...page.items.map((s) => s.id));
        cursor = page.cursor;
      } while (cursor);
    }

    for (const id of created) expect(listed.filter((x) => x === id)).toHaveLength(1);
  });

  it('counts requests in a sliding window and refuses past the limit until the oldest leaves it', async () => {
    const at = new Date('2025-05-01T10:15:00Z');

    const results = [];
    for (let i = 0; i < 4; i++) results.push(await store.hitRateLimit('subscribe:client:203.0.113.9', 3, 3600, at));
    const nextHour = await store.hitRateLimit(
      'subscribe:client:203.0.113.9',
      3,
      3600,
      new Date('2025-05-01T11:00:00Z'),
    );
    const anHourLater = await store.hitRateLimit(
      'subscribe:client:203.0.113.9',
      3,
      3600,
      new Date('2025-05-01T11:15:01Z'),
    );

    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results[3]?.retryAfterSec).toBe(3600);
    expect(nextHour).toEqual({ allowed: false, retryAfterSec: 15 * 60 });
    expect(anHourLater.allowed).toBe(true);
  });

  it('lets no more than the limit through across a clock-hour boundary', async () => {
    const bucket = 'subscribe:client:198.51.100.7';
    const times = ['10:59:00', '10:59:30', '10:59:59', '11:00:00', '11:00:30', '11:01:00'];

    const allowed = [];
    for (const t of times)
      allowed.push((await store.hitRateLimit(bucket, 3, 3600, new Date(`2025-05-01T${t}Z`))).allowed);

    expect(allowed).toEqual([true, true, true, false, false, false]);
  });

  it('lets exactly the limit through when requests for one key race', async () => {
    const at = new Date('2025-05-01T12:00:00Z');

    const results = await Promise.all(
      Array.from({ length: 8 }, () => store.hitRateLimit('subscribe:address:race', 3, 3600, at)),
    );

    expect(results.filter((r) => r.allowed)).toHaveLength(3);
  });

  it('remembers suppressed addresses', async () => {
    await store.suppress('f'.repeat(64), 'bounce', '2025-05-01T00:00:00Z');

    expect(await store.isSuppressed('f'.repeat(64))).toBe(true);
    expect(await store.isSuppressed('e'.repeat(64))).toBe(false);
  });
});
