import type { CrawlOutcome, CrawlRun } from '../../../shared/domain/crawl-run.js';
import { InternalError } from '../../../shared/errors.js';
import { isStale } from '../../../shared/sources/source-health.js';
import { jgrantsVariant } from './crawl-jgrants.js';
import { listingVariant } from './crawl-listing.js';
import { crawlLists } from './crawl-run-loop.js';
import { judgeWholeRun } from './quality.js';
import {
  fitContinuation,
  maxCarriedErrors,
  unlimitedBudget,
  type CrawlContinuation,
  type CrawlCursor,
} from './crawl-continuation.js';
import { SourceCrawl, type CrawlSliceDeps, type CrawlSourceDeps } from './source-crawl.js';

export type { CrawlSliceDeps, CrawlSourceDeps } from './source-crawl.js';

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
  const slice = await runSlice(new SourceCrawl({ ...deps, budget: unlimitedBudget, maxContinuations: 0 }));
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
  return runSlice(new SourceCrawl(deps));
}

/** Reads the source, then records the finished run, or returns where the next invocation goes on. */
async function runSlice(crawl: SourceCrawl): Promise<CrawlSlice> {
  const { source, log } = crawl.deps;
  const recent = await crawl.deps.store.listCrawlRuns(source.id, 10);
  crawl.trusted ||= recent.some((r) => r.quality?.passed && r.quality.items > 0);
  crawl.recentItemCounts = recent.flatMap((r) => (r.quality?.passed ? [r.quality.items] : []));
  const resumeCursor = crawl.deps.resume?.cursor;
  const result =
    source.kind === 'json' && source.adapter === 'jgrants'
      ? await crawlLists(
          crawl,
          jgrantsVariant(crawl, source),
          resumeCursor?.kind === 'jgrants' ? resumeCursor : undefined,
        )
      : await crawlLists(
          crawl,
          listingVariant(crawl, source),
          resumeCursor?.kind === 'listing' ? resumeCursor : undefined,
        );
  if (result.newest && (!crawl.newestItemAt || Date.parse(result.newest) > Date.parse(crawl.newestItemAt)))
    crawl.newestItemAt = result.newest;
  if (crawl.cursor) return { done: false, continuation: continuationOf(crawl, crawl.cursor) };
  const firstFailed = result.firstFailed;
  if (crawl.sliced && crawl.quality && crawl.quality.passed)
    crawl.quality = judgeWholeRun(source, crawl.quality, crawl.countComparable ? crawl.recentItemCounts : undefined);
  const finished = crawl.deps.clock.now();
  // A site that asked us to slow down (429 or 503) is not failing: the run is partial and the URL
  // recorded. A host that gave nothing back (DNS, refused connection, robots.txt unreachable, other
  // 5xx) is failing, so N such nights in a row flag the source.
  const onlySlowDown =
    crawl.errors.length > 0 &&
    crawl.errors.every((e) => e.kind === 'RetryLaterError' && (e.status === 429 || e.status === 503));
  const quality = crawl.quality;
  crawl.trusted ||= quality?.passed === true && quality.items > 0;
  const outcome: CrawlOutcome =
    firstFailed && !onlySlowDown
      ? 'failed'
      : quality && !quality.passed
        ? 'suspect'
        : crawl.errors.length > 0 || crawl.retryLater
          ? 'partial'
          : 'succeeded';
  const newestItemAt = crawl.newestItemAt;
  const continuations = crawl.continuationsSoFar;
  const run: CrawlRun = {
    runId: crawl.runId,
    sourceId: source.id,
    startedAt: crawl.started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: Math.max(0, finished.getTime() - crawl.started.getTime()),
    outcome,
    counts: crawl.counts,
    errors: crawl.errors,
    ...(newestItemAt ? { newestItemAt } : {}),
    ...(quality ? { quality } : {}),
    ...(continuations > 0 ? { continuations } : {}),
  };
  await crawl.deps.store.recordCrawlRun(run);
  // `trusted` decides whether a failed or suspect run pages the operator (the FailingSources and
  // SuspectSources alarms): an unverified source never does until a run of it has passed its gate.
  const fields = {
    sourceId: source.id,
    outcome,
    trusted: crawl.trusted,
    // Read by the SourceStale metric (dashboard): the newest item is older than the source's cadence.
    stale: isStale(newestItemAt, source.expectedCadenceDays, finished),
    ...crawl.counts,
    errors: crawl.errors.length + crawl.errorsDropped,
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
function continuationOf(crawl: SourceCrawl, cursor: CrawlCursor): CrawlContinuation {
  const errors = crawl.errors.slice(0, maxCarriedErrors);
  const whole: CrawlContinuation = {
    runId: crawl.runId,
    startedAt: crawl.started.toISOString(),
    number: crawl.continuationsSoFar + 1,
    cursor,
    counts: crawl.counts,
    errors,
    errorsDropped: crawl.errorsDropped + (crawl.errors.length - errors.length),
    ...(crawl.quality ? { quality: crawl.quality } : {}),
    ...(crawl.newestItemAt ? { newestItemAt: crawl.newestItemAt } : {}),
    retryLater: crawl.retryLater,
    detailFetches: crawl.detailFetches,
    countComparable: crawl.countComparable,
  };
  const next = fitContinuation(whole, crawl.deps.source.url);
  if (next.cursor.pending.length < whole.cursor.pending.length)
    crawl.deps.log.warn('crawl continuation too large, entries left for the next run', {
      sourceId: crawl.deps.source.id,
      runId: crawl.runId,
      left: whole.cursor.pending.length - next.cursor.pending.length,
    });
  crawl.deps.log.info('crawl continues in a new invocation', {
    sourceId: crawl.deps.source.id,
    runId: crawl.runId,
    continuation: next.number,
    cursor: cursor.kind,
    remainingMs: crawl.deps.budget.remainingMs(),
  });
  return next;
}
