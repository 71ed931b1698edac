import * as z from 'zod';
import { ItemIdSchema, type ItemId } from '../../shared/domain/item.js';

/** Item ids per retry message: 500 ids of 27 characters are about 15 KB, far under SQS's 256 KiB. */
export const maxIdsPerRetryMessage = 500;

/** Delay of every retry message, so a failing engine gets time to recover before the first retry. */
export const indexRetryDelaySec = 60;

/** The body of one retry message: ids only, never item content (the store is read again). */
export const IndexRetryMessageSchema = z.strictObject({
  ids: z.array(ItemIdSchema).min(1).max(maxIdsPerRetryMessage),
});

/**
 * Where the stream indexer parks the ids of items whose index write failed, so they are re-read
 * from the store and applied later (`retryIndexChanges`) instead of the stream retrying, then
 * sending its batch coordinates to a dead-letter queue that only a full reindex could resolve.
 * Adapter: `SqsIndexRetryQueue` (AWS); tests use a recording fake.
 */
export interface IndexRetryQueue {
  /**
   * Enqueues the ids at least once (duplicates are harmless: applying an item's stored state is
   * idempotent), split into messages of at most `maxIdsPerRetryMessage`. Resolves when all are
   * accepted; throws when any is not (the caller then lets the stream retry). Empty: a no-op.
   */
  send(ids: readonly ItemId[]): Promise<void>;
}
