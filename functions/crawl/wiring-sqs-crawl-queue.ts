import { ServiceUnavailableError } from '../../shared/errors.js';
import { sendSqsBatches, type SqsSender } from '../../shared/wiring/sqs-batch-sender.js';
import type { CrawlJob, CrawlQueue } from './run/crawl-queue.js';

/**
 * `CrawlQueue` over SQS: the one adapter the crawler owns. It is named `wiring-…` because the
 * module-boundary table lets only handler and wiring files of a function touch an SDK.
 * Sends in batches of 10 (the SQS limit). On a FIFO queue (URL ending in
 * `.fifo`) the message group is the source's host and the deduplication id the job itself
 * (a continuation's number included, so it is never taken for its run's first message).
 */
export class SqsCrawlQueue implements CrawlQueue {
  private readonly client: SqsSender;
  private readonly queueUrl: string;
  private readonly fifo: boolean;

  constructor(options: { client: SqsSender; queueUrl: string }) {
    this.client = options.client;
    this.queueUrl = options.queueUrl;
    this.fifo = options.queueUrl.endsWith('.fifo');
  }

  async enqueue(jobs: readonly CrawlJob[]): Promise<void> {
    const failed = await sendSqsBatches(
      this.client,
      this.queueUrl,
      jobs.map((job) => ({
        body: JSON.stringify({
          sourceId: job.sourceId,
          requestedAt: job.requestedAt,
          ...(job.continuation ? { continuation: job.continuation } : {}),
        }),
        label: job.sourceId,
        ...(this.fifo ? { groupId: job.host, dedupId: dedupId(job) } : {}),
      })),
    );
    if (failed.length > 0) throw new ServiceUnavailableError(`crawl jobs not enqueued: ${failed.join(', ')}`, 'sqs');
  }
}

/** FIFO deduplication id of a job: source, request time and continuation number (at most 128 characters). */
function dedupId(job: CrawlJob): string {
  const base = `${job.sourceId}-${job.requestedAt}`.replace(/[^A-Za-z0-9-]/g, '');
  const suffix = job.continuation ? `-c${job.continuation.number}` : '';
  return `${base.slice(0, 128 - suffix.length)}${suffix}`;
}
