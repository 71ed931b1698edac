import { sendAll, type SendMessages } from '../../../shared/message-batches.js';
import type { CrawlJob, CrawlQueue } from './crawl-queue.js';

/**
 * `CrawlQueue` over SQS: the one adapter the crawler owns. It writes the messages; the wiring
 * passes what sends them (`sqsMessageSender`, batches of 10), so the SDK stays in the wiring. On a
 * FIFO queue (`fifo`: its URL ends in `.fifo`) the message group is the source's host and the
 * deduplication id the job itself (a continuation's number included, so it is never taken for its
 * run's first message).
 */
export class SqsCrawlQueue implements CrawlQueue {
  constructor(private readonly options: { readonly send: SendMessages; readonly fifo: boolean }) {}

  async enqueue(jobs: readonly CrawlJob[]): Promise<void> {
    await sendAll(
      this.options.send,
      jobs.map((job) => ({
        body: JSON.stringify({
          sourceId: job.sourceId,
          requestedAt: job.requestedAt,
          ...(job.continuation ? { continuation: job.continuation } : {}),
        }),
        label: job.sourceId,
        ...(this.options.fifo ? { groupId: job.host, dedupId: dedupId(job) } : {}),
      })),
      'crawl jobs',
    );
  }
}

/** FIFO deduplication id of a job: source, request time and continuation number (at most 128 characters). */
function dedupId(job: CrawlJob): string {
  const base = `${job.sourceId}-${job.requestedAt}`.replace(/[^A-Za-z0-9-]/g, '');
  const suffix = job.continuation ? `-c${job.continuation.number}` : '';
  return `${base.slice(0, 128 - suffix.length)}${suffix}`;
}
