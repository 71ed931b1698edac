import { itemIdFor, type ItemDraft } from '../../../shared/domain/item.js';
import type { Source } from '../../../shared/domain/source.js';
import type { DetailFacts } from '../extract/detail.js';
import type { DroppedEntry, ExtractedItem, ExtractedPage } from '../extract/extracted-item.js';
import { assessQuality } from './quality.js';
import type { QualityReport } from '../../../shared/domain/crawl-run.js';
import { passesKeywords, toDraft } from './to-draft.js';
import { canonicalUrl } from '../fetch/urls.js';

/**
 * The one extraction path: what a crawl does with the pages of a listing between fetching and
 * writing, and all that `chiiki source try` does with a saved page. Keeping both on these
 * functions is what makes a preview equal to the crawl it previews (keywords, dedupe,
 * validation, the quality gate).
 */

/** The entries of a listing that go on to become drafts, and the ones the source's rules drop. */
export interface SelectedEntries {
  readonly kept: ExtractedItem[];
  /** Dropped by the extractor (no title, no link) or by the source's keyword rules. */
  readonly dropped: DroppedEntry[];
  /** Canonical link → the pages (by index) that list it; a link on every page is navigation. */
  readonly pagesOfLink: Map<string, Set<number>>;
}

/** Applies the source's keyword rules to the entries of every page, keeping what the extractors dropped. */
export function selectEntries(source: Source, pages: readonly ExtractedPage[]): SelectedEntries {
  const kept: ExtractedItem[] = [];
  const dropped: DroppedEntry[] = [];
  const pagesOfLink = new Map<string, Set<number>>();
  pages.forEach((page, index) => {
    dropped.push(...(page.dropped ?? []));
    for (const item of page.items) {
      const key = canonicalOrSelf(source, item.url);
      let on = pagesOfLink.get(key);
      if (!on) pagesOfLink.set(key, (on = new Set()));
      on.add(index);
      if (passesKeywords(source, item.title)) kept.push(item);
      else dropped.push({ reason: 'keywords', title: item.title, link: item.url });
    }
  });
  return { kept, dropped, pagesOfLink };
}

function canonicalOrSelf(source: Source, url: string): string {
  try {
    return canonicalUrl(url, { https: source.canonicalHttps });
  } catch {
    return url;
  }
}

export interface DraftContextOf {
  readonly source: Source;
  readonly seenAt: string;
  readonly refDate: Date | string;
  /** Facts from an entry's own page, when the run read it. */
  readonly detailOf?: (item: ExtractedItem) => DetailFacts | undefined;
}

/** Validated drafts of a listing's kept entries. */
export interface DraftedEntries {
  /** One per canonical URL, in listing order. */
  readonly drafts: ItemDraft[];
  /** Ids the listing names, invalid entries included (an entry we could not read is not "gone"). */
  readonly listedIds: Set<string>;
  readonly newest?: string;
  /** Drafts that failed the Item schema, and repeats of a link. */
  readonly dropped: DroppedEntry[];
  /** Entries with a printed date that could not be read: their drafts are undated. */
  readonly unreadableDates: number;
}

/** Turns kept entries into drafts (see `toDraft`), dropping repeats of the same canonical link. */
export function draftEntries(items: readonly ExtractedItem[], ctx: DraftContextOf): DraftedEntries {
  const { source } = ctx;
  const drafts: ItemDraft[] = [];
  const listedIds = new Set<string>();
  const seen = new Set<string>();
  const dropped: DroppedEntry[] = [];
  let unreadableDates = 0;
  let newest: string | undefined;
  for (const item of items) {
    const detail = ctx.detailOf?.(item);
    const outcome = toDraft(item, {
      source,
      seenAt: ctx.seenAt,
      refDate: ctx.refDate,
      ...(detail ? { detail } : {}),
    });
    if (!outcome.ok) {
      dropped.push({ reason: 'invalid', title: item.title, link: item.url, detail: outcome.reason });
      try {
        listedIds.add(itemIdFor(canonicalUrl(item.url, { https: source.canonicalHttps })));
      } catch {
        /* not a URL at all */
      }
      continue;
    }
    const draft = outcome.draft;
    if (seen.has(draft.canonicalUrl)) {
      dropped.push({ reason: 'duplicate', title: item.title, link: item.url });
      continue;
    }
    seen.add(draft.canonicalUrl);
    listedIds.add(itemIdFor(draft.canonicalUrl));
    drafts.push(draft);
    if (item.dateText?.trim() && !draft.publishedAt) unreadableDates += 1;
    const at = draft.publishedAt;
    if (at && (!newest || Date.parse(at) > Date.parse(newest))) newest = at;
  }
  return { drafts, listedIds, ...(newest ? { newest } : {}), dropped, unreadableDates };
}

/** A listing's drafts and its quality report: everything a run decides before writing. */
export interface ListingOutcome extends DraftedEntries {
  readonly report: QualityReport;
}

/**
 * Selects, drafts and gates the pages of one listing. `pageUrls` are the pages' final URLs;
 * `recentItemCounts` the item counts of the source's recent gated runs (none in `source try`).
 */
export function extractListing(
  pages: readonly ExtractedPage[],
  ctx: DraftContextOf & { readonly pageUrls: readonly string[]; readonly recentItemCounts?: readonly number[] },
): ListingOutcome {
  const selected = selectEntries(ctx.source, pages);
  const drafted = draftEntries(selected.kept, ctx);
  const report = assessQuality({
    source: ctx.source,
    drafts: drafted.drafts,
    dropped: [...selected.dropped, ...drafted.dropped],
    unreadableDates: drafted.unreadableDates,
    pageUrls: ctx.pageUrls,
    pagesOfLink: selected.pagesOfLink,
    ...(ctx.recentItemCounts ? { recentItemCounts: ctx.recentItemCounts } : {}),
  });
  return { ...drafted, report };
}
