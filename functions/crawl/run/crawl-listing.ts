import type { ItemDraft } from '../../../shared/domain/item.js';
import type { JgrantsSource, Source } from '../../../shared/domain/source.js';
import { extractDetail, type DetailFacts } from '../extract/detail.js';
import type { ExtractedItem, ExtractedPage } from '../extract/extracted-item.js';
import { extractPage, listingStartUrl } from '../extract/extract-page.js';
import { draftEntries, extractListing, selectEntries } from './listing.js';
import type { CrawlVariant } from './crawl-run-loop.js';
import type { SourceCrawl } from './source-crawl.js';

/**
 * A feed or html-list source as a crawl variant: its pages follow one another by their next-page
 * link (up to the page cap), and the entries that want one (calls only, unless the source asks
 * for every item) get their detail page read, conditionally, pages never read first.
 */
export function listingVariant(
  crawl: SourceCrawl,
  source: Exclude<Source, JgrantsSource>,
): CrawlVariant<ExtractedItem, ExtractedPage, DetailFacts> {
  const ctx = { source, seenAt: crawl.seenAt, refDate: crawl.started };
  const detail = source.detail;
  return {
    kind: 'listing',
    chained: true,
    firstUrl: listingStartUrl(source),
    after(list, page, read) {
      const next = page?.nextPageUrl;
      if (!next || read.includes(next) || next === list.url) return 'end';
      if (read.length >= source.politeness.maxPages) return 'capped';
      return { index: list.index + 1, url: next };
    },
    parse: (result) => extractPage(source, result.text, result.finalUrl),
    gate(pages, { pageUrls, recentItemCounts }) {
      const listingCtx = { ...ctx, pageUrls, ...(recentItemCounts ? { recentItemCounts } : {}) };
      const listing = extractListing(pages, listingCtx);
      return {
        report: listing.report,
        dropped: listing.dropped,
        listedIds: listing.listedIds,
        candidates: detailWanted(source, pages, listing.drafts),
        draft(detailOf) {
          const withDetails = extractListing(pages, { ...listingCtx, detailOf });
          return { drafts: withDetails.drafts, report: withDetails.report };
        },
      };
    },
    draftCarried: (entries, detailOf) => draftEntries(entries, { ...ctx, detailOf }).drafts,
    itemUrl: (entry) => entry.url,
    detail: detail && {
      cap: detail.maxItems,
      url: (entry) => entry.url,
      need: (_, state) => (state ? 'refresh' : 'must'),
      parse: (result) => extractDetail(result.text, detail.content),
    },
    cursorOf: (cursor) => ({ kind: 'listing', ...cursor, pending: [...cursor.pending] }),
  };
}

/**
 * The entries of a listing whose detail page is wanted (calls only, unless the source asks for
 * every item), in listing order, as the extractor read them (a continuation carries them).
 */
function detailWanted(source: Source, pages: readonly ExtractedPage[], drafts: readonly ItemDraft[]): ExtractedItem[] {
  const detail = source.detail;
  if (!detail) return [];
  const byUrl = new Map<string, ExtractedItem>();
  for (const item of selectEntries(source, pages).kept) if (!byUrl.has(item.url)) byUrl.set(item.url, item);
  return drafts.flatMap((d) => {
    const item = byUrl.get(d.url);
    return item && (!detail.onlyCalls || d.kind === 'call') ? [item] : [];
  });
}
