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

/** One crawl of one source. `outcome` is `failed` when nothing useful came back. */
export const CrawlRunSchema = z.strictObject({
  runId: z.string().min(1),
  sourceId: z.string().min(1),
  startedAt: IsoInstantSchema,
  finishedAt: IsoInstantSchema,
  durationMs: z.number().nonnegative(),
  outcome: z.enum(['succeeded', 'partial', 'failed']),
  counts: CrawlCountsSchema,
  errors: z.array(UrlErrorSchema),
  /** Newest publishedAt among the items the source listed in this run. */
  newestItemAt: IsoInstantSchema.optional(),
});
export type CrawlRun = z.infer<typeof CrawlRunSchema>;

/** Health of a source as shown by /v1/sources and the source-health page. */
export const SourceHealthSchema = z.strictObject({
  sourceId: z.string(),
  lastRunAt: IsoInstantSchema.optional(),
  lastSuccessAt: IsoInstantSchema.optional(),
  lastOutcome: z.enum(['succeeded', 'partial', 'failed']).optional(),
  consecutiveFailures: z.number().int().nonnegative(),
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
