import * as z from 'zod';
import { IsoInstantSchema, ItemKindSchema, PrefectureCodeSchema, RegionBlockSchema } from './item.js';

/** Upper bound of `size`. */
export const maxPageSize = 100;
/** `total` is exact up to this many hits; above it `totalIsLowerBound` is true. */
export const exactTotalCap = 10_000;

const SearchStatusSchema = z.enum(['upcoming', 'open', 'closed']);
const SearchSortSchema = z.enum(['relevance', 'newest', 'deadline']);

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
