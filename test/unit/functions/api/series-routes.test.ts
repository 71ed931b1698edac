import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkSeries } from '../../../../functions/indexer/link-series.js';
import { openApiDocument } from '../../../../functions/api/openapi.js';
import { FixedClock } from '../../../../shared/clock.js';
import type { Item } from '../../../../shared/domain/item.js';
import type { Series } from '../../../../shared/domain/series.js';
import { silentLog } from '../../../../shared/log.js';
import { DynamoDbItemStore } from '../../../../shared/store/dynamodb-item-store.js';
import { DynamoDbSeriesStore } from '../../../../shared/store/dynamodb-series-store.js';
import { countingDocumentClient, startDynalite, type RunningDynalite } from '../../../support/dynalite.js';
import { makeDraft } from '../../../support/factories.js';
import { jsonOf, testApi, type TestApi } from './api-test-deps.js';

let dynalite: RunningDynalite;
let api: TestApi;
let items: Item[];

const site = 'https://www.jst.go.jp/koubo/';
const call = (title: string, file: string, year: number) =>
  makeDraft({
    title,
    url: `${site}${file}`,
    canonicalUrl: `${site}${file}`,
    publisher: '科学技術振興機構',
    opensAt: `${year}-04-0${year - 2023}T00:00:00+09:00`,
    closesAt: `${year}-05-29T17:00:00+09:00`,
    seenAt: `${year}-04-02T00:00:00+09:00`,
  });

beforeAll(async () => {
  dynalite = await startDynalite();
  const documents = countingDocumentClient(dynalite.endpoint);
  const clock = new FixedClock('2026-12-01T00:00:00Z');
  const store = new DynamoDbItemStore({ client: documents.client, tableName: 'series-api', clock });
  await store.ensureTable();
  const series = new DynamoDbSeriesStore({ client: documents.client, tableName: 'series-api' });
  const results = await store.upsert([
    call('令和6年度 地域イノベーション創出支援事業', 'r6.html', 2024),
    call('令和7年度 地域イノベーション創出支援事業', 'r7.html', 2025),
    call('令和8年度 地域イノベーション創出支援事業', 'r8.html', 2026),
    call('令和8年度 地域イノベーション創出支援事業（地域枠）', 'r8-quota.html', 2026),
  ]);
  items = results.map((r) => r.item);
  await linkSeries(
    { items: store, series, clock, log: silentLog },
    results.map((r) => ({ id: r.id, newItem: r.item })),
  );
  api = await testApi({ items, series });
});
afterAll(async () => {
  await dynalite.stop();
});

describe('series in the API', () => {
  it('shows an item with its series: rounds with dates and links, and the forecast with its basis', async () => {
    const [r6, r7, r8] = items;

    const result = await api.call(`/v1/items/${r8?.id ?? ''}`);

    expect(result.statusCode).toBe(200);
    const body = jsonOf<{ series: Pick<Series, 'id' | 'name' | 'rounds' | 'forecast'> }>(result);
    expect(body.series.name).toBe('地域イノベーション創出支援事業');
    expect(body.series.rounds.map((r) => [r.itemId, r.label, r.opensAt, r.url])).toEqual([
      [r6?.id, '令和6年度', '2024-04-01T00:00:00+09:00', `${site}r6.html`],
      [r7?.id, '令和7年度', '2025-04-02T00:00:00+09:00', `${site}r7.html`],
      [r8?.id, '令和8年度', '2026-04-03T00:00:00+09:00', `${site}r8.html`],
    ]);
    expect(body.series.forecast).toMatchObject({ status: 'expected', basis: { spreadDays: 2 } });
    expect(body.series.forecast.text).toMatch(/見込み.*根拠/u);
  });

  it('shows the look-alike program without a series', async () => {
    const quota = items[3];

    const body = jsonOf<{ title: string; series?: unknown }>(await api.call(`/v1/items/${quota?.id ?? ''}`));

    expect(body.title).toContain('地域枠');
    expect(body.series).toBeUndefined();
  });

  it('answers a series with the evidence of each link', async () => {
    const item = jsonOf<{ series: { id: string } }>(await api.call(`/v1/items/${items[0]?.id ?? ''}`));

    const result = await api.call(`/v1/series/${item.series.id}`);

    expect(result.statusCode).toBe(200);
    expect(result.headers?.['cache-control']).toBe('public, max-age=300');
    const series = jsonOf<Series>(result);
    expect(series.evidence).toHaveLength(2);
    expect(series.evidence[0]).toMatchObject({ rule: 'title', key: '地域イノベーション創出支援事業' });
  });

  it('answers 404 for an unknown series and 400 naming the id for a malformed one', async () => {
    const missing = await api.call('/v1/series/se_000000000000000000000000');
    const malformed = await api.call('/v1/series/it_0123');

    expect(missing.statusCode).toBe(404);
    expect(jsonOf(missing).error).toBe('NotFoundError');
    expect(malformed.statusCode).toBe(400);
    expect(jsonOf<{ issues: { path: string[] }[] }>(malformed).issues[0]?.path).toEqual(['id']);
  });

  it('documents the series route and the series of an item in the OpenAPI document', () => {
    const doc = openApiDocument('https://api.example.jp') as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };

    expect(doc.paths['/v1/series/{id}']).toBeDefined();
    expect(Object.keys(doc.components.schemas['Series']?.properties ?? {})).toEqual(
      expect.arrayContaining(['rounds', 'evidence', 'forecast']),
    );
    expect(doc.components.schemas['ItemDetail']?.properties?.['series']).toBeDefined();
  });
});
