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
