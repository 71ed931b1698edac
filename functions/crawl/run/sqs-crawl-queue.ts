import { ServiceUnavailableError } from '../../../shared/errors.js';
import type { SendMessages } from '../../../shared/message-batches.js';
import type { CrawlJob, CrawlQueue } from './crawl-queue.js';

/**
 * `CrawlQueue` over SQS: the one adapter the crawler owns. It writes the messages; the wiring
 * passes what sends them (`sqsMessageSender`, batches of 10), so the SDK stays in the wiring. On a
 * FIFO queue (`fifo`: its URL ends in `.fifo`) the message group is the source's host and the
 * deduplication id the job itself (a continuation's number included, so it is never taken for its
 * run's first message).
 */
export class SqsCrawlQueue implements CrawlQueue {
  private readonly send: SendMessages;
  private readonly fifo: boolean;

  constructor(options: { send: SendMessages; fifo: boolean }) {
    this.send = options.send;
    this.fifo = options.fifo;
  }

  async enqueue(jobs: readonly CrawlJob[]): Promise<void> {
    const failed = await this.send(
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
