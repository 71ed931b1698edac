import { InvalidInputError } from '../../shared/errors.js';
import type { Log } from '../../shared/log.js';
import { parseInput } from '../../shared/parse-input.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import type { ItemChange } from '../../shared/store/item-store.js';
import { applyChanges } from './apply-change.js';
import type { IndexRetryQueue } from './index-retry-queue.js';
import type { SeriesLinkDeps } from './link-series.js';
import { parseStreamRecord, StreamEventSchema, type Unmarshall } from './stream-records.js';

/** Lambda's partial batch response: the records to retry (stream records by sequence number). */
export interface BatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

export interface StreamDeps {
  readonly index: SearchIndex;
  readonly log: Log;
  readonly unmarshall: Unmarshall;
  /** Where failed index writes are parked by item id (AWS); absent: the stream retries them. */
  readonly retryQueue?: IndexRetryQueue;
  /** Where the changed items are linked into program series; absent: not linked here. */
  readonly series?: SeriesLinkDeps;
}

/**
 * One DynamoDB stream batch: parses every record on its own, applies the item changes to the
 * index in one call and reports as failures (by `SequenceNumber`, as Lambda requires for streams)
 * the records that could not be parsed (poison pills, logged with their zod paths). When the index
 * write itself fails, the batch's item ids go to `retryQueue` (re-read from the store and applied
 * later by `retryIndexChanges`, so the stream moves on and its dead-letter queue never holds a
 * change only a full reindex could restore); only when there is no retry queue or it refuses the
 * ids are every change record of the batch reported as failed, for the stream to retry. Good records
 * are never held back by a bad one; re-applying them is harmless because upserts and removals are
 * idempotent.
 */
export async function processStreamBatch(deps: StreamDeps, event: unknown): Promise<BatchResponse> {
  const { Records } = parseInput(StreamEventSchema, event);
  const failures: string[] = [];
  const changes: ItemChange[] = [];
  const changeSequence: string[] = [];
  let skipped = 0;
  Records.forEach((raw, i) => {
    try {
      const parsed = parseStreamRecord(raw, i, deps.unmarshall);
      if (parsed.kind === 'skip') {
        skipped++;
        return;
      }
      changes.push(parsed.change);
      changeSequence.push(parsed.sequenceNumber);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      const sequence = sequenceNumberOf(raw);
      deps.log.error('stream record rejected', { record: i, sequenceNumber: sequence, issues: error.issues });
      // Without a sequence number Lambda cannot be told which record failed: fail the batch.
      if (sequence === undefined) throw error;
      failures.push(sequence);
    }
  });
  let upserted = 0;
  let removed = 0;
  if (changes.length > 0) {
    try {
      ({ upserted, removed } = await applyChanges(deps, changes));
    } catch (error) {
      deps.log.error('index write failed', error instanceof Error ? error : { error: String(error) });
      if (!(await parkForRetry(deps, changes))) failures.push(...changeSequence);
    }
  }
  deps.log.info('stream batch indexed', {
    records: Records.length,
    upserted,
    removed,
    skipped,
    failed: failures.length,
  });
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}

/** Sends the changed ids to the retry queue; false when there is none or it refused them. */
async function parkForRetry(deps: StreamDeps, changes: readonly ItemChange[]): Promise<boolean> {
  if (!deps.retryQueue) return false;
  const ids = [...new Set(changes.map((c) => c.id))];
  try {
    await deps.retryQueue.send(ids);
  } catch (error) {
    deps.log.error('index retry not queued', error instanceof Error ? error : { error: String(error) });
    return false;
  }
  deps.log.warn('index write queued for retry', { items: ids.length });
  return true;
}

function sequenceNumberOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || !('dynamodb' in raw)) return undefined;
  const dynamodb = raw.dynamodb;
  if (typeof dynamodb !== 'object' || dynamodb === null || !('SequenceNumber' in dynamodb)) return undefined;
  return typeof dynamodb.SequenceNumber === 'string' ? dynamodb.SequenceNumber : undefined;
}
