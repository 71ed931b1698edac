import type { QualityReport, UrlState } from '../../../shared/domain/crawl-run.js';
import type { ItemDraft } from '../../../shared/domain/item.js';
import type { DroppedEntry } from '../extract/extracted-item.js';
import type { FetchedPage } from '../fetch/http-fetcher.js';
import { maxCarriedIds, type CrawlCursor, type ListRef, type ListsCursor } from './crawl-continuation.js';
import { mergeQualityReports, sliceReport } from './quality.js';
import { hashOf, stateOf, type SourceCrawl } from './source-crawl.js';

/**
 * The one crawl algorithm: read a source's lists, gate what they list, read the detail pages the
 * entries want, write the drafts, then (once the run is finished) withdraw what vanished and keep
 * the lists' validators. What differs between kinds of source is a `CrawlVariant`: how the lists
 * follow one another, how a list becomes entries and drafts, which entries want a detail and how
 * a detail is read (crawl-listing.ts for feeds and html lists, crawl-jgrants.ts for the jGrants
 * API). Like a crawler framework's request loop beside its per-site handler.
 *
 * The two kinds once had an algorithm each. Their differences, and what became of them:
 *
 * - List order (essential, `chained`): a listing's pages follow one another (page 2 is known only
 *   from page 1), so a page that fails or is unchanged ends the listing, and an unchanged first
 *   page means the whole listing is unchanged. jGrants' keyword lists are independent: one that
 *   fails or is unchanged is passed over and the next is read; an unchanged list's items count as
 *   unchanged and as still listed.
 * - First-list failure (unified): the run fails when no list answered. For a listing that is its
 *   first page; jGrants used to count a list that answered with something unreadable as read; now
 *   a list counts as read only when it was extracted or found unchanged.
 * - Gate timing (unified on the listing's): the slice's entries are judged before any detail is
 *   fetched, so a suspect run fetches nothing more (jGrants fetched every detail first). A run in
 *   one invocation is judged again with its details before anything is written, and a failing
 *   verdict then writes nothing (the listing wrote its items and only recorded the verdict).
 * - Detail choice (essential, `detail.need`): a listing reads the detail of every wanted entry,
 *   conditionally, pages never read first when the cap would leave some; jGrants reads only the
 *   details of new entries, of entries whose list fields changed, or never read. Both now send
 *   the detail's validators (jGrants did not).
 * - Detail cap (essential value, one rule): `detail.maxItems` or `detailFetchLimit` per run,
 *   continuations included; entries past it are saved from their list entry, and when one of
 *   them still needed its detail the lists keep no validators, so the next run reads them again.
 * - URL states (unified): a detail's state is saved with its item, after the gate passed; the
 *   lists' states only when the run finishes (a listing wrote its later pages' states at every
 *   continuation). A run that gave up for lack of time, left details behind or missed a list keeps
 *   no validators on its lists (jGrants kept them when it gave up on a list), so the next run reads
 *   them again.
 * - Withdrawal (unified on the listing's): only after a complete run (every list read, none failed
 *   or unchanged after a listing's first page, no page cap) that passed its gate and still lists
 *   something. jGrants withdrew per keyword list even when another list failed, so an item that
 *   moved to a list that failed that night was withdrawn. A run that missed a list keeps the ids
 *   listed before beside its own, so the next complete run withdraws what vanished meanwhile (both
 *   used to forget those ids, and never withdrew their items).
 * - Continuation (one cursor shape, `ListsCursor`): the next list, the detail queue, the lists read,
 *   the ids listed, whether a list was missed or capped, and whether details were left. jGrants deduplicated
 *   subsidies by their jGrants id; now by item id, as listed ids are.
 * - Lists read before details (unified): jGrants read each list's details before the next list; now
 *   every list of the slice is read first, so the gate judges them together.
 */
export interface CrawlVariant<Entry, Page, Facts> {
  readonly kind: CrawlCursor['kind'];
  /** Each list is known only from the one before it (a listing's pages); else the lists are independent. */
  readonly chained: boolean;
  /** The first list's URL. */
  readonly firstUrl: string;
  /** The list after `list` (`page`: what it gave, absent when it failed or was unchanged), or why there is none. */
  after(list: ListRef, page: Page | undefined, read: readonly string[]): ListRef | 'end' | 'capped';
  /** A fetched list as a page of entries; throws when it is not one (a changed layout). */
  parse(result: FetchedPage): Page;
  /** Drafts and judges the lists this invocation read. */
  gate(pages: readonly Page[], ctx: GateContext): GatedLists<Entry, Facts>;
  /** Drafts of entries an earlier invocation listed and gated, with the details read since. */
  draftCarried(entries: readonly Entry[], detailOf: (entry: Entry) => Facts | undefined): ItemDraft[];
  /** The URL of the item an entry becomes. */
  itemUrl(entry: Entry): string;
  /** How entries' detail pages are read; absent: the source has none. */
  readonly detail: DetailStep<Entry, Facts> | undefined;
  /** The cursor of this kind. */
  cursorOf(cursor: ListsCursor<Entry>): CrawlCursor;
}

export interface GateContext {
  readonly pageUrls: readonly string[];
  /** Item counts of recent runs, when this run's count may be compared with them. */
  readonly recentItemCounts?: readonly number[];
  /** Ids listed by the lists that earlier invocations of the run read. */
  readonly listedBefore: ReadonlySet<string>;
}

export interface GatedLists<Entry, Facts> {
  readonly report: QualityReport;
  readonly dropped: readonly DroppedEntry[];
  /** Ids the lists name, invalid entries included (an entry we could not read is not "gone"). */
  readonly listedIds: ReadonlySet<string>;
  /** Independent lists: the ids each page names and no earlier list did, stored on its URL state. */
  readonly idsByPage?: readonly string[][];
  /** Entries whose detail page may be read, in listing order. */
  readonly candidates: readonly Entry[];
  /** The lists' drafts and their report with the details read. */
  draft(detailOf: (entry: Entry) => Facts | undefined): { drafts: ItemDraft[]; report: QualityReport };
}

/** Whether an entry's detail must be read (never read, or changed), may be re-read (conditionally), or not. */
export type DetailNeed = 'must' | 'refresh' | 'skip';

export interface DetailStep<Entry, Facts> {
  /** Detail fetches per run, continuations included. */
  readonly cap: number;
  url(entry: Entry): string;
  need(entry: Entry, state: UrlState | undefined): DetailNeed | Promise<DetailNeed>;
  /** A fetched detail page's facts; throws when it is not one. */
  parse(result: FetchedPage): Facts;
}

/** Reads the lists and details of one source within one invocation (see `CrawlVariant`). */
export async function crawlLists<Entry, Page, Facts>(
  crawl: SourceCrawl,
  variant: CrawlVariant<Entry, Page, Facts>,
  resume: ListsCursor<Entry> | undefined,
): Promise<{ newest?: string; firstFailed: boolean }> {
  const { store } = crawl.deps;
  const read = await readLists(crawl, variant, resume);
  if (read === 'unchanged') return { firstFailed: false };
  const { pages, states, stoppedAt, cutShort, missed } = read;
  let { capped } = read;
  if (!read.anyRead && !stoppedAt) return { firstFailed: true };
  if (cutShort) crawl.countComparable = false;
  const listedBefore = new Set<string>(resume?.listedIds ?? []);
  const listed = new Set<string>([...listedBefore, ...read.unchangedIds]);
  const sliced = resume !== undefined || stoppedAt !== undefined;

  let gated: GatedLists<Entry, Facts> | undefined;
  if (pages.length > 0) {
    gated = variant.gate(pages, {
      pageUrls: states.map((s) => s.url),
      ...(cutShort || sliced ? {} : { recentItemCounts: crawl.recentItemCounts }),
      listedBefore,
    });
    const report = sliced ? sliceReport(gated.report) : gated.report;
    crawl.quality = sliced ? mergeQualityReports(crawl.quality, report) : report;
    crawl.countDropped(gated.dropped);
    if (!report.passed) return { firstFailed: false };
    for (const id of gated.listedIds) listed.add(id);
    gated.idsByPage?.forEach((ids, i) => {
      const state = states[i];
      if (state) states[i] = { ...state, itemIds: ids };
    });
  }

  // Details only once the lists passed their gate: a suspect run fetches nothing more.
  const queue = [...(resume?.pending ?? []), ...(gated?.candidates ?? [])];
  const details =
    variant.detail && queue.length > 0
      ? await readDetails(crawl, variant.detail, queue, stoppedAt !== undefined)
      : { facts: new Map<string, Facts>(), left: [], detailsLeft: false };
  const detailOf = (entry: Entry) => (variant.detail ? details.facts.get(variant.detail.url(entry)) : undefined);
  const waiting = new Set(details.left.map((entry) => variant.itemUrl(entry)));
  const carried = (resume?.pending ?? []).filter((entry) => !waiting.has(variant.itemUrl(entry)));
  const drafts = carried.length > 0 ? variant.draftCarried(carried, detailOf) : [];
  if (gated) {
    const withDetails = gated.draft(detailOf);
    if (!sliced) {
      crawl.quality = withDetails.report;
      if (!withDetails.report.passed) return { firstFailed: false };
    }
    drafts.push(...withDetails.drafts.filter((d) => !waiting.has(d.url)));
  }
  const detailRead = new Set(queue.filter((e) => detailOf(e) !== undefined).map((e) => variant.itemUrl(e)));
  await crawl.upsert(drafts, variant.detail !== undefined, detailRead);
  const newest = newestOf(drafts);
  const lists = [...(resume?.lists ?? []), ...states];
  const detailsLeft = (resume?.detailsLeft ?? false) || details.detailsLeft;

  if (stoppedAt || details.left.length > 0) {
    let listedIds = [...listed];
    if (listedIds.length > maxCarriedIds) {
      listedIds = listedIds.slice(0, maxCarriedIds);
      capped = true;
    }
    crawl.cursor = variant.cursorOf({
      ...(stoppedAt ? { next: stoppedAt } : {}),
      pending: details.left,
      lists,
      listedIds,
      missed,
      capped,
      anyRead: read.anyRead,
      detailsLeft,
    });
    return { ...(newest ? { newest } : {}), firstFailed: false };
  }

  const previous = new Map<string, readonly string[]>();
  for (const list of lists) previous.set(list.url, (await store.getUrlState(list.url))?.itemIds ?? []);
  if (!missed && !capped && listed.size > 0)
    await crawl.withdrawVanished(new Set([...previous.values()].flat()), listed);
  // A run that gave up for lack of time, left details behind or missed a list keeps no validators
  // on its lists, so the next run reads them again and fetches what this one left. One that missed
  // a list keeps the ids listed before beside its own: what vanished is withdrawn by the next
  // complete run.
  const keep = !crawl.abandoned && !detailsLeft && !missed;
  const written = (state: UrlState, ids: readonly string[] | undefined): UrlState => {
    const itemIds = ids && (missed ? [...new Set([...(previous.get(state.url) ?? []), ...ids])] : [...ids]);
    const validators = keep ? state : { url: state.url, fetchedAt: state.fetchedAt };
    return { ...validators, ...(itemIds ? { itemIds } : {}) };
  };
  // Validators are stored last, the first list's last of all: if anything above failed, the next
  // run reads the lists again.
  const [first, ...rest] = lists;
  for (const state of rest) await store.putUrlState(written(state, state.itemIds));
  if (first) await store.putUrlState(written(first, variant.chained ? [...listed] : first.itemIds));
  return { ...(newest ? { newest } : {}), firstFailed: false };
}

interface ListsRead<Page> {
  readonly pages: Page[];
  /** The states of `pages`, in order. */
  readonly states: UrlState[];
  /** Some list answered this run (earlier invocations included). */
  readonly anyRead: boolean;
  /** Ids of the unchanged lists, which still list them. */
  readonly unchangedIds: readonly string[];
  /** The next list, when this invocation ran out of time before reading it. */
  readonly stoppedAt: ListRef | undefined;
  /** A list the run meant to read was not read (error, unchanged later page, foreign host, no time). */
  readonly missed: boolean;
  /** The page cap cut the lists short. */
  readonly capped: boolean;
  /** Some list was not read or found unchanged: fewer items is no signal then. */
  readonly cutShort: boolean;
}

/** Reads the lists this invocation has time for; 'unchanged' when a chained listing's first page is. */
async function readLists<Entry, Page, Facts>(
  crawl: SourceCrawl,
  variant: CrawlVariant<Entry, Page, Facts>,
  resume: ListsCursor<Entry> | undefined,
): Promise<ListsRead<Page> | 'unchanged'> {
  const { store, log, source } = crawl.deps;
  const readBefore = resume?.lists.map((s) => s.url) ?? [];
  const pages: Page[] = [];
  const states: UrlState[] = [];
  const unchangedIds: string[] = [];
  let anyRead = resume?.anyRead ?? false;
  let missed = resume?.missed ?? false;
  let capped = resume?.capped ?? false;
  let cutShort = false;
  let stoppedAt: ListRef | undefined;
  let list: ListRef | 'end' | 'capped' = resume ? (resume.next ?? 'end') : { index: 0, url: variant.firstUrl };
  const miss = () => {
    missed = true;
    cutShort = true;
  };
  while (typeof list === 'object') {
    const verdict = crawl.timeVerdict();
    if (verdict === 'stop') {
      stoppedAt = list;
      break;
    }
    if (verdict === 'skip') {
      miss();
      break;
    }
    const state = await store.getUrlState(list.url);
    const result = await crawl.fetch(list.url, state);
    let page: Page | undefined;
    if (!result) miss();
    else if (result.status === 'not-modified' || (state?.bodyHash && state.bodyHash === hashOf(result.body))) {
      anyRead = true;
      crawl.unchangedListing(state);
      if (variant.chained && list.index === 0) return 'unchanged';
      unchangedIds.push(...(state?.itemIds ?? []));
      // A later page of a listing we cannot re-read: keep what we know, withdraw nothing.
      if (variant.chained || !state?.itemIds) miss();
      else cutShort = true;
    } else {
      try {
        page = variant.parse(result);
        anyRead = true;
        pages.push(page);
        states.push(stateOf(result, crawl.seenAt));
      } catch (error) {
        crawl.recordError(list.url, error);
        miss();
      }
    }
    if (!page && variant.chained) break;
    const next = variant.after(list, page, [...readBefore, ...states.map((s) => s.url)]);
    if (next === 'capped') capped = true;
    else if (next !== 'end' && !crawl.allowed(next.url)) {
      log.warn('next page on a host the source does not allow', { sourceId: source.id, url: next.url });
      miss();
      break;
    }
    list = next;
  }
  return { pages, states, anyRead, unchangedIds, stoppedAt, missed, capped, cutShort };
}

/**
 * Reads the detail pages of `queue` (conditionally) up to the variant's cap per run
 * (continuations included). Returns their facts by detail URL, the entries left for a
 * continuation when the budget ran out (`stopNow`: it already has), and whether an entry that
 * needed its detail was left for good (past the cap, or out of time for the run): it is saved
 * from its list entry. When the queue is longer than the cap allows, the entries that must be
 * read go first.
 */
async function readDetails<Entry, Facts>(
  crawl: SourceCrawl,
  detail: DetailStep<Entry, Facts>,
  queue: readonly Entry[],
  stopNow: boolean,
): Promise<{ facts: Map<string, Facts>; left: Entry[]; detailsLeft: boolean }> {
  const facts = new Map<string, Facts>();
  if (stopNow) return { facts, left: [...queue], detailsLeft: false };
  const { store } = crawl.deps;
  const wanted: { entry: Entry; url: string; state: UrlState | undefined; need: DetailNeed }[] = [];
  for (const entry of queue) {
    const url = detail.url(entry);
    const state = await store.getUrlState(url);
    const need = await detail.need(entry, state);
    if (need !== 'skip') wanted.push({ entry, url, state, need });
  }
  const ordered =
    wanted.length > detail.cap - crawl.detailFetches
      ? [...wanted.filter((w) => w.need === 'must'), ...wanted.filter((w) => w.need !== 'must')]
      : wanted;
  for (const [index, { url, state, need }] of ordered.entries()) {
    if (crawl.detailFetches >= detail.cap) return { facts, left: [], detailsLeft: need === 'must' };
    if (!crawl.allowed(url)) continue;
    const verdict = crawl.timeVerdict();
    if (verdict === 'stop') return { facts, left: ordered.slice(index).map((w) => w.entry), detailsLeft: false };
    if (verdict === 'skip') return { facts, left: [], detailsLeft: true };
    crawl.detailFetches += 1;
    const result = await crawl.fetch(url, state);
    if (!result || result.status === 'not-modified') continue;
    if (state?.bodyHash && state.bodyHash === hashOf(result.body)) continue;
    try {
      facts.set(url, detail.parse(result));
      crawl.pendingStates.push(stateOf(result, crawl.seenAt));
    } catch (error) {
      crawl.recordError(url, error);
    }
  }
  return { facts, left: [], detailsLeft: false };
}

function newestOf(drafts: readonly ItemDraft[]): string | undefined {
  let newest: string | undefined;
  for (const d of drafts)
    if (d.publishedAt && (!newest || Date.parse(d.publishedAt) > Date.parse(newest))) newest = d.publishedAt;
  return newest;
}
