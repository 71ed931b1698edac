import * as z from 'zod';
import { ApplicantTypeSchema } from './applicant.js';
import { IsoInstantSchema, ItemKindSchema, PrefectureCodeSchema, RegionBlockSchema } from './item.js';

/** Upper bound of `size`. */
export const maxPageSize = 100;
/** `total` is exact up to this many hits; above it `totalIsLowerBound` is true. */
export const exactTotalCap = 10_000;

/**
 * `expected` (公募予定・見込み): the newest round of a program series whose next round is forecast
 * and not yet announced: the document carries a `forecast` and is neither open nor upcoming now.
 * Such a document is also `closed` (or has no dates); the status facet counts it under both.
 */
const SearchStatusSchema = z.enum(['upcoming', 'open', 'closed', 'expected']);
/**
 * `amount`: largest per-project ceiling (上限額) first; `expected`: earliest forecast opening
 * first. Documents without the value come last, in the default tie order.
 */
const SearchSortSchema = z.enum(['relevance', 'newest', 'deadline', 'amount', 'expected']);
/** Yen, for the amount range. */
const YenSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** An inclusive range of instants; either end may be open. */
const DateRangeSchema = z.strictObject({
  from: IsoInstantSchema.optional(),
  to: IsoInstantSchema.optional(),
});

/**
 * The project's own query model. Callers never send engine DSL; adapters translate this.
 *
 * Text semantics (both engines): NFKC + lower case; CJK runs become character bigrams, Latin
 * runs words; each query word must appear as a contiguous phrase; all words are required.
 * Filters within one facet are OR, across facets AND. `status` is derived from opensAt/closesAt
 * and the adapter's clock at query time.
 */
export const SearchQuerySchema = z.strictObject({
  text: z.string().max(200).optional(),
  kinds: z.array(ItemKindSchema).optional(),
  ministries: z.array(z.string().min(1).max(40)).optional(),
  prefectures: z.array(PrefectureCodeSchema).optional(),
  regions: z.array(RegionBlockSchema).optional(),
  fields: z.array(z.string().min(1).max(40)).optional(),
  statuses: z.array(SearchStatusSchema).optional(),
  /** Who may apply (shared/domain/applicant.ts); OR within, a call matches when it names any. */
  applicants: z.array(ApplicantTypeSchema).optional(),
  /**
   * Inclusive range over the per-project ceiling (`amount.maxPerProjectYen`, 上限額). A document
   * with no known ceiling fails either bound: unknown is not "any amount".
   */
  amountMin: YenSchema.optional(),
  amountMax: YenSchema.optional(),
  opens: DateRangeSchema.optional(),
  closes: DateRangeSchema.optional(),
  published: DateRangeSchema.optional(),
  updated: DateRangeSchema.optional(),
  /** Also return withdrawn items (default: hidden). */
  includeWithdrawn: z.boolean().optional(),
  sort: SearchSortSchema.default('relevance'),
  size: z.number().int().min(1).max(maxPageSize).default(20),
  /** Opaque; from a previous page's `nextCursor` of the same query. */
  cursor: z.string().max(2000).optional(),
});
export type SearchQuery = z.input<typeof SearchQuerySchema>;
export type ParsedSearchQuery = z.output<typeof SearchQuerySchema>;
