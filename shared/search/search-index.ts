import type { ApplicantType } from '../domain/applicant.js';
import type { DayWindow } from '../ja/day-window.js';
import type { CallStatus } from '../domain/status.js';
import type { Item, ItemId, ItemKind, RegionBlock } from '../domain/item.js';
import type { Series } from '../domain/series.js';
import type { SearchQuery } from './query.js';

/** What the index holds per item: the searchable and filterable projection of an `Item`. */
export interface SearchDoc {
  readonly id: ItemId;
  readonly kind: ItemKind;
  readonly title: string;
  readonly summary?: string;
  readonly bodyText?: string;
  readonly url: string;
  readonly publisher: string;
  readonly ministry?: string;
  readonly prefectures: readonly string[];
  readonly regions: readonly RegionBlock[];
  readonly fields: readonly string[];
  readonly publishedAt?: string;
  readonly opensAt?: string;
  readonly closesAt?: string;
  readonly updatedAt: string;
  readonly withdrawn: boolean;
  /** Source ids that carried the item. */
  readonly sources: readonly string[];
  /** Who may apply (`item.applicants` types, taxonomy order); `[]` when unknown. */
  readonly applicants: readonly ApplicantType[];
  /** Per-project ceiling in yen (`item.amount.maxPerProjectYen`); absent when unknown. */
  readonly amountCeiling?: number;
  /** The next round's forecast, on the newest round of a series that has one (see `searchForecastOf`). */
  readonly forecast?: SearchForecast;
}

/**
 * What the index keeps of a series' forecast (shared/domain/forecast.ts) on its newest round: the
 * expected windows and the 「見込み」 sentence with its basis, so a hit can show it without a read.
 */
export interface SearchForecast {
  readonly seriesId: string;
  readonly opens: DayWindow;
  readonly closes?: DayWindow;
  readonly text: string;
}

/**
 * The forecast the item's document carries: the series' `expected` forecast when the item is the
 * series' newest round, else none (older rounds and series without a forecast).
 */
export function searchForecastOf(item: Pick<Item, 'id'>, series: Series | undefined): SearchForecast | undefined {
  if (!series || series.forecast.status !== 'expected') return undefined;
  if (series.rounds[series.rounds.length - 1]?.itemId !== item.id) return undefined;
  const { opens, closes, text } = series.forecast;
  return { seriesId: series.id, opens, ...(closes ? { closes } : {}), text };
}

/**
 * The projection of a stored item into the index; `series` is the item's program series, if any
 * (its forecast goes on the newest round).
 */
export function toSearchDoc(item: Item, series?: Series): SearchDoc {
  const forecast = searchForecastOf(item, series);
  return {
    id: item.id,
    kind: item.kind,
    title: item.title,
    summary: item.summary,
    bodyText: item.bodyText,
    url: item.url,
    publisher: item.publisher,
    ministry: item.ministry,
    prefectures: item.prefectures,
    regions: item.regions,
    fields: item.fields,
    publishedAt: item.publishedAt,
    opensAt: item.opensAt,
    closesAt: item.closesAt,
    updatedAt: item.updatedAt,
    withdrawn: item.withdrawnAt !== undefined,
    sources: item.provenance.map((p) => p.sourceId),
    applicants: item.applicants?.types ?? [],
    ...(item.amount?.maxPerProjectYen !== undefined ? { amountCeiling: item.amount.maxPerProjectYen } : {}),
    ...(forecast ? { forecast } : {}),
  };
}

/** Matched fragments per field; matched text is wrapped in `<mark>`…`</mark>`, the rest HTML-escaped. */
export type Highlights = Partial<Record<'title' | 'summary' | 'bodyText', readonly string[]>>;

export interface SearchHit {
  readonly doc: SearchDoc;
  readonly status: CallStatus;
  readonly highlights: Highlights;
}

export interface FacetCount {
  readonly value: string;
  readonly count: number;
}

export interface Facets {
  readonly kind: readonly FacetCount[];
  readonly status: readonly FacetCount[];
  readonly ministry: readonly FacetCount[];
  readonly prefecture: readonly FacetCount[];
  readonly region: readonly FacetCount[];
  readonly field: readonly FacetCount[];
  readonly applicant: readonly FacetCount[];
}

export interface SearchPage {
  /** Exact up to `exactTotalCap`; see `totalIsLowerBound`. */
  readonly total: number;
  readonly totalIsLowerBound: boolean;
  readonly items: readonly SearchHit[];
  /** Counts over all hits of the query (not only this page), sorted by count desc then value. */
  readonly facets: Facets;
  /** Absent on the last page. */
  readonly nextCursor?: string;
}

/** Full-text index of published items. Both adapters pass test/support/search-index.contract.ts. */
export interface SearchIndex {
  /** Creates the index and mapping when missing; cheap and safe on every cold start. */
  ensureIndex(): Promise<void>;
  /** Inserts or replaces by id. Idempotent. */
  upsert(docs: readonly SearchDoc[]): Promise<void>;
  /** Ids that are not indexed are ignored, not reported. */
  remove(ids: readonly ItemId[]): Promise<void>;
  /** No hits is `{ total: 0, items: [] }`, never an error. Throws `InvalidInputError` for a bad cursor. */
  search(query: SearchQuery): Promise<SearchPage>;
  /** Number of indexed documents. */
  count(): Promise<number>;
  /** Optional: starts a full rebuild into a fresh index version (see `ReindexWriter`). */
  beginReindex?(): Promise<ReindexWriter>;
  /**
   * Optional: the content version of indexed documents, to check the index against the store by
   * content (see `DocVersions`): of every document, or of `ids` only (ids not indexed are left out).
   * Reads what is indexed now, including writes not yet visible to search.
   */
  versions?(ids?: readonly ItemId[]): Promise<DocVersions>;
  /**
   * Optional: index versions that no alias (OpenSearch) or `CURRENT` pointer (embedded) reaches,
   * left by a reindex that crashed or could not clean up; oldest first. A reindex running at the
   * same moment is listed too (its version is not live yet).
   */
  listOrphans?(): Promise<string[]>;
  /** Optional: deletes what `listOrphans` lists and returns the names deleted. */
  removeOrphans?(): Promise<string[]>;
}

/**
 * `updatedAt` (epoch ms) per indexed document id. The store moves an item's `updatedAt` on every
 * write that changes it, so equal versions mean the document is the projection of the stored item.
 */
export type DocVersions = Map<string, number>;

/**
 * A complete new index being built beside the live one (returned by `SearchIndex.beginReindex`).
 * Searches keep answering from the live index until `commit()` swaps the new one in atomically
 * (an alias swap in OpenSearch, a version-folder swap in the embedded engine). While the writer is
 * open, the index's own `upsert` and `remove` (the live indexer) write to the new index too, so
 * changes made during the rebuild are not lost by the swap.
 */
export interface ReindexWriter {
  /** Inserts or replaces by id in the new index. */
  upsert(docs: readonly SearchDoc[]): Promise<void>;
  /** Removes from the new index; ids not there are ignored. */
  remove(ids: readonly ItemId[]): Promise<void>;
  /** Content versions in the new index, as `SearchIndex.versions`. */
  versions(ids?: readonly ItemId[]): Promise<DocVersions>;
  /** Documents in the new index so far. */
  count(): Promise<number>;
  /** Makes the new index the live one; the old one is dropped. */
  commit(): Promise<void>;
  /** Drops the new index; the live one is untouched. */
  abort(): Promise<void>;
}
