import * as z from 'zod';
import type { Item, ItemId } from '../../shared/domain/item.js';
import type { Log } from '../../shared/log.js';
import { parseInput } from '../../shared/parse-input.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import type { ItemChange, ItemStore } from '../../shared/store/item-store.js';
import { applyChanges } from './apply-change.js';
import { IndexRetryMessageSchema } from './index-retry-queue.js';
import type { BatchResponse } from './process-stream.js';

export interface RetryDeps {
  readonly store: Pick<ItemStore, 'get'>;
  readonly index: SearchIndex;
  readonly log: Log;
}

/** The SQS batch envelope; bodies are parsed one by one. */
const SqsEventSchema = z.object({
  Records: z.array(z.object({ messageId: z.string(), body: z.string() })),
});

/**
 * One batch of the index retry queue: re-reads every named item from the store by key and applies
 * what the store holds now (upsert, or removal when the item is gone), so the order in which
 * changes and retries arrive does not matter and nothing but ids ever needs to be kept. Reports
 * as failures (by `messageId`, SQS partial batch response) a body that does not parse (retried,
 * then moved to the queue's dead-letter queue) and, when the store read or the index write fails,
 * every message of the batch (SQS delivers them again after the visibility timeout; after
 * `maxReceiveCount` they go to the dead-letter queue, from which SQS's own redrive sends them back
 * once the engine is healthy).
 */
export async function retryIndexChanges(deps: RetryDeps, event: unknown): Promise<BatchResponse> {
  const { Records } = parseInput(SqsEventSchema, event);
  const failures: string[] = [];
  const good: string[] = [];
  const ids = new Set<ItemId>();
  Records.forEach((record, i) => {
    const body = z.string().transform(parseJson).pipe(IndexRetryMessageSchema).safeParse(record.body);
    if (!body.success) {
      deps.log.error('index retry message rejected', { record: i, messageId: record.messageId });
      failures.push(record.messageId);
      return;
    }
    for (const id of body.data.ids) ids.add(id);
    good.push(record.messageId);
  });
  let upserted = 0;
  let removed = 0;
  if (ids.size > 0) {
    try {
      const changes: ItemChange[] = [];
      for (const id of ids) {
        const item: Item | undefined = await deps.store.get(id);
        changes.push(item ? { id, newItem: item } : { id });
      }
      ({ upserted, removed } = await applyChanges(deps, changes));
    } catch (error) {
      deps.log.error('index retry failed', error instanceof Error ? error : { error: String(error) });
      failures.push(...good);
    }
  }
  deps.log.info('index retries applied', {
    messages: Records.length,
    items: ids.size,
    upserted,
    removed,
    failed: failures.length,
  });
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}

function parseJson(text: string, ctx: z.RefinementCtx): unknown {
  try {
    return JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected a JSON body' });
    return z.NEVER;
  }
}
