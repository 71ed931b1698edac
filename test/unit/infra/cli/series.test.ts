import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkSeries } from '../../../../functions/indexer/link-series.js';
import { FixedClock } from '../../../../shared/clock.js';
import type { Item } from '../../../../shared/domain/item.js';
import { silentLog } from '../../../../shared/log.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import { DynamoDbItemStore } from '../../../../shared/store/dynamodb-item-store.js';
import { DynamoDbSeriesStore } from '../../../../shared/store/dynamodb-series-store.js';
import { chiiki } from '../../../support/chiiki-cli.js';
import { countingDocumentClient, startDynalite, type RunningDynalite } from '../../../support/dynalite.js';
import { makeDraft } from '../../../support/factories.js';

let dynalite: RunningDynalite;
let items: Item[];
let env: Record<string, string>;
let dataDir: string;
const tableName = 'series-cli';

beforeAll(async () => {
  dynalite = await startDynalite();
  dataDir = mkdtempSync(join(tmpdir(), 'series-cli-'));
  env = {
    DYNAMODB_ENDPOINT: dynalite.endpoint,
    TABLE_NAME: tableName,
    AWS_REGION: 'ap-northeast-1',
    // The index the commands re-project into: the embedded one under DATA_DIR.
    SEARCH_ENGINE: 'embedded',
    DATA_DIR: dataDir,
  };
  const documents = countingDocumentClient(dynalite.endpoint);
  const clock = new FixedClock('2026-12-01T00:00:00Z');
  const store = new DynamoDbItemStore({ client: documents.client, tableName, clock });
  await store.ensureTable();
  const results = await store.upsert(
    [6, 7, 8].map((reiwa) =>
      makeDraft({
        title: `令和${reiwa}年度 地域イノベーション創出支援事業の公募について`,
        url: `https://www.mext.go.jp/koubo/r${reiwa}/innovation.html`,
        canonicalUrl: `https://www.mext.go.jp/koubo/r${reiwa}/innovation.html`,
        opensAt: `${2018 + reiwa}-04-01T00:00:00+09:00`,
        closesAt: `${2018 + reiwa}-05-29T17:00:00+09:00`,
      }),
    ),
  );
  items = results.map((r) => r.item);
  await linkSeries(
    { items: store, series: new DynamoDbSeriesStore({ client: documents.client, tableName }), clock, log: silentLog },
    results.map((r) => ({ id: r.id, newItem: r.item })),
  );
  documents.destroy();
});
afterAll(async () => {
  await dynalite.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The indexed documents of `ids` that carry a forecast, and of which series, read after the command exited. */
async function forecastsIndexed(ids: readonly string[]): Promise<Record<string, string>> {
  const index = new EmbeddedSearchIndex({
    dir: join(dataDir, 'search'),
    clock: new FixedClock('2026-12-01T00:00:00Z'),
  });
  try {
    const page = await index.search({ includeWithdrawn: true, sort: 'newest', size: 100 });
    const docs = page.items.map((hit) => hit.doc).filter((doc) => ids.includes(doc.id));
    return Object.fromEntries(docs.flatMap((doc) => (doc.forecast ? [[doc.id, doc.forecast.seriesId]] : [])));
  } finally {
    await index.close();
  }
}

describe('chiiki series', () => {
  it('shows the series of a round: its rounds, the evidence and the forecast', async () => {
    const result = await chiiki(['series', 'show', items[0]?.id ?? ''], env);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('地域イノベーション創出支援事業（文部科学省）  3 rounds');
    expect(result.stdout).toMatch(/令和6年度 {2}opens 2024-04-01 {2}closes 2024-05-29/u);
    expect(result.stdout).toContain('title');
    expect(result.stdout).toMatch(/forecast: 次回の受付開始は.*見込み/u);
  });

  it('splits a round off for good and says where each item now stands', async () => {
    const [r6, , r8] = items;

    const split = await chiiki(['series', 'split', r8?.id ?? '', r6?.id ?? '', '--note', '別事業'], env);
    const shown6 = await chiiki(['series', 'show', r6?.id ?? ''], env);
    const shown8 = await chiiki(['series', 'show', r8?.id ?? ''], env);

    expect(split.code).toBe(0);
    expect(split.stdout).toContain('split');
    expect(split.stdout).toContain('stored');
    // 令和7年度 links to both sides; it stays with one of them, and the two are never together.
    expect([shown6.stdout, shown8.stdout].filter((out) => out.includes('2 rounds'))).toHaveLength(1);
    expect(shown6.stdout).not.toContain(r8?.id ?? '-');
    expect(shown8.stdout).not.toContain(r6?.id ?? '-');
    // The documents follow: only the newest round of the series of two carries its forecast.
    const kept = [shown6, shown8].find((out) => out.stdout.includes('2 rounds'))?.stdout ?? '';
    const keptId = /^(se_[0-9a-f]{24})/u.exec(kept)?.[1];
    const newest = kept.includes(r8?.id ?? '-') ? r8?.id : items[1]?.id;
    expect(await forecastsIndexed(items.map((i) => i.id))).toEqual({ [newest ?? '-']: keptId });
  });

  it('answers 2 for bad arguments and 1 for an item in no series', async () => {
    const bad = await chiiki(['series', 'split', 'it_1'], env);
    const unknown = await chiiki(['series', 'show', 'it_000000000000000000000000'], env);

    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('usage: chiiki series');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no series has item it_000000000000000000000000');
  });
});
