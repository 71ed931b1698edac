import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlSource } from '../../../../../functions/crawl/run/crawl-source.js';
import type { FetchRequest, FetchResult, HttpFetcher } from '../../../../../functions/crawl/fetch/http-fetcher.js';
import { FixedClock } from '../../../../../shared/clock.js';
import type { Source } from '../../../../../shared/domain/source.js';
import { RecordingLog, silentLog } from '../../../../../shared/log.js';
import { parseRegistry } from '../../../../../shared/sources/registry.js';
import { DynamoDbItemStore } from '../../../../../shared/store/dynamodb-item-store.js';
import { countingDocumentClient, startDynalite, type RunningDynalite } from '../../../../support/dynalite.js';

/** Serves one feed whose items carry the given RFC 822 dates. */
class FeedFetcher implements HttpFetcher {
  constructor(private readonly dates: readonly string[]) {}

  async fetch(request: FetchRequest): Promise<FetchResult> {
    const items = this.dates
      .map(
        (date, i) =>
          `<item><title>研究開発助成の公募 第${i + 1}回</title><link>https://koubo.example/${i}.html</link><pubDate>${date}</pubDate></item>`,
      )
      .join('');
    const text = `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>${items}</channel></rss>`;
    return {
      status: 'ok',
      url: request.url,
      finalUrl: request.url,
      httpStatus: 200,
      charset: 'utf-8',
      charsetSource: 'header',
      text,
      body: Buffer.from(text),
    };
  }
}

const source = parseRegistry(
  `
registry: t
sources:
  - id: koubo-feed
    name: 公募
    publisher: 振興財団
    kind: feed
    url: https://koubo.example/feed.xml
    expectedCadenceDays: 14
`,
  't',
).sources[0] as Source;

let dynalite: RunningDynalite;
let db: ReturnType<typeof countingDocumentClient>;
beforeAll(async () => {
  dynalite = await startDynalite();
  db = countingDocumentClient(dynalite.endpoint);
});
afterAll(async () => {
  db.destroy();
  await dynalite.stop();
});

/** The fields of the run's `crawl finished` line (the SourceStale metric filter reads `stale`). */
async function finishedLine(dates: readonly string[], table: string) {
  const clock = new FixedClock('2026-11-28T00:00:00Z');
  const store = new DynamoDbItemStore({ client: db.client, tableName: table, clock, log: silentLog });
  await store.ensureTable();
  const log = new RecordingLog();

  await crawlSource({ source, fetcher: new FeedFetcher(dates), store, clock, log });

  const line = log.entries.find((e) => e.message === 'crawl finished')?.data;
  return line instanceof Error ? undefined : line;
}

describe("the crawl's finished line", () => {
  it('says stale when the newest item is older than the source cadence, for the SourceStale metric', async () => {
    const fresh = await finishedLine(['Fri, 20 Nov 2026 10:00:00 +0900', 'Mon, 02 Nov 2026 10:00:00 +0900'], 'fresh');
    const frozen = await finishedLine(['Mon, 02 Nov 2026 10:00:00 +0900', 'Thu, 01 Oct 2026 10:00:00 +0900'], 'frozen');

    expect(fresh).toMatchObject({ sourceId: 'koubo-feed', stale: false });
    expect(frozen).toMatchObject({ sourceId: 'koubo-feed', stale: true });
  });
});
