import * as z from 'zod';
import type { Clock } from '../../../shared/clock.js';
import type { Source } from '../../../shared/domain/source.js';
import type { Log } from '../../../shared/log.js';
import { parseInput } from '../../../shared/parse-input.js';
import type { CrawlJob, CrawlQueue } from './crawl-queue.js';

/**
 * What EventBridge Scheduler sends: the ids of the sources whose schedule fired (one schedule per
 * schedule expression of the registry). Without `sourceIds` every enabled source is due (a
 * manual run).
 */
const DispatchEventSchema = z.object({
  sourceIds: z.array(z.string().min(1)).optional(),
});

export interface DispatchDeps {
  readonly sources: readonly Source[];
  readonly queue: CrawlQueue;
  readonly clock: Clock;
  readonly log: Log;
}

export interface DispatchResult {
  readonly enqueued: string[];
  /** Ids not enqueued and why (unknown id, disabled source). */
  readonly skipped: { sourceId: string; reason: string }[];
}

/** Enqueues one crawl job per due, enabled source. Throws `InvalidInputError` on a malformed event. */
export async function dispatchCrawls(deps: DispatchDeps, event: unknown): Promise<DispatchResult> {
  const { sourceIds } = parseInput(DispatchEventSchema, event ?? {});
  const requestedAt = deps.clock.now().toISOString();
  const wanted = sourceIds ?? deps.sources.filter((s) => s.enabled).map((s) => s.id);
  const jobs: CrawlJob[] = [];
  const skipped: DispatchResult['skipped'] = [];
  for (const id of new Set(wanted)) {
    const source = deps.sources.find((s) => s.id === id);
    if (!source) skipped.push({ sourceId: id, reason: 'no such source in the registry' });
    else if (!source.enabled) skipped.push({ sourceId: id, reason: 'source is disabled' });
    else jobs.push({ sourceId: id, host: new URL(source.url).hostname, requestedAt });
  }
  await deps.queue.enqueue(jobs);
  for (const s of skipped) deps.log.warn('crawl not dispatched', s);
  deps.log.info('crawls dispatched', { enqueued: jobs.length, skipped: skipped.length });
  return { enqueued: jobs.map((j) => j.sourceId), skipped };
}
