import type { UrlState } from '../../../shared/domain/crawl-run.js';
import type { ItemDraft } from '../../../shared/domain/item.js';
import type { JgrantsSource, Source } from '../../../shared/domain/source.js';
import { extractDetail, type DetailFacts } from '../extract/detail.js';
import type { ExtractedItem, ExtractedPage } from '../extract/extracted-item.js';
import { extractPage, listingStartUrl } from '../extract/extract-page.js';
import { draftEntries, extractListing, selectEntries } from './listing.js';
import { mergeQualityReports, sliceReport } from './quality.js';
import { maxCarriedIds, type ListingCursor } from './crawl-continuation.js';
import { hashOf, stateOf, type SourceCrawl } from './source-crawl.js';

interface ListingPage {
  readonly state: UrlState;
  readonly changed: boolean;
}

/**
 * Reads a feed or html-list source: its listing pages (conditionally, up to the page cap), then
 * the detail pages of the entries that want one, writes the drafts, withdraws what vanished
 * from a completely read listing, and stores the pages' validators last.
 */
export async function crawlListing(
  crawl: SourceCrawl,
  source: Exclude<Source, JgrantsSource>,
  resume: ListingCursor | undefined,
): Promise<{ newest?: string; firstFailed: boolean }> {
  const { store } = crawl.deps;
  const startUrl = listingStartUrl(source);
  const firstState = await store.getUrlState(startUrl);
  const readBefore = resume?.pageUrls ?? [];
  const pages: ListingPage[] = [];
  const extracted: ExtractedPage[] = [];
  let complete = resume ? resume.complete : true;
  /** A page the run meant to read was not read (error, unchanged, foreign host): fewer items is no signal then. */
  let cutShort = false;
  /** The next page, when this invocation ran out of time before reading it. */
  let stoppedAt: string | undefined;
  let url: string | undefined = resume ? resume.nextUrl : startUrl;
  while (url) {
    const isFirst = !resume && pages.length === 0;
    const verdict = crawl.timeVerdict();
    if (verdict === 'stop') {
      stoppedAt = url;
      break;
    }
    if (verdict === 'skip') {
      complete = false;
      cutShort = true;
      break;
    }
    const state = isFirst ? firstState : await store.getUrlState(url);
    const result = await crawl.fetch(url, state);
    if (!result) {
      complete = false;
      cutShort = true;
      break;
    }
    if (result.status === 'not-modified' || (state?.bodyHash && state.bodyHash === hashOf(result.body))) {
      if (isFirst) return { newest: crawl.unchangedListing(firstState), firstFailed: false };
      complete = false; // a later page we cannot re-read: keep what we know, withdraw nothing
      cutShort = true;
      break;
    }
    let page: ExtractedPage;
    try {
      page = extractPage(source, result.text, result.finalUrl);
    } catch (error) {
      crawl.recordError(url, error);
      complete = false;
      cutShort = true;
      if (isFirst) return { firstFailed: true };
      break;
    }
    pages.push({ state: stateOf(result, crawl.seenAt), changed: true });
    extracted.push(page);
    const next = page.nextPageUrl;
    const read = [...readBefore, ...pages.map((p) => p.state.url)];
    if (!next || read.includes(next) || next === url) break;
    if (read.length >= source.politeness.maxPages) {
      complete = false; // the page cap cut the listing short
      break;
    }
    if (!crawl.allowed(next)) {
      crawl.deps.log.warn('next page on a host the source does not allow', { sourceId: source.id, url: next });
      complete = false;
      cutShort = true;
      break;
    }
    url = next;
  }
  if (!resume && pages.length === 0) return { firstFailed: true };
  const firstPage = resume?.firstPage ?? (pages[0] as ListingPage).state;
  const sliced = resume !== undefined || stoppedAt !== undefined;
  if (cutShort) crawl.countComparable = false;

  let newest: string | undefined;
  let listedIds = new Set<string>(resume?.listedIds ?? []);
  let drafts: ItemDraft[] = [];
  let pending: ExtractedItem[] = [];
  /** Entries of this slice's pages whose detail is wanted, in listing order. */
  let wanted: ExtractedItem[] = [];
  let listingCtx: Parameters<typeof extractListing>[1] | undefined;
  if (pages.length > 0) {
    listingCtx = {
      source,
      seenAt: crawl.seenAt,
      refDate: crawl.started,
      pageUrls: pages.map((p) => p.state.url),
      ...(cutShort || sliced ? {} : { recentItemCounts: crawl.recentItemCounts }),
    };
    const listing = extractListing(extracted, listingCtx);
    const report = sliced ? sliceReport(listing.report) : listing.report;
    crawl.quality = sliced ? mergeQualityReports(crawl.quality, report) : report;
    crawl.countDropped(listing.dropped);
    if (!report.passed) return { firstFailed: false };
    for (const id of listing.listedIds) listedIds.add(id);
    drafts = listing.drafts;
    newest = listing.newest;
    // Details only once the listing passed its gate: a suspect run fetches nothing more.
    if (source.detail) wanted = detailWanted(source, extracted, drafts);
  }

  // The detail queue: entries an earlier invocation left, then this slice's.
  const queue = [...(resume?.pending ?? []), ...wanted];
  const details = new Map<string, DetailFacts>();
  if (source.detail && queue.length > 0) {
    const left = await fetchDetails(crawl, source, queue, details, stoppedAt !== undefined);
    pending = left;
  }
  const pendingUrls = new Set(pending.map((item) => item.url));
  if (listingCtx && details.size > 0) {
    const withDetails = extractListing(extracted, { ...listingCtx, detailOf: (item) => details.get(item.url) });
    if (!sliced) crawl.quality = withDetails.report;
    drafts = withDetails.drafts;
    newest = withDetails.newest;
  }
  if (pendingUrls.size > 0) drafts = drafts.filter((d) => !pendingUrls.has(d.url));
  const carried = (resume?.pending ?? []).filter((item) => !pendingUrls.has(item.url));
  if (carried.length > 0) {
    // Entries listed (and gated) by an earlier invocation, now with the detail this one read.
    const later = draftEntries(carried, {
      source,
      seenAt: crawl.seenAt,
      refDate: crawl.started,
      detailOf: (item) => details.get(item.url),
    });
    drafts = [...later.drafts, ...drafts];
  }
  await crawl.upsert(drafts, source.detail !== undefined, new Set(details.keys()));

  if (stoppedAt || pending.length > 0) {
    for (const page of pages) if (page.state.url !== firstPage.url) await store.putUrlState(page.state);
    if (listedIds.size > maxCarriedIds) {
      listedIds = new Set([...listedIds].slice(0, maxCarriedIds));
      complete = false;
    }
    crawl.cursor = {
      kind: 'listing',
      ...(stoppedAt ? { nextUrl: stoppedAt } : {}),
      pending,
      pageUrls: [...readBefore, ...pages.map((p) => p.state.url)],
      firstPage,
      listedIds: [...listedIds],
      complete,
      ...(resume?.trimmed || crawl.listingDetailsLeft ? { trimmed: true } : {}),
    };
    return { ...(newest ? { newest } : {}), firstFailed: false };
  }
  if (complete) await crawl.withdrawVanished(firstState, listedIds);
  if (crawl.abandoned || resume?.trimmed || crawl.listingDetailsLeft) {
    // The run gave up for lack of time, dropped entries to keep a continuation small, or left
    // details to the cap: its pages keep no validators, so the next run reads the whole listing
    // again and fetches the details (and entries) this one left.
    const readUrls = [...readBefore, ...pages.map((p) => p.state.url)].filter((u) => u !== firstPage.url);
    for (const pageUrl of readUrls) await store.putUrlState({ url: pageUrl, fetchedAt: crawl.seenAt });
    await store.putUrlState({ url: firstPage.url, fetchedAt: firstPage.fetchedAt, itemIds: [...listedIds] });
    return { ...(newest ? { newest } : {}), firstFailed: false };
  }
  // Validators are stored last: if anything above failed, the next run reads the listing again.
  for (const page of pages) if (page.state.url !== firstPage.url) await store.putUrlState(page.state);
  await store.putUrlState({ ...firstPage, itemIds: [...listedIds] });
  return { ...(newest ? { newest } : {}), firstFailed: false };
}

/**
 * Reads the detail pages of `queue` (conditionally) into `out`, up to the source's
 * `detail.maxItems` per run (continuations included). Returns the entries left for a
 * continuation when the budget ran out (`stopNow`: it already has). An entry past the cap is
 * not left: it is saved from its list entry. When the queue is longer than the cap allows,
 * pages never read go first, and if some are still unread at the cap, the run keeps no
 * validators on its listing (`listingDetailsLeft`), so the next run reads them.
 */
async function fetchDetails(
  crawl: SourceCrawl,
  source: Source,
  queue: readonly ExtractedItem[],
  out: Map<string, DetailFacts>,
  stopNow: boolean,
): Promise<ExtractedItem[]> {
  const detail = source.detail;
  if (!detail) return [];
  const unread = new Set<string>();
  let ordered = queue;
  if (!stopNow && queue.length > detail.maxItems - crawl.detailFetches) {
    for (const item of queue) if (!(await crawl.deps.store.getUrlState(item.url))) unread.add(item.url);
    ordered = [...queue.filter((i) => unread.has(i.url)), ...queue.filter((i) => !unread.has(i.url))];
  }
  for (const [index, item] of ordered.entries()) {
    if (stopNow) return ordered.slice(index);
    if (crawl.detailFetches >= detail.maxItems) {
      if (unread.has(item.url)) crawl.listingDetailsLeft = true;
      return [];
    }
    const { url } = item;
    if (!crawl.allowed(url)) continue;
    const verdict = crawl.timeVerdict();
    if (verdict === 'stop') return ordered.slice(index);
    if (verdict === 'skip') return [];
    crawl.detailFetches += 1;
    const state = await crawl.deps.store.getUrlState(url);
    const result = await crawl.fetch(url, state);
    if (!result || result.status === 'not-modified') continue;
    if (state?.bodyHash && state.bodyHash === hashOf(result.body)) continue;
    out.set(url, extractDetail(result.text, detail.content));
    crawl.pendingStates.push(stateOf(result, crawl.seenAt));
  }
  return [];
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
