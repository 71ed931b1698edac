import * as z from 'zod';
import { IsoInstantSchema, ItemIdSchema, type ItemId } from '../../shared/domain/item.js';
import type { Log } from '../../shared/log.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import type { ItemChange, ItemStore } from '../../shared/store/item-store.js';
import { applyChanges, type ApplyResult } from './apply-change.js';
import type { SeriesLinkDeps } from './link-series.js';

/**
 * The index change log: where the store records which items changed, so the indexer can apply
 * them later, retrying until the search engine accepts them. An entry names only the item (the
 * indexer re-reads the current item from the store), so a late or repeated entry can never put an
 * old version into the index: the index converges to the store, not to a change payload.
 *
 * This module holds the pure parts: the line format, batching, the backoff policy and the lag.
 * The local stack keeps the log in files (infra/local/file-change-log.ts); in AWS the DynamoDB
 * stream plays this role.
 */

/** One logged change. `seq` grows by one per entry and is never reused; `at` is when it was logged. */
export const ChangeLogEntrySchema = z.strictObject({
  seq: z.number().int().positive(),
  id: ItemIdSchema,
  at: IsoInstantSchema,
});
export type ChangeLogEntry = z.infer<typeof ChangeLogEntrySchema>;

/** Entries as log lines: one JSON object per line, each ending in `\n`. */
export function formatEntries(entries: readonly ChangeLogEntry[]): string {
  return entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');
}

/** What `parseLog` read from a log file. */
export interface ParsedLog {
  readonly entries: readonly ChangeLogEntry[];
  /** A last line without its `\n`: an append cut short by a crash. Its change was never acknowledged. */
  readonly tornTail: boolean;
  /** Complete lines that are not entries (a damaged file); skipped, reported for a warning. */
  readonly badLines: number;
}

/**
 * Reads log text. A torn last line (no final `\n`) is dropped: the append that wrote it had not
 * returned, so the store write it belongs to had not been acknowledged as logged.
 *
 * @example
 * parseLog('{"seq":1,"id":"it_0123456789abcdef01234567","at":"2025-05-01T00:00:00Z"}\n{"seq":2,')
 * // → { entries: [{ seq: 1, … }], tornTail: true, badLines: 0 }
 */
export function parseLog(text: string): ParsedLog {
  const lines = text.split('\n');
  const tail = lines.pop() ?? '';
  const entries: ChangeLogEntry[] = [];
  let badLines = 0;
  for (const line of lines) {
    if (line === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      badLines++;
      continue;
    }
    const parsed = ChangeLogEntrySchema.safeParse(json);
    if (parsed.success) entries.push(parsed.data);
    else badLines++;
  }
  return { entries, tornTail: tail !== '', badLines };
}

/** The next batch to apply: distinct ids in log order, and the last sequence number it covers. */
export interface LogBatch {
  readonly ids: readonly ItemId[];
  /** Mark the log applied through this `seq` once the index accepted the batch. */
  readonly throughSeq: number;
}

/**
 * Takes entries from the front of `pending` (in `seq` order) until `maxIds` distinct ids are
 * collected; later entries of an id already taken ride along, since the item is re-read anyway.
 * Undefined when nothing is pending.
 */
export function nextBatch(pending: readonly ChangeLogEntry[], maxIds: number): LogBatch | undefined {
  if (maxIds < 1) throw new RangeError(`maxIds is ${maxIds}, expected at least 1`);
  const ids = new Set<ItemId>();
  let throughSeq = 0;
  for (const entry of pending) {
    if (!ids.has(entry.id) && ids.size === maxIds) break;
    ids.add(entry.id);
    throughSeq = entry.seq;
  }
  return ids.size === 0 ? undefined : { ids: [...ids], throughSeq };
}

/** Exponential backoff while the engine fails: `baseMs`, doubling per failure, capped at `maxMs`. */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Start at 250 ms, cap at 5 s: a returning engine is noticed within 5 s, and a down one costs a request every 5 s. */
export const defaultBackoff: BackoffPolicy = { baseMs: 250, maxMs: 5_000 };

/**
 * Wait before the next attempt after `failures` failures in a row (1 = the first failure). One
 * consumer per log, so no jitter is needed to spread a herd.
 *
 * @example
 * backoffDelayMs(1, { baseMs: 250, maxMs: 15_000 }) // 250
 * backoffDelayMs(4, { baseMs: 250, maxMs: 15_000 }) // 2000
 */
export function backoffDelayMs(failures: number, policy: BackoffPolicy = defaultBackoff): number {
  if (failures < 1) return 0;
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(failures - 1, 30));
}

/**
 * How far the index is behind the store: what `/v1/health` reports under `index.lag`.
 * `pending` counts logged changes not yet applied; `oldestAgeSec` is the age of the oldest (0 when none).
 */
export interface IndexLag {
  readonly pending: number;
  readonly oldestAgeSec: number;
  /** The error of the last attempt to apply changes, when it failed; cleared by a success. */
  readonly lastError?: string;
}

/** The lag of `pending` (in `seq` order) at `now`. */
export function lagOf(pending: readonly ChangeLogEntry[], now: Date, lastError?: string): IndexLag {
  const oldest = pending[0];
  const ageSec = oldest ? Math.max(0, Math.floor((now.getTime() - Date.parse(oldest.at)) / 1000)) : 0;
  return { pending: pending.length, oldestAgeSec: ageSec, ...(lastError === undefined ? {} : { lastError }) };
}

/** Older than this, a pending change makes health `degraded` (a healthy consumer applies within a second or two). */
const maxHealthyLagSec = 30;

/** Whether the index is behind enough to report `degraded`: the last attempt failed, or a change waits too long. */
export function isBehind(lag: IndexLag, maxLagSec: number = maxHealthyLagSec): boolean {
  return lag.pending > 0 && (lag.lastError !== undefined || lag.oldestAgeSec > maxLagSec);
}

/**
 * Applies one batch of logged ids: re-reads each item from the store and upserts it into the
 * index, or removes it when the store no longer has it. Throws when the store or the index
 * fails; the caller keeps the batch in the log and tries again later. Reads run `concurrency` at a time.
 */
export async function applyLoggedIds(
  deps: {
    readonly store: Pick<ItemStore, 'get'>;
    readonly index: SearchIndex;
    readonly log: Log;
    readonly series?: SeriesLinkDeps;
  },
  ids: readonly ItemId[],
  concurrency = 16,
): Promise<ApplyResult> {
  const changes: ItemChange[] = new Array<ItemChange>(ids.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < ids.length; i = next++) {
      const id = ids[i] as ItemId;
      const item = await deps.store.get(id);
      changes[i] = item ? { id, newItem: item } : { id };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  return applyChanges({ index: deps.index, log: deps.log, ...(deps.series ? { series: deps.series } : {}) }, changes);
}
