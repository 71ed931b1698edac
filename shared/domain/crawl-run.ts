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

/** Counts of one crawl run of one source. */
export const CrawlCountsSchema = z.strictObject({
  fetched: z.number().int().nonnegative(),
  notModified: z.number().int().nonnegative(),
  new: z.number().int().nonnegative(),
  updated: z.number().int().nonnegative(),
  unchanged: z.number().int().nonnegative(),
  withdrawn: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  skippedByRobots: z.number().int().nonnegative(),
  /** Items the extractor produced that failed the Item schema (a site redesign shows up here). */
  invalid: z.number().int().nonnegative(),
});
export type CrawlCounts = z.infer<typeof CrawlCountsSchema>;

export const emptyCounts = (): CrawlCounts => ({
  fetched: 0,
  notModified: 0,
  new: 0,
  updated: 0,
  unchanged: 0,
  withdrawn: 0,
  failed: 0,
  skippedByRobots: 0,
  invalid: 0,
});

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
  entries: z.number().int().nonnegative(),
  items: z.number().int().nonnegative(),
  /** Items with a published date or an application period. */
  dated: z.number().int().nonnegative(),
  /** Entries whose printed date could not be read (kept, undated). */
  unreadableDates: z.number().int().nonnegative(),
  calls: z.number().int().nonnegative(),
  /** Calls with a deadline (`closesAt`). */
  callsWithDeadline: z.number().int().nonnegative(),
  dropped: z.partialRecord(DropReasonSchema, z.number().int().positive()),
  /** Links to the site root or section indexes, menu-word titles, the same link on every page. */
  navigation: z.number().int().nonnegative(),
  /** Links outside the source's hosts. */
  offHost: z.number().int().nonnegative(),
  /** Items whose title an earlier item of the run already had. */
  duplicateTitles: z.number().int().nonnegative(),
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
  consecutiveFailures: z.number().int().nonnegative(),
  /** Gated runs in a row that failed their gate (0 after a run that passed). */
  consecutiveSuspect: z.number().int().nonnegative().default(0),
  /** The last gated run's report (unchanged listings keep the previous one). */
  lastQuality: QualityReportSchema.optional(),
  /** The first run that passed its gate with items: an unverified source counts as verified from then on. */
  verifiedAt: IsoInstantSchema.optional(),
  lastCounts: CrawlCountsSchema.optional(),
  lastError: z.string().optional(),
  newestItemAt: IsoInstantSchema.optional(),
  itemCount: z.number().int().nonnegative(),
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
