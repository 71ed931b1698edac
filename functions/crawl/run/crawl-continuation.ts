import * as z from 'zod';
import {
  CrawlCountsSchema,
  QualityReportSchema,
  UrlErrorSchema,
  UrlStateSchema,
} from '../../../shared/domain/crawl-run.js';
import { IsoInstantSchema } from '../../../shared/domain/item.js';
import { ExtractedItemSchema } from '../extract/extracted-item.js';
import { JgrantsListEntrySchema } from '../extract/jgrants.js';

/**
 * How much time a crawl invocation may still spend. Under Lambda it is the context's remaining
 * time; locally and in the CLI there is no deadline (`unlimitedBudget`).
 */
export interface CrawlBudget {
  /** Milliseconds left before the invocation is killed. */
  remainingMs(): number;
  /** Below this many milliseconds left, the crawl takes no new work (listing page, detail fetch). */
  readonly marginMs: number;
}

/** No deadline: the crawl always runs to its end in one invocation. */
export const unlimitedBudget: CrawlBudget = { remainingMs: () => Number.POSITIVE_INFINITY, marginMs: 0 };

/** The part of the Lambda context the budget reads. */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

/** The budget of one Lambda invocation: its context's remaining time, less `marginMs`. */
export function lambdaBudget(context: RemainingTime, marginMs: number): CrawlBudget {
  return { remainingMs: () => context.getRemainingTimeInMillis(), marginMs };
}

/** Whether the budget is below its margin. */
export function outOfTime(budget: CrawlBudget): boolean {
  return budget.remainingMs() < budget.marginMs;
}

/** A list of a source by its place in the run: the n-th page of a listing, or the n-th keyword's list. */
const ListRefSchema = z.strictObject({ index: z.number().int().nonnegative(), url: z.string().min(1) });

/**
 * Where a run stopped, so its continuation starts there (the same for every kind of source; only
 * the entries of `pending` differ: extracted list entries, or jGrants list entries).
 *
 * `next`, the next list to read (a listing's next page, the next keyword's list), when the lists
 * are not read to their end yet; `pending`, entries whose detail is still to be read (the detail
 * queue; they are saved once it is read). `lists` are the states of the lists read so far, written
 * only when the run finishes, so a lost continuation means the next night reads them again
 * instead of finding them unchanged; `listedIds` the ids listed so far; `missed` whether a list the
 * run meant to read was not read (an error, no time) and `capped` whether the page cap or the
 * message size cut the lists short (only without either are vanished items withdrawn); `anyRead` whether some list
 * answered (else the run failed); `detailsLeft` whether some entry was left without its detail (by
 * the cap, the clock, or to keep a message small): then the lists keep no validators, so the next
 * run reads them again and fetches what was left.
 */
const cursorFields = {
  next: ListRefSchema.optional(),
  lists: z.array(UrlStateSchema),
  listedIds: z.array(z.string()),
  missed: z.boolean(),
  capped: z.boolean(),
  anyRead: z.boolean(),
  detailsLeft: z.boolean(),
};

export const CrawlCursorSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('listing'), pending: z.array(ExtractedItemSchema), ...cursorFields }),
  z.strictObject({ kind: z.literal('jgrants'), pending: z.array(JgrantsListEntrySchema), ...cursorFields }),
]);
export type CrawlCursor = z.infer<typeof CrawlCursorSchema>;
export type ListRef = z.infer<typeof ListRefSchema>;
/** A cursor without its kind, over the entries of one kind of source. */
export type ListsCursor<Entry> = Omit<CrawlCursor, 'kind' | 'pending'> & { readonly pending: readonly Entry[] };

/**
 * What a continuation message carries besides the source id: the run it continues and
 * everything the run has counted so far. `number` is this continuation's number (1 for the
 * first); the run stops continuing at `CRAWL_MAX_CONTINUATIONS`.
 */
export const CrawlContinuationSchema = z.strictObject({
  runId: z.string().min(1),
  startedAt: IsoInstantSchema,
  number: z.number().int().positive(),
  cursor: CrawlCursorSchema,
  counts: CrawlCountsSchema,
  /** The first errors of the run (at most `maxCarriedErrors`); `errorsDropped` counts the rest. */
  errors: z.array(UrlErrorSchema),
  errorsDropped: z.number().int().nonnegative().default(0),
  /** The merged quality report of the slices so far. */
  quality: QualityReportSchema.optional(),
  newestItemAt: IsoInstantSchema.optional(),
  /** A site asked to slow down (429/503) during the run. */
  retryLater: z.boolean().default(false),
  /** Detail fetches so far (against `detailFetchLimit`). */
  detailFetches: z.number().int().nonnegative().default(0),
  /** No list of the run so far was unchanged, failed or cut short: the whole run's count is compared with recent runs. */
  countComparable: z.boolean().default(true),
});
export type CrawlContinuation = z.infer<typeof CrawlContinuationSchema>;

/** Errors a continuation message carries (it must stay far below SQS's 256 KiB). */
export const maxCarriedErrors = 50;

/** Listed ids a continuation carries; beyond this the run withdraws nothing (a message stays small). */
export const maxCarriedIds = 4000;

/** Largest continuation (as JSON) a message carries: SQS takes 256 KiB, the rest of the body needs room. */
const maxContinuationBytes = 200_000;

/**
 * The continuation as it fits in one message: while its JSON is larger than `maxBytes`, the tail
 * half of its detail queue (`cursor.pending`) is dropped. Dropped entries are not saved by this
 * run; the cursor says so (`detailsLeft`), so the run keeps no
 * validators on its lists and the next run reads them again, and a `ContinuationSizeError` on the
 * run's errors (on `sourceUrl`) makes it partial. Without a detail queue to trim, the continuation
 * is returned as is.
 */
export function fitContinuation(
  continuation: CrawlContinuation,
  sourceUrl: string,
  maxBytes = maxContinuationBytes,
): CrawlContinuation {
  let next = continuation;
  const before = next.cursor.pending.length;
  while (jsonBytes(next) > maxBytes && next.cursor.pending.length > 0) {
    next = { ...next, cursor: halved(next.cursor) };
  }
  const dropped = before - next.cursor.pending.length;
  if (dropped === 0) return next;
  const error = {
    url: sourceUrl,
    kind: 'ContinuationSizeError',
    message: `continuation of ${jsonBytes(continuation)} bytes, expected at most ${maxBytes}: ${dropped} entries left for the next run`,
  };
  return { ...next, errors: [...next.errors, error] };
}

/** The cursor with the tail half of its detail queue dropped, and saying so. */
function halved<C extends { readonly pending: readonly unknown[] }>(cursor: C): C {
  return { ...cursor, pending: cursor.pending.slice(0, Math.floor(cursor.pending.length / 2)), detailsLeft: true };
}

function jsonBytes(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).length;
}
