import * as z from 'zod';
import type { Clock } from '../../../shared/clock.js';
import type { Source } from '../../../shared/domain/source.js';
import { InvalidInputError, NotFoundError } from '../../../shared/errors.js';
import type { Log } from '../../../shared/log.js';
import type { ItemStore } from '../../../shared/store/item-store.js';
import { CrawlContinuationSchema, lambdaBudget, unlimitedBudget, type RemainingTime } from './crawl-continuation.js';
import type { CrawlQueue } from './crawl-queue.js';
import { crawlSlice } from './crawl-source.js';
import type { HttpFetcher } from '../fetch/http-fetcher.js';

/** The SQS records the crawl Lambda receives (only the fields we read). */
const SqsEventSchema = z.object({
  Records: z.array(z.object({ messageId: z.string(), body: z.string() })),
});

/** A crawl job message, as `SqsCrawlQueue` writes it: a source id, and on a continuation the run it continues. */
export const CrawlJobBodySchema = z.object({
  sourceId: z.string().min(1),
  requestedAt: z.string().optional(),
  continuation: CrawlContinuationSchema.optional(),
});

export interface CrawlJobDeps {
  readonly sources: readonly Source[];
  readonly fetcherFor: (source: Source) => HttpFetcher;
  readonly store: ItemStore;
  readonly clock: Clock;
  readonly log: Log;
  /**
   * Where a run that runs out of time puts its continuation. Without it (or without an invocation
   * context) a crawl has no time budget and runs to its end.
   */
  readonly queue?: CrawlQueue;
  /** Below this much remaining invocation time a crawl takes no new work (CRAWL_TIME_MARGIN_MS). Default 60 s: one fetch at its 30 s timeout plus a politeness delay. */
  readonly timeMarginMs?: number;
  /** Continuations one run may take (CRAWL_MAX_CONTINUATIONS). Default 10. */
  readonly maxContinuations?: number;
}

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * Runs the crawl job of each SQS record (one source per message). A site's misbehaviour is
 * recorded on the crawl run and the message succeeds; a message that cannot be a job (bad JSON,
 * unknown source, a malformed continuation) or a crawl that throws (the store is down, the
 * continuation cannot be enqueued) is a batch item failure, so SQS retries it alone and finally
 * sends it to the DLQ. One failing record never stops the others.
 *
 * With an invocation `context` and a `queue`, each crawl runs within the invocation's remaining
 * time less `timeMarginMs`; a crawl that runs out saves what it has and enqueues its continuation
 * (same source, the run id, the cursor), which a later invocation picks up (see `crawlSlice`).
 */
export async function processCrawlJobs(
  deps: CrawlJobDeps,
  event: unknown,
  context?: RemainingTime,
): Promise<BatchResponse> {
  const parsed = SqsEventSchema.safeParse(event);
  if (!parsed.success) {
    deps.log.error('crawl event is not an SQS batch', { issues: parsed.error.issues.length });
    throw new InvalidInputError(
      parsed.error.issues.map((issue) => ({
        path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
        message: issue.message,
      })),
      { cause: parsed.error },
    );
  }
  const queue = deps.queue;
  const budget = context && queue ? lambdaBudget(context, deps.timeMarginMs ?? 60_000) : unlimitedBudget;
  const failures: string[] = [];
  for (const record of parsed.data.Records) {
    try {
      let json: unknown;
      try {
        json = JSON.parse(record.body);
      } catch (error) {
        throw new InvalidInputError([{ path: ['body'], message: 'message body is not JSON' }], { cause: error });
      }
      const job = CrawlJobBodySchema.parse(json);
      const source = deps.sources.find((s) => s.id === job.sourceId);
      if (!source) throw new NotFoundError(`no source "${job.sourceId}" in the registry`);
      const slice = await crawlSlice({
        source,
        fetcher: deps.fetcherFor(source),
        store: deps.store,
        clock: deps.clock,
        log: deps.log,
        budget,
        maxContinuations: queue ? (deps.maxContinuations ?? 10) : 0,
        ...(job.continuation ? { resume: job.continuation } : {}),
      });
      if (!slice.done && queue)
        await queue.enqueue([
          {
            sourceId: source.id,
            host: new URL(source.url).hostname,
            requestedAt: job.requestedAt ?? slice.continuation.startedAt,
            continuation: slice.continuation,
          },
        ]);
    } catch (error) {
      deps.log.error('crawl job failed', { messageId: record.messageId, error });
      failures.push(record.messageId);
    }
  }
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}
