import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { buildApiHandler } from '../../../../functions/api/handler-builder.js';
import type { SeriesReader } from '../../../../functions/api/get-item.js';
import type { ApiDeps, ApiRoute } from '../../../../functions/api/routes.js';
import { FixedClock } from '../../../../shared/clock.js';
import type { SourceHealth } from '../../../../shared/domain/crawl-run.js';
import type { Item } from '../../../../shared/domain/item.js';
import type { Source } from '../../../../shared/domain/source.js';
import { RecordingLog } from '../../../../shared/log.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import type { SearchDoc } from '../../../../shared/search/search-index.js';
import type { ItemStore } from '../../../../shared/store/item-store.js';
import { toApiGatewayEvent } from '../../../../infra/local/http-to-apigw.js';
import { contractTimes, searchFixtureCorpus } from '../../../support/search-corpus.js';

/** A store that knows a fixed set of items and health rows; every other method is unused by the API. */
export function readOnlyStore(items: readonly Item[] = [], health: readonly SourceHealth[] = []): ItemStore {
  const unused = () => Promise.reject(new Error('not used by the API'));
  return {
    ensureTable: unused,
    upsert: unused,
    get: async (id) => items.find((item) => item.id === id),
    listChangedSince: unused,
    scanItems: unused,
    countItems: async () => items.length,
    markWithdrawn: unused,
    getUrlState: unused,
    putUrlState: unused,
    recordCrawlRun: unused,
    listCrawlRuns: unused,
    listSourceHealth: async () => [...health],
  };
}

export interface TestApi {
  readonly deps: ApiDeps;
  readonly log: RecordingLog;
  call(
    url: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string },
  ): Promise<APIGatewayProxyStructuredResultV2>;
}

/** The API over the search contract corpus at the contract's middle time, with an in-memory embedded index. */
export async function testApi(
  options: {
    items?: Item[];
    health?: SourceHealth[];
    sources?: Source[];
    corsOrigins?: string[];
    extraRoutes?: ApiRoute[];
    throwOnSearch?: Error;
    publicBaseUrl?: string;
    portalUrl?: string;
    series?: SeriesReader;
  } = {},
): Promise<TestApi> {
  const clock = new FixedClock(contractTimes.middle);
  const search = new EmbeddedSearchIndex({ clock });
  await search.upsert(searchFixtureCorpus());
  if (options.throwOnSearch) {
    const error = options.throwOnSearch;
    search.search = () => Promise.reject(error);
  }
  const log = new RecordingLog();
  const deps: ApiDeps = {
    search,
    store: readOnlyStore(options.items, options.health),
    clock,
    log,
    sources: () => options.sources ?? [],
    sourceFlags: (_source, health) => ({ stale: false, failing: (health?.consecutiveFailures ?? 0) >= 3 }),
    corsOrigins: options.corsOrigins ?? ['*'],
    publicBaseUrl: options.publicBaseUrl ?? 'https://api.example.test',
    ...(options.portalUrl ? { portalUrl: options.portalUrl } : {}),
    ...(options.series ? { series: options.series } : {}),
  };
  const handler = buildApiHandler(deps, options.extraRoutes);
  return {
    deps,
    log,
    call: async (url, init = {}) =>
      (await handler(
        toApiGatewayEvent({
          method: init.method ?? 'GET',
          url,
          headers: { host: 'api.example.test', 'x-forwarded-proto': 'https', ...init.headers },
          ...(init.body !== undefined ? { body: Buffer.from(init.body) } : {}),
        }) as APIGatewayProxyEventV2,
      )) as APIGatewayProxyStructuredResultV2,
  };
}

export function jsonOf<T = Record<string, unknown>>(result: APIGatewayProxyStructuredResultV2): T {
  return JSON.parse(result.body ?? '') as T;
}

/**
 * A closed call's document that knows everything the API can say about a call: who may apply, the
 * per-project ceiling and the forecast of the program's next round. Override fields per test.
 */
export function forecastCallDoc(overrides: Partial<SearchDoc> = {}): SearchDoc {
  return {
    id: 'it_0123456789abcdef01234567' as SearchDoc['id'],
    kind: 'call',
    title: '地域イノベーション創出支援事業（令和8年度）',
    summary: '地域の産学官連携による研究開発を支援します。',
    url: 'https://www.example.go.jp/koubo/r8',
    publisher: '文部科学省',
    ministry: 'mext',
    prefectures: [],
    regions: [],
    fields: [],
    opensAt: '2026-04-01T00:00:00+09:00',
    closesAt: '2026-05-29T17:00:00+09:00',
    updatedAt: '2026-05-01T00:00:00+09:00',
    withdrawn: false,
    sources: ['mext'],
    applicants: ['university', 'sme'],
    amountCeiling: 30_000_000,
    forecast: {
      seriesId: 'se_0123456789abcdef01234567',
      opens: { from: '2027-03-25', to: '2027-04-15' },
      closes: { from: '2027-05-23', to: '2027-06-14' },
      text: '次回の受付開始は2027年3月25日〜2027年4月15日頃の見込み（根拠: 過去3回の受付開始日）',
    },
    ...overrides,
  };
}
