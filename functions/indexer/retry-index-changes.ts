import * as z from 'zod';
import type { Item, ItemId } from '../../shared/domain/item.js';
import type { Log } from '../../shared/log.js';
import { parseInput } from '../../shared/parse-input.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import type { ItemChange, ItemStore } from '../../shared/store/item-store.js';
import { applyChanges } from './apply-change.js';
import type { SeriesLinkDeps } from './link-series.js';
import { IndexRetryMessageSchema } from './index-retry-queue.js';
import type { BatchResponse } from './process-stream.js';
import { classify } from './reindex.js';

export interface RetryDeps {
  readonly store: Pick<ItemStore, 'get'>;
  readonly index: SearchIndex;
  readonly log: Log;
  /** Where the changed items are linked into program series; absent: not linked here. */
  readonly series?: SeriesLinkDeps;
}

/** The SQS batch envelope; bodies are parsed one by one. */
const SqsEventSchema = z.object({
  Records: z.array(z.object({ messageId: z.string(), body: z.string() })),
});

/**
 * One batch of the index retry queue: re-reads every named item from the store by key and applies
 * what the store holds now (upsert, or removal when the item is gone), so the order in which
 * changes and retries arrive does not matter and nothing but ids ever needs to be kept; a stream
 * write that raced the read is found by a check by content and applied again. Reports
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
  let repaired = 0;
  if (ids.size > 0) {
    try {
      ({ upserted, removed } = await applyChanges(deps, await readChanges(deps.store, ids)));
      repaired = await repairOverwritten(deps, [...ids]);
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
    repaired,
    failed: failures.length,
  });
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}

/** What the store holds now for each id: the item, or its absence (a removal). */
async function readChanges(store: RetryDeps['store'], ids: Iterable<ItemId>): Promise<ItemChange[]> {
  const changes: ItemChange[] = [];
  for (const id of ids) {
    const item: Item | undefined = await store.get(id);
    changes.push(item ? { id, newItem: item } : { id });
  }
  return changes;
}

/**
 * A stream write that landed between this function's store read and its index write was
 * overwritten with the older state read before it, and the stream has moved on. One check by
 * content (the indexed `updatedAt` against the store's, read after the write) finds those ids and
 * applies the store's state again; returns how many. Skipped when the index cannot report versions.
 */
async function repairOverwritten(deps: RetryDeps, ids: readonly ItemId[]): Promise<number> {
  if (!deps.index.versions) return 0;
  const indexed = await deps.index.versions(ids);
  const changes = await readChanges(deps.store, ids);
  const stored = new Map(changes.flatMap((c) => (c.newItem ? [[c.id, c.newItem] as const] : [])));
  const { missing, stale, extra } = classify(ids, stored, indexed);
  const differing = new Set([...missing, ...stale, ...extra]);
  if (differing.size === 0) return 0;
  await applyChanges(
    deps,
    changes.filter((c) => differing.has(c.id)),
  );
  return differing.size;
}

function parseJson(text: string, ctx: z.RefinementCtx): unknown {
  try {
    return JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected a JSON body' });
    return z.NEVER;
  }
}
