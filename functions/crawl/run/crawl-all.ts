import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../shared/clock.js';
import { emptyCounts, type CrawlRun } from '../../../shared/domain/crawl-run.js';
import type { Source } from '../../../shared/domain/source.js';
import type { Log } from '../../../shared/log.js';
import type { ItemStore } from '../../../shared/store/item-store.js';
import { crawlSource, type CrawlSourceDeps } from './crawl-source.js';
import type { HttpFetcher } from '../fetch/http-fetcher.js';

export interface CrawlAllDeps {
  readonly sources: readonly Source[];
  /** The fetcher for one source (each source has its own allowed hosts and pace); see `politeFetcherFactory`. */
  readonly fetcherFor?: (source: Source) => HttpFetcher;
  /** One fetcher for every source, when `fetcherFor` is not given. */
  readonly fetcher?: HttpFetcher;
  readonly store: ItemStore;
  readonly clock: Clock;
  readonly log: Log;
  /** Sources crawled at the same time (the fetcher still paces each host). Default 2. */
  readonly concurrency?: number;
  readonly onProgress?: CrawlSourceDeps['onProgress'];
  /** Called when a source's run is recorded (CLI progress). */
  readonly onRun?: (run: CrawlRun) => void;
}

/**
 * Crawls every enabled source, `concurrency` at a time, and returns their runs in source
 * order. One source failing never stops the others: an unexpected error (a store outage, a bug)
 * becomes a `failed` run for that source, recorded when the store allows.
 */
export async function crawlAll(deps: CrawlAllDeps): Promise<CrawlRun[]> {
  const { fetcher } = deps;
  const fetcherFor = deps.fetcherFor ?? (fetcher ? () => fetcher : undefined);
  if (!fetcherFor) throw new TypeError('crawlAll needs fetcherFor or fetcher');
  const sources = deps.sources.filter((s) => s.enabled);
  const runs: CrawlRun[] = new Array<CrawlRun>(sources.length);
  let next = 0;
  const worker = async () => {
    while (next < sources.length) {
      const index = next++;
      const source = sources[index] as Source;
      const run = await crawlOne(deps, fetcherFor, source);
      runs[index] = run;
      deps.onRun?.(run);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(deps.concurrency ?? 2, sources.length)) }, worker);
  await Promise.all(workers);
  return runs;
}

async function crawlOne(
  deps: CrawlAllDeps,
  fetcherFor: (source: Source) => HttpFetcher,
  source: Source,
): Promise<CrawlRun> {
  const started = deps.clock.now();
  try {
    return await crawlSource({
      source,
      fetcher: fetcherFor(source),
      store: deps.store,
      clock: deps.clock,
      log: deps.log,
      ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    deps.log.error('crawl of source failed', { sourceId: source.id, error: message });
    const finished = deps.clock.now();
    const run: CrawlRun = {
      runId: `${source.id}-${randomUUID().slice(0, 8)}`,
      sourceId: source.id,
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: Math.max(0, finished.getTime() - started.getTime()),
      outcome: 'failed',
      counts: { ...emptyCounts(), failed: 1 },
      errors: [{ url: source.url, kind: error instanceof Error ? error.name : 'Error', message }],
    };
    try {
      await deps.store.recordCrawlRun(run);
    } catch (recordError) {
      deps.log.error('crawl run could not be recorded', { sourceId: source.id, error: recordError });
    }
    return run;
  }
}
