import { describe, expect, it } from 'vitest';
import { crawlSource } from '../../../../../functions/crawl/run/crawl-source.js';
import { FixedClock } from '../../../../../shared/clock.js';
import type { Source } from '../../../../../shared/domain/source.js';
import { RecordingLog } from '../../../../../shared/log.js';
import { crawlTestSources, rssFeed, ScriptedFetcher, useCrawlStore } from '../../../../support/crawl-harness.js';

const source: Source = { ...crawlTestSources.feed, expectedCadenceDays: 14 };

const crawlStore = useCrawlStore('finished-log');

/** The fields of the run's `crawl finished` line (the SourceStale metric filter reads `stale`). */
async function finishedLine(dates: readonly string[]) {
  const clock = new FixedClock('2026-11-28T00:00:00Z');
  const store = await crawlStore.freshStore(clock);
  const log = new RecordingLog();
  const feed = rssFeed(
    dates.map((date, i) => [`https://koubo.example/${i}.html`, `研究開発助成の公募 第${i + 1}回`, date]),
  );
  const fetcher = new ScriptedFetcher({ [source.url]: { body: feed } });

  await crawlSource({ source, fetcher, store, clock, log });

  const line = log.entries.find((e) => e.message === 'crawl finished')?.data;
  return line instanceof Error ? undefined : line;
}

describe("the crawl's finished line", () => {
  it('says stale when the newest item is older than the source cadence, for the SourceStale metric', async () => {
    const fresh = await finishedLine(['Fri, 20 Nov 2026 10:00:00 +0900', 'Mon, 02 Nov 2026 10:00:00 +0900']);
    const frozen = await finishedLine(['Mon, 02 Nov 2026 10:00:00 +0900', 'Thu, 01 Oct 2026 10:00:00 +0900']);

    expect(fresh).toMatchObject({ sourceId: 'koubo-feed', stale: false });
    expect(frozen).toMatchObject({ sourceId: 'koubo-feed', stale: true });
  });
});
