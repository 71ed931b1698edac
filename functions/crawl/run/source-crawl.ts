import { createHash, randomUUID } from 'node:crypto';
import type { Clock } from '../../../shared/clock.js';
import {
  emptyCounts,
  type CrawlCounts,
  type QualityReport,
  type UrlError,
  type UrlState,
} from '../../../shared/domain/crawl-run.js';
import { itemIdFor, type ItemDraft, type ItemId } from '../../../shared/domain/item.js';
import { carryForward } from '../../../shared/domain/item-merge.js';
import { hostsOf, type Source } from '../../../shared/domain/source.js';
import { PermanentFetchError, RetryLaterError, RobotsDisallowedError } from '../../../shared/errors.js';
import type { Log } from '../../../shared/log.js';
import type { ItemStore } from '../../../shared/store/item-store.js';
import type { DroppedEntry } from '../extract/extracted-item.js';
import type { FetchedPage, FetchResult, HttpFetcher } from '../fetch/http-fetcher.js';
import { originAllowed } from '../fetch/urls.js';
import { outOfTime, type CrawlBudget, type CrawlContinuation, type CrawlCursor } from './crawl-continuation.js';

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

/** Whether the crawl may take one more unit of work: yes, no (continue later), or no (the run cannot continue). */
type TimeVerdict = 'go' | 'stop' | 'skip';

/**
 * The state of one crawl run within one invocation, and the bookkeeping every kind of source
 * shares: fetching with the run's counts and errors, the time budget, writing drafts and
 * withdrawing vanished items. crawl-run-loop.ts reads a source with it; crawl-source.ts finishes
 * the run or hands it to a continuation.
 */
export class SourceCrawl {
  readonly counts: CrawlCounts;
  readonly errors: UrlError[];
  readonly started: Date;
  readonly seenAt: string;
  private readonly hosts: Set<string>;
  readonly runId: string;
  retryLater: boolean;
  /** The report of this run's extraction; absent when nothing was extracted (unchanged, failed). */
  quality: QualityReport | undefined;
  /** Whether this source's failures page the operator: verified by a saved page, a sample, or an earlier passing run. */
  trusted: boolean;
  /** Item counts of the source's recent gated runs that passed, newest first (the gate's count check). */
  recentItemCounts: number[] = [];
  /** Fetches made by this invocation: the first is always allowed, so every continuation moves on. */
  private work = 0;
  /** Detail fetches of the run so far (continuations included). */
  detailFetches: number;
  /** Errors a continuation message could not carry. */
  errorsDropped: number;
  /** Set when this invocation ran out of time with work left: where the next one starts. */
  cursor: CrawlCursor | undefined;
  /** The run could not continue and left work undone (recorded once as an error). */
  abandoned = false;
  newestItemAt: string | undefined;
  /** Every list of the run was read (none unchanged, failed or cut short): its count may be compared with recent runs. */
  countComparable: boolean;

  constructor(readonly deps: CrawlSliceDeps) {
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
  get sliced(): boolean {
    return this.deps.resume !== undefined || this.cursor !== undefined;
  }

  /** Continuations taken so far (this invocation's number). */
  get continuationsSoFar(): number {
    return this.deps.resume?.number ?? 0;
  }

  /** Checks the budget before a unit of work (a listing page, a detail fetch). */
  timeVerdict(): TimeVerdict {
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

  /** URL states of the detail pages read this invocation, stored once their items are written. */
  readonly pendingStates: UrlState[] = [];

  // ---------------------------------------------------------------- fetching

  async fetch(url: string, state: UrlState | undefined): Promise<FetchResult | undefined> {
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

  recordError(url: string, error: unknown): void {
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
  allowed(url: string): boolean {
    try {
      return originAllowed(new URL(url), [...this.hosts]);
    } catch {
      return false;
    }
  }

  /**
   * The listing did not change: nothing is written and its items count as unchanged. The newest
   * item date is not re-read; the store keeps the source's `newestItemAt` from earlier runs.
   */
  unchangedListing(state: UrlState | undefined): undefined {
    this.counts.unchanged += state?.itemIds?.length ?? 0;
    return undefined;
  }

  // ---------------------------------------------------------------- drafts and writes

  /** Counts invalid drafts on the run and logs them once, with a few examples. */
  countDropped(dropped: readonly DroppedEntry[]): void {
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
  async upsert(drafts: ItemDraft[], withDetails: boolean, detailRead: ReadonlySet<string>): Promise<void> {
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

  async upsertDrafts(drafts: ItemDraft[]): Promise<void> {
    if (drafts.length === 0) return;
    const results = await this.deps.store.upsert(drafts);
    for (const result of results) this.counts[result.outcome] += 1;
  }

  /** Marks withdrawn the items `previous` runs listed and this one did not (when it lists anything). */
  async withdrawVanished(previous: ReadonlySet<string>, listed: ReadonlySet<string>): Promise<void> {
    if (listed.size === 0) return;
    const at = this.seenAt;
    for (const id of previous) {
      if (listed.has(id)) continue;
      const item = await this.deps.store.markWithdrawn(id as ItemId, this.deps.source.id, at);
      if (item) this.counts.withdrawn += 1;
    }
  }
}

/** The sha256 of a body, to tell an unchanged page from a server without validators. */
export function hashOf(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/** The URL state to store after reading `page` at `at`: its validators and body hash. */
export function stateOf(page: FetchedPage, at: string): UrlState {
  return {
    url: page.url,
    ...(page.etag ? { etag: page.etag } : {}),
    ...(page.lastModified ? { lastModified: page.lastModified } : {}),
    bodyHash: hashOf(page.body),
    fetchedAt: at,
  };
}
