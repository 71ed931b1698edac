import { createHash, randomUUID } from 'node:crypto';
import type { Clock } from '../../shared/clock.js';
import {
  emptyCounts,
  type CrawlCounts,
  type CrawlOutcome,
  type CrawlRun,
  type QualityReport,
  type UrlError,
  type UrlState,
} from '../../shared/domain/crawl-run.js';
import {
  contentOf,
  itemIdFor,
  type Item,
  type ItemContent,
  type ItemDraft,
  type ItemId,
} from '../../shared/domain/item.js';
import type { JgrantsSource, Source } from '../../shared/domain/source.js';
import { InternalError, PermanentFetchError, RetryLaterError, RobotsDisallowedError } from '../../shared/errors.js';
import type { Log } from '../../shared/log.js';
import type { ItemStore } from '../../shared/store/item-store.js';
import { extractDetail, type DetailFacts } from './extract/detail.js';
import type { DroppedEntry, ExtractedItem, ExtractedPage } from './extract/extracted-item.js';
import { extractPage, listingStartUrl } from './extract/extract-page.js';
import {
  jgrantsDetailUrl,
  jgrantsItem,
  jgrantsListUrl,
  parseJgrantsDetail,
  parseJgrantsList,
  type JgrantsDetail,
  type JgrantsListEntry,
} from './extract/jgrants.js';
import type { FetchedPage, FetchResult, HttpFetcher } from './http-fetcher.js';
import { hostsOf } from '../../shared/domain/source.js';
import { isStale } from '../../shared/sources/source-health.js';
import { passesKeywords, toDraft } from './to-draft.js';
import { canonicalUrl, originAllowed } from './urls.js';
import { draftEntries, extractListing, selectEntries } from './listing.js';
import { assessQuality, judgeWholeRun, mergeQualityReports, sliceReport } from './quality.js';
import {
  fitContinuation,
  maxCarriedErrors,
  maxCarriedIds,
  outOfTime,
  unlimitedBudget,
  type CrawlBudget,
  type CrawlContinuation,
  type CrawlCursor,
  type JgrantsCursor,
  type ListingCursor,
} from './crawl-continuation.js';

export interface CrawlSourceDeps {
  readonly source: Source;
  readonly fetcher: HttpFetcher;
  readonly store: ItemStore;
  readonly clock: Clock;
  readonly log: Log;
  /** Called after each fetched or failed URL (CLI progress). */
  readonly onProgress?: (event: { sourceId: string; url: string; status: string }) => void;
}

/** What a crawl invocation with a deadline needs besides `CrawlSourceDeps`. */
export interface CrawlSliceDeps extends CrawlSourceDeps {
  /** Time left in this invocation. */
  readonly budget: CrawlBudget;
  /** The run this invocation continues, from a continuation message; absent: a new run. */
  readonly resume?: CrawlContinuation;
  /** Continuations one run may take; the last one finishes the run without the work it has no time for. */
  readonly maxContinuations: number;
}

/**
 * One invocation's share of a run: either the run finished (and is recorded), or it ran out of
 * time and `continuation` says where the next invocation goes on.
 */
export type CrawlSlice =
  { readonly done: true; readonly run: CrawlRun } | { readonly done: false; readonly continuation: CrawlContinuation };

/**
 * Crawls one source once and records the run. Never throws for a site's misbehaviour: every
 * failed URL is recorded on the run with its reason (robots.txt disallow, 429 after retries,
 * redirect loop, foreign host, oversized page, malformed feed, changed layout), and the run's
 * outcome says how far it got. It throws only when the store itself fails.
 *
 * Re-crawling an unchanged source writes no item: the listing is fetched conditionally
 * (ETag/Last-Modified from the stored URL state) and, when the server has no validators, its
 * body hash is compared; either way extraction and upserts are skipped. A listing that spans
 * several pages counts as unchanged when its first page is. Items that vanish from a listing
 * are marked withdrawn, but only when the whole listing was read (every page, no error, page
 * cap not reached) and it still lists something, so a broken page never withdraws everything.
 *
 * This runs without a deadline (local stack, CLI); `crawlSlice` is the same crawl under one.
 */
export async function crawlSource(deps: CrawlSourceDeps): Promise<CrawlRun> {
  const slice = await new SourceCrawl({ ...deps, budget: unlimitedBudget, maxContinuations: 0 }).run();
  if (!slice.done) throw new InternalError(`crawl of ${deps.source.id} stopped early without a deadline`);
  return slice.run;
}

/**
 * Crawls one source within a time budget (one Lambda invocation). Before each listing page and
 * each detail fetch it checks the budget; below its margin it takes no new work, saves what it
 * has (items, URL states) and returns a continuation: where it stopped (the next list page, the
 * entries whose detail is still to be read) and what the run has counted. Each invocation does at
 * least one fetch, so a chain of continuations always moves on. The run record is written once,
 * by the invocation that finishes the run, with the counts of all and `continuations` set.
 * After `maxContinuations` the run stops continuing: the last invocation saves the remaining
 * entries without their detail, reads no further list page, and records the run as partial; the
 * pages it read keep no validators, so the next run reads them again and fetches what was left.
 *
 * Quality gate: each slice's extraction is judged by the rules about its own entries (drops,
 * dates, navigation, duplicates, hosts) before anything of it is written, so a bad slice
 * publishes nothing and ends the run as suspect; the rules about the run's item count (too few
 * items, a drop against recent runs) are judged once, on the whole run, when it finishes, and
 * the count is compared with recent runs only when every list of the run was read (none
 * unchanged, failed or cut short), as in a run without continuations. By then the slices are
 * saved: a whole-run failure marks the run suspect (and pages the operator) but takes nothing back.
 */
export async function crawlSlice(deps: CrawlSliceDeps): Promise<CrawlSlice> {
  return new SourceCrawl(deps).run();
}

interface ListingPage {
  readonly state: UrlState;
  readonly changed: boolean;
}

/** Whether the crawl may take one more unit of work: yes, no (continue later), or no (the run cannot continue). */
type TimeVerdict = 'go' | 'stop' | 'skip';

class SourceCrawl {
  private readonly counts: CrawlCounts;
  private readonly errors: UrlError[];
  private readonly started: Date;
  private readonly seenAt: string;
  private readonly hosts: Set<string>;
  private readonly runId: string;
  private retryLater: boolean;
  /** The report of this run's extraction; absent when nothing was extracted (unchanged, failed). */
  private quality: QualityReport | undefined;
  /** Whether this source's failures page the operator: verified by a saved page, a sample, or an earlier passing run. */
  private trusted: boolean;
  /** Item counts of the source's recent gated runs that passed, newest first (the gate's count check). */
  private recentItemCounts: number[] = [];
  /** Fetches made by this invocation: the first is always allowed, so every continuation moves on. */
  private work = 0;
  /** Detail fetches of the run so far (continuations included). */
  private detailFetches: number;
  /** Errors a continuation message could not carry. */
  private errorsDropped: number;
  /** Set when this invocation ran out of time with work left: where the next one starts. */
  private cursor: CrawlCursor | undefined;
  /** The run could not continue and left work undone (recorded once as an error). */
  private abandoned = false;
  private newestItemAt: string | undefined;
  /** Every list of the run was read (none unchanged, failed or cut short): its count may be compared with recent runs. */
  private countComparable: boolean;
  /** Some listed entry's detail page was never read because of `detail.maxItems`. */
  private listingDetailsLeft = false;

  constructor(private readonly deps: CrawlSliceDeps) {
    const resume = deps.resume;
    this.started = resume ? new Date(resume.startedAt) : deps.clock.now();
    this.seenAt = this.started.toISOString();
    this.hosts = new Set(hostsOf(deps.source));
    this.trusted = deps.source.verified !== 'unverified';
    this.counts = resume ? { ...resume.counts } : emptyCounts();
    this.errors = resume ? [...resume.errors] : [];
    this.errorsDropped = resume?.errorsDropped ?? 0;
    this.retryLater = resume?.retryLater ?? false;
    this.quality = resume?.quality;
    this.newestItemAt = resume?.newestItemAt;
    this.countComparable = resume?.countComparable ?? true;
    this.detailFetches = resume?.detailFetches ?? 0;
    this.runId =
      resume?.runId ??
      `${deps.source.id}-${this.started.toISOString().replace(/[-:.]/g, '')}-${randomUUID().slice(0, 8)}`;
  }

  /** Whether this run is (or will be) spread over several invocations: then the gate judges slices. */
  private get sliced(): boolean {
    return this.deps.resume !== undefined || this.cursor !== undefined;
  }

  /** Continuations taken so far (this invocation's number). */
  private get continuationsSoFar(): number {
    return this.deps.resume?.number ?? 0;
  }

  /** Checks the budget before a unit of work (a listing page, a detail fetch). */
  private timeVerdict(): TimeVerdict {
    if (this.work === 0 || !outOfTime(this.deps.budget)) return 'go';
    if (this.continuationsSoFar < this.deps.maxContinuations) return 'stop';
    if (!this.abandoned) {
      this.abandoned = true;
      this.errors.push({
        url: this.deps.source.url,
        kind: 'TimeBudgetError',
        message: `run out of time after ${this.continuationsSoFar} continuations, expected at most ${this.deps.maxContinuations}: the rest is left for the next run`,
      });
    }
    return 'skip';
  }

  async run(): Promise<CrawlSlice> {
    const { source, log } = this.deps;
    const recent = await this.deps.store.listCrawlRuns(source.id, 10);
    this.trusted ||= recent.some((r) => r.quality?.passed && r.quality.items > 0);
    this.recentItemCounts = recent.flatMap((r) => (r.quality?.passed ? [r.quality.items] : []));
    const resumeCursor = this.deps.resume?.cursor;
    let result: { newest?: string; firstFailed: boolean };
    if (source.kind === 'json' && source.adapter === 'jgrants') {
      result = await this.crawlJgrants(source, resumeCursor?.kind === 'jgrants' ? resumeCursor : undefined);
    } else {
      result = await this.crawlListing(source, resumeCursor?.kind === 'listing' ? resumeCursor : undefined);
    }
    if (result.newest && (!this.newestItemAt || Date.parse(result.newest) > Date.parse(this.newestItemAt)))
      this.newestItemAt = result.newest;
    if (this.cursor) return { done: false, continuation: this.continuation(this.cursor) };
    const firstFailed = result.firstFailed;
    if (this.sliced && this.quality && this.quality.passed)
      this.quality = judgeWholeRun(source, this.quality, this.countComparable ? this.recentItemCounts : undefined);
    const finished = this.deps.clock.now();
    // A site that asked us to slow down (429 or 503) is not failing: the run is partial and the URL
    // recorded. A host that gave nothing back (DNS, refused connection, robots.txt unreachable, other
    // 5xx) is failing, so N such nights in a row flag the source.
    const onlySlowDown =
      this.errors.length > 0 &&
      this.errors.every((e) => e.kind === 'RetryLaterError' && (e.status === 429 || e.status === 503));
    const quality = this.quality;
    this.trusted ||= quality?.passed === true && quality.items > 0;
    const outcome: CrawlOutcome =
      firstFailed && !onlySlowDown
        ? 'failed'
        : quality && !quality.passed
          ? 'suspect'
          : this.errors.length > 0 || this.retryLater
            ? 'partial'
            : 'succeeded';
    const newestItemAt = this.newestItemAt;
    const continuations = this.continuationsSoFar;
    const run: CrawlRun = {
      runId: this.runId,
      sourceId: source.id,
      startedAt: this.started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: Math.max(0, finished.getTime() - this.started.getTime()),
      outcome,
      counts: this.counts,
      errors: this.errors,
      ...(newestItemAt ? { newestItemAt } : {}),
      ...(quality ? { quality } : {}),
      ...(continuations > 0 ? { continuations } : {}),
    };
    await this.deps.store.recordCrawlRun(run);
    // `trusted` decides whether a failed or suspect run pages the operator (the FailingSources and
    // SuspectSources alarms): an unverified source never does until a run of it has passed its gate.
    const fields = {
      sourceId: source.id,
      outcome,
      trusted: this.trusted,
      // Read by the SourceStale metric (dashboard): the newest item is older than the source's cadence.
      stale: isStale(newestItemAt, source.expectedCadenceDays, finished),
      ...this.counts,
      errors: this.errors.length + this.errorsDropped,
      durationMs: run.durationMs,
      ...(continuations > 0 ? { continuations } : {}),
      ...(quality ? { items: quality.items, gate: quality.problems.map((p) => p.code) } : {}),
    };
    if (outcome === 'suspect')
      log.warn('source failed its quality gate', {
        sourceId: source.id,
        problems: quality?.problems.map((p) => p.message),
      });
    log.info('crawl finished', fields);
    return { done: true, run };
  }

  /** The message the next invocation continues from. */
  private continuation(cursor: CrawlCursor): CrawlContinuation {
    const errors = this.errors.slice(0, maxCarriedErrors);
    const whole: CrawlContinuation = {
      runId: this.runId,
      startedAt: this.started.toISOString(),
      number: this.continuationsSoFar + 1,
      cursor,
      counts: this.counts,
      errors,
      errorsDropped: this.errorsDropped + (this.errors.length - errors.length),
      ...(this.quality ? { quality: this.quality } : {}),
      ...(this.newestItemAt ? { newestItemAt: this.newestItemAt } : {}),
      retryLater: this.retryLater,
      detailFetches: this.detailFetches,
      countComparable: this.countComparable,
    };
    const next = fitContinuation(whole, this.deps.source.url);
    if (next.cursor.pending.length < whole.cursor.pending.length)
      this.deps.log.warn('crawl continuation too large, entries left for the next run', {
        sourceId: this.deps.source.id,
        runId: this.runId,
        left: whole.cursor.pending.length - next.cursor.pending.length,
      });
    this.deps.log.info('crawl continues in a new invocation', {
      sourceId: this.deps.source.id,
      runId: this.runId,
      continuation: next.number,
      cursor: cursor.kind,
      remainingMs: this.deps.budget.remainingMs(),
    });
    return next;
  }

  // ---------------------------------------------------------------- fetching

  private async fetch(url: string, state: UrlState | undefined): Promise<FetchResult | undefined> {
    const { fetcher, source, onProgress } = this.deps;
    this.work += 1;
    try {
      const result = await fetcher.fetch({
        url,
        ...(state?.etag ? { etag: state.etag } : {}),
        ...(state?.lastModified ? { lastModified: state.lastModified } : {}),
        ...(source.charset ? { charset: source.charset } : {}),
      });
      if (result.status === 'not-modified') this.counts.notModified += 1;
      else this.counts.fetched += 1;
      onProgress?.({ sourceId: source.id, url, status: result.status === 'ok' ? String(result.httpStatus) : '304' });
      return result;
    } catch (error) {
      this.recordError(url, error);
      onProgress?.({ sourceId: source.id, url, status: error instanceof Error ? error.name : 'error' });
      return undefined;
    }
  }

  private recordError(url: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const kind = error instanceof Error ? error.name : 'Error';
    const status = error instanceof PermanentFetchError || error instanceof RetryLaterError ? error.status : undefined;
    if (error instanceof RobotsDisallowedError) this.counts.skippedByRobots += 1;
    else if (error instanceof RetryLaterError) this.retryLater = true;
    else this.counts.failed += 1;
    this.errors.push({ url, kind, ...(status !== undefined ? { status } : {}), message });
    this.deps.log.warn('crawl url failed', { sourceId: this.deps.source.id, url, kind, status, reason: message });
  }

  /** The fetcher's origin check (scheme, host and port) for next pages and detail links. */
  private allowed(url: string): boolean {
    try {
      return originAllowed(new URL(url), [...this.hosts]);
    } catch {
      return false;
    }
  }

  // ---------------------------------------------------------------- feed and html-list

  private async crawlListing(
    source: Exclude<Source, JgrantsSource>,
    resume: ListingCursor | undefined,
  ): Promise<{ newest?: string; firstFailed: boolean }> {
    const { store } = this.deps;
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
      const verdict = this.timeVerdict();
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
      const result = await this.fetch(url, state);
      if (!result) {
        complete = false;
        cutShort = true;
        break;
      }
      if (result.status === 'not-modified' || (state?.bodyHash && state.bodyHash === hashOf(result.body))) {
        if (isFirst) return { newest: this.unchangedListing(firstState), firstFailed: false };
        complete = false; // a later page we cannot re-read: keep what we know, withdraw nothing
        cutShort = true;
        break;
      }
      let page: ExtractedPage;
      try {
        page = extractPage(source, result.text, result.finalUrl);
      } catch (error) {
        this.recordError(url, error);
        complete = false;
        cutShort = true;
        if (isFirst) return { firstFailed: true };
        break;
      }
      pages.push({ state: stateOf(result, this.seenAt), changed: true });
      extracted.push(page);
      const next = page.nextPageUrl;
      const read = [...readBefore, ...pages.map((p) => p.state.url)];
      if (!next || read.includes(next) || next === url) break;
      if (read.length >= source.politeness.maxPages) {
        complete = false; // the page cap cut the listing short
        break;
      }
      if (!this.allowed(next)) {
        this.deps.log.warn('next page on a host the source does not allow', { sourceId: source.id, url: next });
        complete = false;
        cutShort = true;
        break;
      }
      url = next;
    }
    if (!resume && pages.length === 0) return { firstFailed: true };
    const firstPage = resume?.firstPage ?? (pages[0] as ListingPage).state;
    const sliced = resume !== undefined || stoppedAt !== undefined;
    if (cutShort) this.countComparable = false;

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
        seenAt: this.seenAt,
        refDate: this.started,
        pageUrls: pages.map((p) => p.state.url),
        ...(cutShort || sliced ? {} : { recentItemCounts: this.recentItemCounts }),
      };
      const listing = extractListing(extracted, listingCtx);
      const report = sliced ? sliceReport(listing.report) : listing.report;
      this.quality = sliced ? mergeQualityReports(this.quality, report) : report;
      this.countDropped(listing.dropped);
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
      const left = await this.fetchDetails(source, queue, details, stoppedAt !== undefined);
      pending = left;
    }
    const pendingUrls = new Set(pending.map((item) => item.url));
    if (listingCtx && details.size > 0) {
      const withDetails = extractListing(extracted, { ...listingCtx, detailOf: (item) => details.get(item.url) });
      if (!sliced) this.quality = withDetails.report;
      drafts = withDetails.drafts;
      newest = withDetails.newest;
    }
    if (pendingUrls.size > 0) drafts = drafts.filter((d) => !pendingUrls.has(d.url));
    const carried = (resume?.pending ?? []).filter((item) => !pendingUrls.has(item.url));
    if (carried.length > 0) {
      // Entries listed (and gated) by an earlier invocation, now with the detail this one read.
      const later = draftEntries(carried, {
        source,
        seenAt: this.seenAt,
        refDate: this.started,
        detailOf: (item) => details.get(item.url),
      });
      drafts = [...later.drafts, ...drafts];
    }
    await this.upsert(drafts, source.detail !== undefined, new Set(details.keys()));

    if (stoppedAt || pending.length > 0) {
      for (const page of pages) if (page.state.url !== firstPage.url) await store.putUrlState(page.state);
      if (listedIds.size > maxCarriedIds) {
        listedIds = new Set([...listedIds].slice(0, maxCarriedIds));
        complete = false;
      }
      this.cursor = {
        kind: 'listing',
        ...(stoppedAt ? { nextUrl: stoppedAt } : {}),
        pending,
        pageUrls: [...readBefore, ...pages.map((p) => p.state.url)],
        firstPage,
        listedIds: [...listedIds],
        complete,
        ...(resume?.trimmed || this.listingDetailsLeft ? { trimmed: true } : {}),
      };
      return { ...(newest ? { newest } : {}), firstFailed: false };
    }
    if (complete) await this.withdrawVanished(firstState, listedIds);
    if (this.abandoned || resume?.trimmed || this.listingDetailsLeft) {
      // The run gave up for lack of time, dropped entries to keep a continuation small, or left
      // details to the cap: its pages keep no validators, so the next run reads the whole listing
      // again and fetches the details (and entries) this one left.
      const readUrls = [...readBefore, ...pages.map((p) => p.state.url)].filter((u) => u !== firstPage.url);
      for (const pageUrl of readUrls) await store.putUrlState({ url: pageUrl, fetchedAt: this.seenAt });
      await store.putUrlState({ url: firstPage.url, fetchedAt: firstPage.fetchedAt, itemIds: [...listedIds] });
      return { ...(newest ? { newest } : {}), firstFailed: false };
    }
    // Validators are stored last: if anything above failed, the next run reads the listing again.
    for (const page of pages) if (page.state.url !== firstPage.url) await store.putUrlState(page.state);
    await store.putUrlState({ ...firstPage, itemIds: [...listedIds] });
    return { ...(newest ? { newest } : {}), firstFailed: false };
  }

  /**
   * The listing did not change: nothing is written and its items count as unchanged. The newest
   * item date is not re-read; the store keeps the source's `newestItemAt` from earlier runs.
   */
  private unchangedListing(state: UrlState | undefined): undefined {
    this.counts.unchanged += state?.itemIds?.length ?? 0;
    return undefined;
  }

  /**
   * Reads the detail pages of `queue` (conditionally) into `out`, up to the source's
   * `detail.maxItems` per run (continuations included). Returns the entries left for a
   * continuation when the budget ran out (`stopNow`: it already has). An entry past the cap is
   * not left: it is saved from its list entry. When the queue is longer than the cap allows,
   * pages never read go first, and if some are still unread at the cap, the run keeps no
   * validators on its listing (`listingDetailsLeft`), so the next run reads them.
   */
  private async fetchDetails(
    source: Source,
    queue: readonly ExtractedItem[],
    out: Map<string, DetailFacts>,
    stopNow: boolean,
  ): Promise<ExtractedItem[]> {
    const detail = source.detail;
    if (!detail) return [];
    const unread = new Set<string>();
    let ordered = queue;
    if (!stopNow && queue.length > detail.maxItems - this.detailFetches) {
      for (const item of queue) if (!(await this.deps.store.getUrlState(item.url))) unread.add(item.url);
      ordered = [...queue.filter((i) => unread.has(i.url)), ...queue.filter((i) => !unread.has(i.url))];
    }
    for (const [index, item] of ordered.entries()) {
      if (stopNow) return ordered.slice(index);
      if (this.detailFetches >= detail.maxItems) {
        if (unread.has(item.url)) this.listingDetailsLeft = true;
        return [];
      }
      const { url } = item;
      if (!this.allowed(url)) continue;
      const verdict = this.timeVerdict();
      if (verdict === 'stop') return ordered.slice(index);
      if (verdict === 'skip') return [];
      this.detailFetches += 1;
      const state = await this.deps.store.getUrlState(url);
      const result = await this.fetch(url, state);
      if (!result || result.status === 'not-modified') continue;
      if (state?.bodyHash && state.bodyHash === hashOf(result.body)) continue;
      out.set(url, extractDetail(result.text, detail.content));
      this.pendingStates.push(stateOf(result, this.seenAt));
    }
    return [];
  }

  private readonly pendingStates: UrlState[] = [];

  // ---------------------------------------------------------------- jGrants

  /**
   * Reads each keyword's list, then the detail of each subsidy that is new, whose list fields
   * changed, or whose detail was never read (no URL state for it: an earlier run left it to the
   * cap or the clock). At most `params.detailFetchLimit` details per run; the rest are saved
   * from their list entry and their lists' validators are not kept, so the next run reads the
   * lists again and fetches those details.
   */
  private async crawlJgrants(
    source: JgrantsSource,
    resume: JgrantsCursor | undefined,
  ): Promise<{ newest?: string; firstFailed: boolean }> {
    const { store } = this.deps;
    const states: UrlState[] = [...(resume?.states ?? [])];
    const drafts: ItemDraft[] = [];
    const dropped: DroppedEntry[] = [];
    const seen = new Set<string>(resume?.seen ?? []);
    let anyRead = resume?.anyRead ?? false;
    let anyExtracted = false;
    let detailsLeft = resume?.detailsLeft ?? false;
    let newest: string | undefined;
    /** The detail queue: entries listed but not yet drafted. */
    const queue: JgrantsListEntry[] = [...(resume?.pending ?? [])];
    let keywordIndex = resume?.keywordIndex ?? 0;
    let stopped = false;

    const drain = async (): Promise<void> => {
      while (queue.length > 0) {
        const entry = queue[0] as JgrantsListEntry;
        const bare = jgrantsItem(source, entry);
        const id = itemIdFor(canonicalUrl(bare.url, { https: source.canonicalHttps }));
        const stored = await store.get(id);
        const detailUrl = jgrantsDetailUrl(source, entry.id);
        let detail: JgrantsDetail | undefined;
        // Detail only for new or changed ids, or one never read: its attachments make it heavy.
        if (!stored || listFieldsChanged(stored, bare) || !(await store.getUrlState(detailUrl))) {
          if (this.detailFetches >= source.params.detailFetchLimit) detailsLeft = true;
          else {
            const verdict = this.timeVerdict();
            if (verdict === 'stop') {
              stopped = true;
              return;
            }
            if (verdict === 'skip') detailsLeft = true;
            else {
              this.detailFetches += 1;
              const detailResult = await this.fetch(detailUrl, undefined);
              if (detailResult?.status === 'ok') {
                try {
                  detail = parseJgrantsDetail(detailResult.text);
                  this.pendingStates.push(stateOf(detailResult, this.seenAt));
                } catch (error) {
                  this.recordError(detailUrl, error);
                }
              }
            }
          }
        }
        queue.shift();
        const outcome = toDraft(jgrantsItem(source, entry, detail), {
          source,
          seenAt: this.seenAt,
          refDate: this.started,
        });
        if (!outcome.ok) {
          dropped.push({ reason: 'invalid', title: entry.title, link: outcome.url, detail: outcome.reason });
          continue;
        }
        drafts.push(detail ? outcome.draft : carryForward(outcome.draft, stored, { detailRead: false }));
      }
    };

    await drain();
    for (; !stopped && keywordIndex < source.params.keywords.length; keywordIndex++) {
      const keyword = source.params.keywords[keywordIndex] as string;
      const url = jgrantsListUrl(source, keyword);
      const verdict = this.timeVerdict();
      if (verdict === 'stop') {
        stopped = true;
        break;
      }
      if (verdict === 'skip') break;
      const state = await store.getUrlState(url);
      const result = await this.fetch(url, state);
      if (!result) continue;
      anyRead = true;
      if (result.status === 'not-modified' || (state?.bodyHash && state.bodyHash === hashOf(result.body))) {
        this.unchangedListing(state);
        continue;
      }
      let entries;
      try {
        const parsed = parseJgrantsList(result.text);
        entries = parsed.entries;
        for (let i = 0; i < parsed.invalid; i++)
          dropped.push({ reason: 'invalid', detail: 'not a jGrants list entry' });
      } catch (error) {
        this.recordError(url, error);
        continue;
      }
      anyExtracted = true;
      const listed = new Set<string>();
      for (const entry of entries) {
        if (seen.has(entry.id)) continue;
        if (!passesKeywords(source, entry.title)) {
          dropped.push({ reason: 'keywords', title: entry.title });
          continue;
        }
        seen.add(entry.id);
        listed.add(itemIdFor(canonicalUrl(jgrantsItem(source, entry).url, { https: source.canonicalHttps })));
        queue.push(entry);
      }
      states.push({ ...stateOf(result, this.seenAt), itemIds: [...listed] });
      await drain();
      if (stopped) {
        keywordIndex += 1; // this keyword's list is read; its entries wait in the queue
        break;
      }
    }
    for (const d of drafts) if (d.publishedAt && (!newest || d.publishedAt > newest)) newest = d.publishedAt;
    if (!anyRead && !stopped) return { firstFailed: true };
    const sliced = this.deps.resume !== undefined || stopped;
    if (anyExtracted || drafts.length > 0) {
      const readAll = !sliced && states.length === source.params.keywords.length;
      const report = assessQuality({
        source,
        drafts,
        dropped,
        unreadableDates: 0,
        pageUrls: states.map((s) => s.url),
        // Only a run that re-read every keyword's list compares its count with earlier runs.
        ...(readAll ? { recentItemCounts: this.recentItemCounts } : {}),
      });
      const judged = sliced ? sliceReport(report) : report;
      this.quality = sliced ? mergeQualityReports(this.quality, judged) : judged;
      this.countDropped(dropped);
      if (!judged.passed) return { firstFailed: false };
    }
    await this.upsertDrafts(drafts);
    for (const state of this.pendingStates) await store.putUrlState(state);
    if (states.length < source.params.keywords.length && !stopped) this.countComparable = false;
    if (stopped) {
      this.cursor = { kind: 'jgrants', keywordIndex, pending: queue, seen: [...seen], states, anyRead, detailsLeft };
      return { ...(newest ? { newest } : {}), firstFailed: false };
    }
    for (const state of states) {
      const previous = await store.getUrlState(state.url);
      await this.withdrawVanished(previous, new Set(state.itemIds ?? []), seen);
      // Lists with entries left without detail keep no validators: the next run reads them again.
      await store.putUrlState(detailsLeft ? { url: state.url, fetchedAt: state.fetchedAt, ...idsOf(state) } : state);
    }
    return { ...(newest ? { newest } : {}), firstFailed: false };
  }

  // ---------------------------------------------------------------- drafts and writes

  /** Counts invalid drafts on the run and logs them once, with a few examples. */
  private countDropped(dropped: readonly DroppedEntry[]): void {
    const invalid = dropped.filter((d) => d.reason === 'invalid');
    this.counts.invalid += invalid.length;
    if (invalid.length > 0)
      this.deps.log.warn('extracted items failed validation', {
        sourceId: this.deps.source.id,
        invalid: invalid.length,
        examples: invalid.slice(0, 3).map((d) => `${d.link ?? ''}: ${d.detail ?? ''}`),
      });
  }

  /** `detailRead`: URLs of the entries whose detail page was read (200) this run. */
  private async upsert(drafts: ItemDraft[], withDetails: boolean, detailRead: ReadonlySet<string>): Promise<void> {
    if (!withDetails) return this.upsertDrafts(drafts);
    // Details not re-read this run (304 / same hash) keep what the store has.
    const merged: ItemDraft[] = [];
    for (const draft of drafts) {
      const stored = await this.deps.store.get(itemIdFor(draft.canonicalUrl));
      merged.push(stored ? carryForward(draft, stored, { detailRead: detailRead.has(draft.url) }) : draft);
    }
    await this.upsertDrafts(merged);
    for (const state of this.pendingStates) await this.deps.store.putUrlState(state);
  }

  private async upsertDrafts(drafts: ItemDraft[]): Promise<void> {
    if (drafts.length === 0) return;
    const results = await this.deps.store.upsert(drafts);
    for (const result of results) this.counts[result.outcome] += 1;
  }

  private async withdrawVanished(
    previous: UrlState | undefined,
    listed: Set<string>,
    alsoListed?: Set<string>,
  ): Promise<void> {
    if (!previous?.itemIds || listed.size === 0) return;
    const at = this.seenAt;
    for (const id of previous.itemIds) {
      if (listed.has(id) || alsoListed?.has(id)) continue;
      const item = await this.deps.store.markWithdrawn(id as ItemId, this.deps.source.id, at);
      if (item) this.counts.withdrawn += 1;
    }
  }
}

/**
 * Detail-derived fields the draft lacks are taken from the stored item (its detail page did not
 * change). Without a detail read this run, a date the list shows on the day the stored detail time
 * falls on keeps that time (see below).
 */
function carryForward(draft: ItemDraft, stored: Item | undefined, options: { detailRead: boolean }): ItemDraft {
  if (!stored) return draft;
  const keep: (keyof ItemContent)[] = [
    'summary',
    'bodyText',
    'opensAt',
    'closesAt',
    'budget',
    'eligibility',
    'requiresRegistration',
  ];
  const previous = contentOf(stored);
  const out: Record<string, unknown> = { ...draft };
  for (const key of keep) if (out[key] === undefined && previous[key] !== undefined) out[key] = previous[key];
  // A list shows a date where the detail page gave a time (締切 17:00 is listed as its day, read as
  // 23:59:59): on the same Tokyo day the stored, detail-read time stands, so an unchanged detail is
  // no moved deadline. A different day means the list moved the date: it wins.
  for (const key of ['opensAt', 'closesAt'] as const) {
    if (options.detailRead) break;
    const listed = draft[key];
    const known = previous[key];
    if (listed && known && listed !== known && tokyoDay(listed) === tokyoDay(known)) out[key] = known;
  }
  out['prefectures'] = [...new Set([...draft.prefectures, ...previous.prefectures])].sort();
  out['regions'] = [...new Set([...draft.regions, ...previous.regions])].sort();
  out['fields'] = [...new Set([...draft.fields, ...previous.fields])].sort();
  if (
    draft.kind !== previous.kind &&
    previous.kind === 'call' &&
    stored.provenance.some((p) => p.sourceId === draft.sourceId)
  )
    out['kind'] = previous.kind;
  return out as ItemDraft;
}

/** The Tokyo calendar day (YYYY-MM-DD) of an ISO instant. */
function tokyoDay(iso: string): string {
  return new Date(Date.parse(iso) + 9 * 3_600_000).toISOString().slice(0, 10);
}

/** Whether the list fields of a jGrants entry differ from the stored item (then its detail is re-read). */
function listFieldsChanged(stored: Item, listed: ExtractedItem): boolean {
  return (
    stored.title !== listed.title.trim() ||
    (stored.opensAt ?? null) !== (listed.opensAt ?? null) ||
    (stored.closesAt ?? null) !== (listed.closesAt ?? null) ||
    (stored.budget?.amountYen ?? null) !== (listed.budgetYen ?? null)
  );
}

/** The URL state's listed ids, if it has any. */
function idsOf(state: UrlState): { itemIds?: string[] } {
  return state.itemIds ? { itemIds: state.itemIds } : {};
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

function hashOf(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

function stateOf(page: FetchedPage, at: string): UrlState {
  return {
    url: page.url,
    ...(page.etag ? { etag: page.etag } : {}),
    ...(page.lastModified ? { lastModified: page.lastModified } : {}),
    bodyHash: hashOf(page.body),
    fetchedAt: at,
  };
}
