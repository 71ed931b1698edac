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
import { PermanentFetchError, RetryLaterError, RobotsDisallowedError } from '../../shared/errors.js';
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
} from './extract/jgrants.js';
import type { FetchedPage, FetchResult, HttpFetcher } from './http-fetcher.js';
import { hostsOf } from '../../shared/domain/source.js';
import { isStale } from '../../shared/sources/source-health.js';
import { passesKeywords, toDraft } from './to-draft.js';
import { canonicalUrl, originAllowed } from './urls.js';
import { extractListing } from './listing.js';
import { assessQuality } from './quality.js';

export interface CrawlSourceDeps {
  readonly source: Source;
  readonly fetcher: HttpFetcher;
  readonly store: ItemStore;
  readonly clock: Clock;
  readonly log: Log;
  /** Called after each fetched or failed URL (CLI progress). */
  readonly onProgress?: (event: { sourceId: string; url: string; status: string }) => void;
}

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
 */
export async function crawlSource(deps: CrawlSourceDeps): Promise<CrawlRun> {
  const crawl = new SourceCrawl(deps);
  return crawl.run();
}

interface ListingPage {
  readonly state: UrlState;
  readonly changed: boolean;
}

class SourceCrawl {
  private readonly counts: CrawlCounts = emptyCounts();
  private readonly errors: UrlError[] = [];
  private readonly started: Date;
  private readonly seenAt: string;
  private readonly hosts: Set<string>;
  private retryLater = false;
  /** The report of this run's extraction; absent when nothing was extracted (unchanged, failed). */
  private quality: QualityReport | undefined;
  /** Whether this source's failures page the operator: verified by a saved page, a sample, or an earlier passing run. */
  private trusted: boolean;
  /** Item counts of the source's recent gated runs that passed, newest first (the gate's count check). */
  private recentItemCounts: number[] = [];

  constructor(private readonly deps: CrawlSourceDeps) {
    this.started = deps.clock.now();
    this.seenAt = this.started.toISOString();
    this.hosts = new Set(hostsOf(deps.source));
    this.trusted = deps.source.verified !== 'unverified';
  }

  async run(): Promise<CrawlRun> {
    const { source, log } = this.deps;
    const recent = await this.deps.store.listCrawlRuns(source.id, 10);
    this.trusted ||= recent.some((r) => r.quality?.passed && r.quality.items > 0);
    this.recentItemCounts = recent.flatMap((r) => (r.quality?.passed ? [r.quality.items] : []));
    let newestItemAt: string | undefined;
    let firstFailed = false;
    if (source.kind === 'json' && source.adapter === 'jgrants') {
      const result = await this.crawlJgrants(source);
      newestItemAt = result.newest;
      firstFailed = result.firstFailed;
    } else {
      const result = await this.crawlListing(source);
      newestItemAt = result.newest;
      firstFailed = result.firstFailed;
    }
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
    const run: CrawlRun = {
      runId: `${source.id}-${this.started.toISOString().replace(/[-:.]/g, '')}-${randomUUID().slice(0, 8)}`,
      sourceId: source.id,
      startedAt: this.started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: Math.max(0, finished.getTime() - this.started.getTime()),
      outcome,
      counts: this.counts,
      errors: this.errors,
      ...(newestItemAt ? { newestItemAt } : {}),
      ...(quality ? { quality } : {}),
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
      errors: this.errors.length,
      durationMs: run.durationMs,
      ...(quality ? { items: quality.items, gate: quality.problems.map((p) => p.code) } : {}),
    };
    if (outcome === 'suspect')
      log.warn('source failed its quality gate', {
        sourceId: source.id,
        problems: quality?.problems.map((p) => p.message),
      });
    log.info('crawl finished', fields);
    return run;
  }

  // ---------------------------------------------------------------- fetching

  private async fetch(url: string, state: UrlState | undefined): Promise<FetchResult | undefined> {
    const { fetcher, source, onProgress } = this.deps;
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
  ): Promise<{ newest?: string; firstFailed: boolean }> {
    const { store } = this.deps;
    const startUrl = listingStartUrl(source);
    const firstState = await store.getUrlState(startUrl);
    const pages: ListingPage[] = [];
    const extracted: ExtractedPage[] = [];
    let complete = true;
    /** A page the run meant to read was not read (error, unchanged, foreign host): fewer items is no signal then. */
    let cutShort = false;
    let url: string | undefined = startUrl;
    while (url) {
      const state = pages.length === 0 ? firstState : await store.getUrlState(url);
      const result = await this.fetch(url, state);
      if (!result) {
        complete = false;
        cutShort = true;
        break;
      }
      if (result.status === 'not-modified' || (state?.bodyHash && state.bodyHash === hashOf(result.body))) {
        if (pages.length === 0) return { newest: this.unchangedListing(firstState), firstFailed: false };
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
        if (pages.length === 0) return { firstFailed: true };
        break;
      }
      pages.push({ state: stateOf(result, this.seenAt), changed: true });
      extracted.push(page);
      const next = page.nextPageUrl;
      if (!next || pages.some((p) => p.state.url === next) || next === url) break;
      if (pages.length >= source.politeness.maxPages) {
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
    if (pages.length === 0) return { firstFailed: true };

    const ctx = {
      source,
      seenAt: this.seenAt,
      refDate: this.started,
      pageUrls: pages.map((p) => p.state.url),
      ...(cutShort ? {} : { recentItemCounts: this.recentItemCounts }),
    };
    let listing = extractListing(extracted, ctx);
    if (listing.report.passed && source.detail) {
      // Details only once the listing passed its gate: a suspect run fetches nothing more.
      const details = await this.fetchDetails(source, listing.drafts);
      if (details.size > 0) listing = extractListing(extracted, { ...ctx, detailOf: (item) => details.get(item.url) });
    }
    this.quality = listing.report;
    this.countDropped(listing.dropped);
    if (!listing.report.passed) return { firstFailed: false };
    await this.upsert(listing.drafts, source.detail !== undefined);
    if (complete) await this.withdrawVanished(firstState, listing.listedIds);
    // Validators are stored last: if anything above failed, the next run reads the listing again.
    for (const [index, page] of pages.entries())
      await store.putUrlState(index === 0 ? { ...page.state, itemIds: [...listing.listedIds] } : page.state);
    return { ...(listing.newest ? { newest: listing.newest } : {}), firstFailed: false };
  }

  /**
   * The listing did not change: nothing is written and its items count as unchanged. The newest
   * item date is not re-read; the store keeps the source's `newestItemAt` from earlier runs.
   */
  private unchangedListing(state: UrlState | undefined): undefined {
    this.counts.unchanged += state?.itemIds?.length ?? 0;
    return undefined;
  }

  /** Detail pages of the listed calls (or every item when the source asks), conditionally. */
  private async fetchDetails(source: Source, drafts: readonly ItemDraft[]): Promise<Map<string, DetailFacts>> {
    const out = new Map<string, DetailFacts>();
    const detail = source.detail;
    if (!detail) return out;
    const wanted = drafts.filter((d) => !detail.onlyCalls || d.kind === 'call').slice(0, detail.maxItems);
    for (const { url } of wanted) {
      if (!this.allowed(url)) continue;
      const state = await this.deps.store.getUrlState(url);
      const result = await this.fetch(url, state);
      if (!result || result.status === 'not-modified') continue;
      if (state?.bodyHash && state.bodyHash === hashOf(result.body)) continue;
      out.set(url, extractDetail(result.text, detail.content));
      this.pendingStates.push(stateOf(result, this.seenAt));
    }
    return out;
  }

  private readonly pendingStates: UrlState[] = [];

  // ---------------------------------------------------------------- jGrants

  private async crawlJgrants(source: JgrantsSource): Promise<{ newest?: string; firstFailed: boolean }> {
    const { store } = this.deps;
    const changedStates: UrlState[] = [];
    const drafts: ItemDraft[] = [];
    const dropped: DroppedEntry[] = [];
    const seen = new Set<string>();
    let anyRead = false;
    let anyExtracted = false;
    let newest: string | undefined;
    for (const keyword of source.params.keywords) {
      const url = jgrantsListUrl(source, keyword);
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
        const bare = jgrantsItem(source, entry);
        const id = itemIdFor(canonicalUrl(bare.url, { https: source.canonicalHttps }));
        listed.add(id);
        const stored = await store.get(id);
        let detail: JgrantsDetail | undefined;
        // Detail only for new or changed ids: its attachments make it heavy.
        if (!stored || listFieldsChanged(stored, bare)) {
          const detailUrl = jgrantsDetailUrl(source, entry.id);
          const detailResult = await this.fetch(detailUrl, undefined);
          if (detailResult?.status === 'ok') {
            try {
              detail = parseJgrantsDetail(detailResult.text);
            } catch (error) {
              this.recordError(detailUrl, error);
            }
          }
        }
        const outcome = toDraft(jgrantsItem(source, entry, detail), {
          source,
          seenAt: this.seenAt,
          refDate: this.started,
        });
        if (!outcome.ok) {
          dropped.push({ reason: 'invalid', title: entry.title, link: outcome.url, detail: outcome.reason });
          continue;
        }
        drafts.push(detail ? outcome.draft : carryForward(outcome.draft, stored));
      }
      changedStates.push({ ...stateOf(result, this.seenAt), itemIds: [...listed] });
    }
    for (const d of drafts) if (d.publishedAt && (!newest || d.publishedAt > newest)) newest = d.publishedAt;
    if (!anyRead) return { firstFailed: true };
    if (anyExtracted) {
      this.quality = assessQuality({
        source,
        drafts,
        dropped,
        unreadableDates: 0,
        pageUrls: changedStates.map((s) => s.url),
        // Only a run that re-read every keyword's list compares its count with earlier runs.
        ...(changedStates.length === source.params.keywords.length ? { recentItemCounts: this.recentItemCounts } : {}),
      });
      this.countDropped(dropped);
      if (!this.quality.passed) return { firstFailed: false };
    }
    await this.upsertDrafts(drafts);
    for (const state of changedStates) {
      const previous = await store.getUrlState(state.url);
      await this.withdrawVanished(previous, new Set(state.itemIds ?? []), seen);
      await store.putUrlState(state);
    }
    return { newest, firstFailed: false };
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

  private async upsert(drafts: ItemDraft[], withDetails: boolean): Promise<void> {
    if (!withDetails) return this.upsertDrafts(drafts);
    // Details not re-read this run (304 / same hash) keep what the store has.
    const merged: ItemDraft[] = [];
    for (const draft of drafts) {
      const stored = await this.deps.store.get(itemIdFor(draft.canonicalUrl));
      merged.push(stored ? carryForward(draft, stored) : draft);
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

/** Detail-derived fields the draft lacks are taken from the stored item (its detail page did not change). */
function carryForward(draft: ItemDraft, stored: Item | undefined): ItemDraft {
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

/** Whether the list fields of a jGrants entry differ from the stored item (then its detail is re-read). */
function listFieldsChanged(stored: Item, listed: ExtractedItem): boolean {
  return (
    stored.title !== listed.title.trim() ||
    (stored.opensAt ?? null) !== (listed.opensAt ?? null) ||
    (stored.closesAt ?? null) !== (listed.closesAt ?? null) ||
    (stored.budget?.amountYen ?? null) !== (listed.budgetYen ?? null)
  );
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
