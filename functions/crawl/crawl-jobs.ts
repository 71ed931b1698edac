import * as z from 'zod';
import type { Clock } from '../../shared/clock.js';
import type { Source } from '../../shared/domain/source.js';
import type { Log } from '../../shared/log.js';
import type { ItemStore } from '../../shared/store/item-store.js';
import { crawlSource } from './crawl-source.js';
import type { HttpFetcher } from './http-fetcher.js';

/** The SQS records the crawl Lambda receives (only the fields we read). */
const SqsEventSchema = z.object({
  Records: z.array(z.object({ messageId: z.string(), body: z.string() })),
});

/** A crawl job message, as `SqsCrawlQueue` writes it. */
const JobBodySchema = z.object({ sourceId: z.string().min(1) });

export interface CrawlJobDeps {
  readonly sources: readonly Source[];
  readonly fetcherFor: (source: Source) => HttpFetcher;
  readonly store: ItemStore;
  readonly clock: Clock;
  readonly log: Log;
}

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * Runs the crawl job of each SQS record (one source per message). A site's misbehaviour is
 * recorded on the crawl run and the message succeeds; a message that cannot be a job (bad JSON,
 * unknown source) or a crawl that throws (the store is down) is a batch item failure, so SQS
 * retries it alone and finally sends it to the DLQ. One failing record never stops the others.
 */
export async function processCrawlJobs(deps: CrawlJobDeps, event: unknown): Promise<BatchResponse> {
  const parsed = SqsEventSchema.safeParse(event);
  if (!parsed.success) {
    deps.log.error('crawl event is not an SQS batch', { issues: parsed.error.issues.length });
    throw new Error('crawl event is not an SQS batch');
  }
  const failures: string[] = [];
  for (const record of parsed.data.Records) {
    try {
      let json: unknown;
      try {
        json = JSON.parse(record.body);
      } catch {
        throw new Error('message body is not JSON');
      }
      const job = JobBodySchema.parse(json);
      const source = deps.sources.find((s) => s.id === job.sourceId);
      if (!source) throw new Error(`no source "${job.sourceId}" in the registry`);
      await crawlSource({
        source,
        fetcher: deps.fetcherFor(source),
        store: deps.store,
        clock: deps.clock,
        log: deps.log,
      });
    } catch (error) {
      deps.log.error('crawl job failed', {
        messageId: record.messageId,
        error: error instanceof Error ? error.message : String(error),
      });
      failures.push(record.messageId);
    }
  }
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}
