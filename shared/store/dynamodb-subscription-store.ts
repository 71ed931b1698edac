import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { PutCommandInput } from '@aws-sdk/lib-dynamodb';
import { documentCommands, type DocumentClient } from './dynamodb-sdk.js';
import { SubscriptionSchema, type Subscription, type SubscriptionId } from '../domain/subscription.js';
import { ConflictError, InvalidInputError } from '../errors.js';
import { parseInput } from '../parse-input.js';
import type { Page } from './item-store.js';
import type { RateLimitResult, SubscriptionStore } from './subscription-store.js';

/**
 * `SubscriptionStore` on the items table (keys.ts describes the table; these records add their
 * own key prefixes, none of which collides with an item's):
 *
 * | record          | pk                       | sk                    | attributes                          |
 * |-----------------|--------------------------|-----------------------|-------------------------------------|
 * | subscription    | `SUBS#<shard 00-15>`     | `SUB#<subscriptionId>`| the Subscription, `type='subscription'` |
 * | address lookup  | `SUBEMAIL#<emailHash>`   | `SUBEMAIL`            | `subscriptionId`                    |
 * | suppression     | `SUPPRESS#<emailHash>`   | `SUPPRESS`            | `reason`, `at`                      |
 * | rate window     | `RATE#<sha256(bucket)>`  | `SLIDING`             | `hits`, `version`, `expiresAt` (TTL)|
 *
 * - **subscription**: sharded over `shardCount` partitions by the id's first hex digits, so the
 *   digest lists every subscription with one Query per shard (no Scan over items, no GSI write
 *   per subscription) and can work the shards in parallel; a `get` knows its shard from the id.
 *   Addresses live only here, never in a key.
 * - **address lookup**: `emailHash` is an HMAC of the address (see `emailHashOf`), so the key
 *   reveals nothing without the secret.
 * - **rate window**: a sliding window: `hits` holds the epoch milliseconds of the counted requests
 *   of the last `windowSec` (at most `limit` of them); each hit rewrites the record conditional on
 *   `version`, so two concurrent hits cannot both take the last place. `expiresAt` (one window after
 *   the last hit) lets DynamoDB TTL remove idle records in AWS (dynalite keeps them).
 *
 * No transactions (dynalite has none): `create` writes the lookup first, then the subscription;
 * a lookup whose subscription is missing (a crash in between) is taken over by the next `create`.
 */
export class DynamoDbSubscriptionStore implements SubscriptionStore {
  readonly shardCount: number;
  private readonly client: DocumentClient;
  private readonly tableName: string;

  constructor(options: { client: DocumentClient; tableName: string; shardCount?: number }) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.shardCount = options.shardCount ?? 16;
  }

  private shardOf(id: string): number {
    return parseInt(id.slice(4, 8), 16) % this.shardCount;
  }

  private key(id: string) {
    return { pk: `SUBS#${String(this.shardOf(id)).padStart(2, '0')}`, sk: `SUB#${id}` };
  }

  /** One record by key, or undefined; `consistent` for a read that must see the last write. */
  private async getRecord(
    key: { pk: string; sk: string },
    consistent: boolean,
  ): Promise<Record<string, unknown> | undefined> {
    const out = await this.client.send(
      new (await documentCommands()).GetCommand({
        TableName: this.tableName,
        Key: key,
        ...(consistent ? { ConsistentRead: true } : {}),
      }),
    );
    return out.Item;
  }

  /** Writes one record, under the condition the input gives (if any). */
  private async putRecord(input: Omit<PutCommandInput, 'TableName'>): Promise<void> {
    await this.client.send(new (await documentCommands()).PutCommand({ TableName: this.tableName, ...input }));
  }

  /** The subscription id an address's lookup record names (read consistently), or undefined. */
  private async emailOwner(emailHash: string): Promise<string | undefined> {
    const id = (await this.getRecord(emailKey(emailHash), true))?.['subscriptionId'];
    return typeof id === 'string' ? id : undefined;
  }

  async get(id: SubscriptionId): Promise<Subscription | undefined> {
    const record = await this.getRecord(this.key(id), true);
    return record ? fromRecord(record) : undefined;
  }

  async findByEmailHash(emailHash: string): Promise<Subscription | undefined> {
    const id = await this.emailOwner(emailHash);
    return id === undefined ? undefined : this.get(id as SubscriptionId);
  }

  async create(subscription: Subscription): Promise<void> {
    const lookup = { ...emailKey(subscription.emailHash), type: 'subscription-email', subscriptionId: subscription.id };
    try {
      await this.putRecord({ Item: lookup, ConditionExpression: 'attribute_not_exists(pk)' });
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const ownerId = await this.emailOwner(subscription.emailHash);
      if (ownerId !== undefined && (await this.get(ownerId as SubscriptionId)) !== undefined) {
        throw new ConflictError('the address already has a subscription', { cause: error });
      }
      try {
        await this.putRecord({
          Item: lookup,
          ConditionExpression: 'subscriptionId = :owner',
          ExpressionAttributeValues: { ':owner': ownerId },
        });
      } catch (inner) {
        if (isConditionFailure(inner))
          throw new ConflictError('the address already has a subscription', { cause: inner });
        throw inner;
      }
    }
    await this.putRecord({
      Item: toRecord({ ...subscription, revision: 0 }, this.key(subscription.id)),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  }

  async save(subscription: Subscription): Promise<Subscription> {
    const next = { ...subscription, revision: subscription.revision + 1 };
    try {
      await this.putRecord({
        Item: toRecord(next, this.key(subscription.id)),
        ConditionExpression: 'revision = :revision',
        ExpressionAttributeValues: { ':revision': subscription.revision },
      });
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new ConflictError(`subscription changed since revision ${subscription.revision}`, { cause: error });
      }
      throw error;
    }
    return next;
  }

  async listShard(shard: number, cursor?: string, limit = 100): Promise<Page<Subscription>> {
    const out = await this.client.send(
      new (await documentCommands()).QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `SUBS#${String(shard).padStart(2, '0')}`, ':prefix': 'SUB#' },
        ExclusiveStartKey: cursor ? decodeCursor(cursor) : undefined,
        Limit: limit,
      }),
    );
    return {
      items: (out.Items ?? []).map(fromRecord),
      cursor: out.LastEvaluatedKey
        ? Buffer.from(JSON.stringify(out.LastEvaluatedKey)).toString('base64url')
        : undefined,
    };
  }

  async suppress(emailHash: string, reason: 'bounce' | 'complaint', at: string): Promise<void> {
    await this.putRecord({ Item: { pk: `SUPPRESS#${emailHash}`, sk: 'SUPPRESS', type: 'suppression', reason, at } });
  }

  async isSuppressed(emailHash: string): Promise<boolean> {
    return (await this.getRecord({ pk: `SUPPRESS#${emailHash}`, sk: 'SUPPRESS' }, false)) !== undefined;
  }

  async hitRateLimit(bucket: string, limit: number, windowSec: number, now: Date): Promise<RateLimitResult> {
    const key = { pk: `RATE#${createHash('sha256').update(bucket).digest('hex')}`, sk: 'SLIDING' };
    const nowMs = now.getTime();
    const windowMs = windowSec * 1000;
    for (let attempt = 0; attempt < 5; attempt++) {
      const stored = RateRecordSchema.safeParse(await this.getRecord(key, true));
      const version = stored.success ? stored.data.version : 0;
      const hits = stored.success ? stored.data.hits.filter((at) => at > nowMs - windowMs) : [];
      if (hits.length >= limit) {
        const oldest = Math.min(...hits);
        return { allowed: false, retryAfterSec: Math.max(1, Math.ceil((oldest + windowMs - nowMs) / 1000)) };
      }
      try {
        await this.putRecord({
          Item: {
            ...key,
            type: 'rate',
            hits: [...hits, nowMs],
            version: version + 1,
            expiresAt: Math.ceil((nowMs + windowMs) / 1000),
          },
          ConditionExpression: stored.success ? '#version = :version' : 'attribute_not_exists(#version)',
          ExpressionAttributeNames: { '#version': 'version' },
          ...(stored.success ? { ExpressionAttributeValues: { ':version': version } } : {}),
        });
        return { allowed: true, retryAfterSec: 0 };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    // Lost the race five times: a burst on one key, which is what the limit is for.
    return { allowed: false, retryAfterSec: 1 };
  }

  /** Removes a subscription and its lookup; for tests and data-subject requests. */
  async delete(subscription: Subscription): Promise<void> {
    await this.client.send(
      new (await documentCommands()).DeleteCommand({ TableName: this.tableName, Key: this.key(subscription.id) }),
    );
    await this.client.send(
      new (await documentCommands()).DeleteCommand({
        TableName: this.tableName,
        Key: emailKey(subscription.emailHash),
      }),
    );
  }
}

const emailKey = (emailHash: string) => ({ pk: `SUBEMAIL#${emailHash}`, sk: 'SUBEMAIL' });

const tableAttributes = ['pk', 'sk', 'type'] as const;

function toRecord(subscription: Subscription, key: { pk: string; sk: string }): Record<string, unknown> {
  return { ...key, type: 'subscription', ...subscription };
}

function fromRecord(record: Record<string, unknown>): Subscription {
  const rest: Record<string, unknown> = { ...record };
  for (const name of tableAttributes) delete rest[name];
  return SubscriptionSchema.parse(rest);
}

/** A sliding rate window as stored; anything else (an older fixed-window record) starts afresh. */
const RateRecordSchema = z.object({
  hits: z.array(z.number()),
  version: z.number().int(),
});

const CursorSchema = z.record(z.string(), z.string());

function decodeCursor(cursor: string): Record<string, string> {
  try {
    return parseInput(CursorSchema, JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch (error) {
    throw new InvalidInputError([{ path: ['cursor'], message: 'not a cursor from a previous page' }], { cause: error });
  }
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
