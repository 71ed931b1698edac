import * as z from 'zod';
import { IsoInstantSchema } from './item.js';

/** Why one URL of a crawl failed, in words an operator can act on. */
export const UrlErrorSchema = z.strictObject({
  url: z.string(),
  /** Error class name, e.g. `PermanentFetchError`, `RetryLaterError`, `ExtractionError`. */
  kind: z.string(),
  status: z.number().int().optional(),
  message: z.string(),
});
export type UrlError = z.infer<typeof UrlErrorSchema>;

/** A count of things: a whole number, never negative. */
const count = z.number().int().nonnegative();

/** Counts of one crawl run of one source. */
export const CrawlCountsSchema = z.strictObject({
  fetched: count,
  notModified: count,
  new: count,
  updated: count,
  unchanged: count,
  withdrawn: count,
  failed: count,
  skippedByRobots: count,
  /** Items the extractor produced that failed the Item schema (a site redesign shows up here). */
  invalid: count,
});
export type CrawlCounts = z.infer<typeof CrawlCountsSchema>;

/** Every count of a run at zero. */
export const emptyCounts = (): CrawlCounts =>
  Object.fromEntries(Object.keys(CrawlCountsSchema.shape).map((key) => [key, 0])) as CrawlCounts;

/** Why an entry never became an item (see `DropReason` in the crawler). */
export const CrawlOutcomeSchema = z.enum(['succeeded', 'partial', 'failed', 'suspect']);
export type CrawlOutcome = z.infer<typeof CrawlOutcomeSchema>;

const DropReasonSchema = z.enum(['no-title', 'no-link', 'non-http-link', 'empty', 'keywords', 'duplicate', 'invalid']);

/** A gate rule a run broke, with the measured value and the threshold, in English and Japanese. */
export const QualityProblemSchema = z.strictObject({
  /** Which rule: `no-items`, `dropped`, `undated`, `navigation`, `duplicate-titles`, `off-host`, `no-deadline`, `count-drop`. */
  code: z.string(),
  value: z.number(),
  threshold: z.number(),
  message: z.string(),
  /** The same for the health page. */
  messageJa: z.string(),
});
export type QualityProblem = z.infer<typeof QualityProblemSchema>;

/**
 * What one extraction gave and whether it may be published (the quality gate). Shares are of
 * `items` (what would be published) unless said otherwise; `entries` counts everything the
 * extractor saw, dropped entries included.
 */
export const QualityReportSchema = z.strictObject({
  entries: count,
  items: count,
  /** Items with a published date or an application period. */
  dated: count,
  /** Entries whose printed date could not be read (kept, undated). */
  unreadableDates: count,
  calls: count,
  /** Calls with a deadline (`closesAt`). */
  callsWithDeadline: count,
  dropped: z.partialRecord(DropReasonSchema, z.number().int().positive()),
  /** Links to the site root or section indexes, menu-word titles, the same link on every page. */
  navigation: count,
  /** Links outside the source's hosts. */
  offHost: count,
  /** Items whose title an earlier item of the run already had. */
  duplicateTitles: count,
  /** Median item count of the source's recent gated runs, when there are any. */
  recentItems: z.number().nonnegative().optional(),
  /** A few entries behind the numbers (navigation-like items, dropped entries), for the operator. */
  examples: z
    .array(z.strictObject({ why: z.string(), title: z.string().optional(), link: z.string().optional() }))
    .max(10),
  passed: z.boolean(),
  problems: z.array(QualityProblemSchema),
});
export type QualityReport = z.infer<typeof QualityReportSchema>;

/**
 * One crawl of one source. `outcome` is `failed` when nothing useful came back, `suspect` when the
 * extraction failed its quality gate (nothing of it was published; `quality` says why). A run that
 * ran out of time is continued by further invocations (continuations); it is still one record,
 * written by the last of them, with the counts of all and `continuations` set.
 */
export const CrawlRunSchema = z.strictObject({
  runId: z.string().min(1),
  sourceId: z.string().min(1),
  startedAt: IsoInstantSchema,
  finishedAt: IsoInstantSchema,
  durationMs: z.number().nonnegative(),
  outcome: CrawlOutcomeSchema,
  counts: CrawlCountsSchema,
  errors: z.array(UrlErrorSchema),
  /** Newest publishedAt among the items the source listed in this run. */
  newestItemAt: IsoInstantSchema.optional(),
  /** The quality report, on every run that extracted something (not on an unchanged listing). */
  quality: QualityReportSchema.optional(),
  /** How many continuations the run took after its first invocation ran out of time; absent: none. */
  continuations: z.number().int().positive().optional(),
});
export type CrawlRun = z.infer<typeof CrawlRunSchema>;

/** Health of a source as shown by /v1/sources and the source-health page. */
export const SourceHealthSchema = z.strictObject({
  sourceId: z.string(),
  lastRunAt: IsoInstantSchema.optional(),
  lastSuccessAt: IsoInstantSchema.optional(),
  lastOutcome: CrawlOutcomeSchema.optional(),
  consecutiveFailures: count,
  /** Gated runs in a row that failed their gate (0 after a run that passed). */
  consecutiveSuspect: count.default(0),
  /** The last gated run's report (unchanged listings keep the previous one). */
  lastQuality: QualityReportSchema.optional(),
  /** The first run that passed its gate with items: an unverified source counts as verified from then on. */
  verifiedAt: IsoInstantSchema.optional(),
  lastCounts: CrawlCountsSchema.optional(),
  lastError: z.string().optional(),
  newestItemAt: IsoInstantSchema.optional(),
  itemCount: count,
});
export type SourceHealth = z.infer<typeof SourceHealthSchema>;

/** Per-URL conditional-GET state. */
export const UrlStateSchema = z.strictObject({
  url: z.string(),
  etag: z.string().optional(),
  lastModified: z.string().optional(),
  /** sha256 of the last body, so a server without validators still costs no writes. */
  bodyHash: z.string().optional(),
  /** Item ids the URL listed last time (to mark vanished ones withdrawn). */
  itemIds: z.array(z.string()).optional(),
  fetchedAt: IsoInstantSchema,
});
export type UrlState = z.infer<typeof UrlStateSchema>;
