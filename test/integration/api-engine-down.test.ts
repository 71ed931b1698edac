import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiHandler, type ApiHandler } from '../../functions/api/handler-builder.js';
import { HealthResponseSchema } from '../../functions/api/schemas.js';
import { subscriptionRoutes } from '../../functions/api/subscription-routes.js';
import { toApiGatewayEvent } from '../../infra/local/http-to-apigw.js';
import { FixedClock } from '../../shared/clock.js';
import { loadConfig } from '../../shared/config.js';
import { RecordingLog } from '../../shared/log.js';
import { makeOpenSearchClient } from '../../shared/search/opensearch-client.js';
import { OpenSearchSearchIndex } from '../../shared/search/opensearch-search-index.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { DynamoDbSubscriptionStore } from '../../shared/store/dynamodb-subscription-store.js';
import { LinkBuilder } from '../../shared/subscriptions/links.js';
import { TokenSigner } from '../../shared/subscriptions/tokens.js';
import { searchIndexFor } from '../../shared/wiring/search-index.js';
import { RecordingMailer } from '../support/alerts-harness.js';
import { startFaultProxy, type FaultProxy } from '../support/tcp-fault-proxy.js';
import { generateCorpus, itemFromSearchDoc, seedItems } from '../support/search-corpus.js';
import { integrationEndpoints } from '../support/integration-services.js';

const { osEndpoint, dynamoEndpoint } = integrationEndpoints();

/** Every route that reads the search index; the OpenAPI document lists a 503 on each. */
const searchRoutes = ['/v1/search?q=研究', '/v1/feed.rss', '/v1/feed.atom', '/v1/export.csv'];
/** Answering within this while the engine is down or hung is the API's promise. */
const boundMs = 5_000;
const coolDownSec = 3;

interface Measured {
  readonly phase: string;
  readonly route: string;
  readonly status: number;
  readonly ms: number;
  readonly retryAfter?: string;
}

/**
 * The API as Lambda builds it (handler-builder, the API wiring of the search index with its
 * request budget and circuit breaker) over a real OpenSearch node reached through a TCP proxy
 * that can refuse or hang, and a real dynalite server for the store and subscriptions.
 */
describe('the API while the search engine is down or hung', () => {
  const clock = new FixedClock('2025-05-01T00:00:00+09:00');
  const runId = randomUUID().slice(0, 8);
  const tableName = `engine-down-${runId}`;
  const prefix = `chiiki-down-${runId}`;
  const corpus = generateCorpus(40, 503);
  const itemId = corpus[7]?.id ?? '';
  const base = new DynamoDBClient({
    endpoint: dynamoEndpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const documents = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
  const store = new DynamoDbItemStore({ client: documents, tableName, clock });
  const direct = new OpenSearchSearchIndex({
    client: makeOpenSearchClient({ endpoint: osEndpoint, sigv4: false, region: 'ap-northeast-1' }),
    prefix,
    clock,
    refresh: true,
  });
  const measured: Measured[] = [];
  let proxy: FaultProxy;
  let handler: ApiHandler;

  async function call(phase: string, route: string, init: { method?: string; body?: string } = {}) {
    const started = performance.now();
    const result = (await handler(
      toApiGatewayEvent({
        method: init.method ?? 'GET',
        url: route,
        headers: { host: 'api.example.test', 'x-forwarded-proto': 'https', 'content-type': 'application/json' },
        ...(init.body !== undefined ? { body: Buffer.from(init.body) } : {}),
      }),
    )) as APIGatewayProxyStructuredResultV2;
    const ms = performance.now() - started;
    const retryAfter = result.headers?.['retry-after'];
    measured.push({
      phase,
      route: `${init.method ?? 'GET'} ${route}`,
      status: result.statusCode ?? 0,
      ms: Math.round(ms),
      ...(retryAfter === undefined ? {} : { retryAfter: String(retryAfter) }),
    });
    return { result, ms, body: result.body ?? '' };
  }

  beforeAll(async () => {
    await store.ensureTable();
    await seedItems(documents, tableName, corpus.map(itemFromSearchDoc));
    await direct.ensureIndex();
    await direct.upsert(corpus);
    proxy = await startFaultProxy(new URL(osEndpoint));
    const config = loadConfig({
      SEARCH_ENGINE: 'opensearch',
      OPENSEARCH_ENDPOINT: proxy.url,
      OPENSEARCH_INDEX: prefix,
      OPENSEARCH_BREAKER_COOLDOWN_SEC: String(coolDownSec),
    });
    const log = new RecordingLog();
    const tokens = new TokenSigner('engine-down-test-secret-0123456789');
    handler = buildApiHandler(
      {
        search: searchIndexFor(config, clock, { purpose: 'api' }),
        store,
        clock,
        log,
        sources: () => [],
        sourceFlags: () => ({ stale: false, failing: false }),
        corsOrigins: ['*'],
        publicBaseUrl: 'https://api.example.test',
      },
      subscriptionRoutes({
        subscriptions: new DynamoDbSubscriptionStore({ client: documents, tableName }),
        mailer: new RecordingMailer(),
        tokens,
        links: new LinkBuilder({ baseUrl: 'https://api.example.test', tokens }),
        clock,
        log,
        hashSecret: 'engine-down-test-secret-0123456789',
        items: store,
      }),
    );
  });

  afterAll(async () => {
    console.log(
      `api-engine-down: ${measured.length} requests (OPENSEARCH_TIMEOUT_MS 3000, breaker 3 failures / ${coolDownSec} s)\n` +
        measured
          .map(
            (m) =>
              `  ${m.phase.padEnd(9)} ${m.route.padEnd(28)} ${m.status} ${String(m.ms).padStart(5)} ms${m.retryAfter ? ` retry-after ${m.retryAfter}` : ''}`,
          )
          .join('\n'),
    );
    await proxy.close();
    await direct.dropAll();
    base.destroy();
  });

  /** While the engine cannot answer: 503 with Retry-After on search routes, the rest from the store. */
  async function expectDegraded(phase: 'refuse' | 'hang') {
    // Health first: with the breaker still closed it meets the engine's failure itself.
    const health = await call(phase, '/v1/health');
    const times: number[] = [];
    for (let round = 0; round < 2; round++) {
      for (const route of searchRoutes) {
        const { result, ms, body } = await call(phase, route);
        times.push(ms);
        expect(result.statusCode, `${phase} ${route}`).toBe(503);
        expect(Number(result.headers?.['retry-after']), `${phase} ${route}`).toBeGreaterThanOrEqual(1);
        expect(JSON.parse(body)).toMatchObject({ error: 'SearchUnavailableError', requestId: expect.any(String) });
        expect(ms, `${phase} ${route}`).toBeLessThan(boundMs);
      }
    }
    const item = await call(phase, `/v1/items/${itemId}`);
    const sources = await call(phase, '/v1/sources');
    const subscribed = await call(phase, '/v1/subscriptions', {
      method: 'POST',
      body: JSON.stringify({ email: `${phase}@example.jp`, searches: ['q=半導体'] }),
    });

    expect(health.result.statusCode).toBe(200);
    const healthBody = HealthResponseSchema.parse(JSON.parse(health.body));
    expect(healthBody).toMatchObject({
      status: 'degraded',
      reason: expect.stringMatching(/search engine unavailable/),
    });
    expect(healthBody.indexedItems).toBeUndefined();
    expect(health.ms).toBeLessThan(boundMs);
    expect(item.result.statusCode).toBe(200);
    expect(JSON.parse(item.body)).toMatchObject({ id: itemId });
    expect(sources.result.statusCode).toBe(200);
    expect(subscribed.result.statusCode).toBe(202);
    return times;
  }

  /** Back to forwarding: fast 503s until the cool-down ends, then the probe succeeds and all is 200. */
  async function expectRecovery(phase: string) {
    await proxy.mode('forward');
    const started = performance.now();
    let answer = await call(phase, searchRoutes[0] ?? '');
    while (answer.result.statusCode === 503) {
      expect(answer.ms).toBeLessThan(boundMs);
      await new Promise((resolve) => setTimeout(resolve, 250));
      answer = await call(phase, searchRoutes[0] ?? '');
    }
    const recoveredMs = performance.now() - started;
    expect(answer.result.statusCode).toBe(200);
    expect(recoveredMs).toBeLessThan((coolDownSec + 1) * 1000);
    for (const route of [...searchRoutes, '/v1/health']) {
      expect((await call(phase, route)).result.statusCode, `${phase} ${route}`).toBe(200);
    }
    expect(JSON.parse((await call(phase, '/v1/health')).body)).toMatchObject({ status: 'ok', indexedItems: 40 });
    return recoveredMs;
  }

  it('answers every route while the engine forwards normally', async () => {
    for (const route of [...searchRoutes, '/v1/health', `/v1/items/${itemId}`]) {
      expect((await call('forward', route)).result.statusCode, route).toBe(200);
    }
    expect(JSON.parse((await call('forward', '/v1/health')).body)).toMatchObject({ status: 'ok', indexedItems: 40 });
  });

  it('refused connections: 503 with Retry-After on every search route, health degraded, item pages 200', async () => {
    await proxy.mode('refuse');

    const times = await expectDegraded('refuse');

    console.log(`refuse: search routes answered 503 in max ${Math.round(Math.max(...times))} ms`);
  });

  it('comes back by itself once the engine answers again, after the breaker cool-down', async () => {
    const ms = await expectRecovery('recover1');

    console.log(`recovery after refuse: first 200 after ${Math.round(ms)} ms`);
  });

  it('hung engine: each search route answers 503 within 5 s, then in milliseconds once the breaker opens', async () => {
    await proxy.mode('hang');

    const times = await expectDegraded('hang');

    // Health and the first two searches each wait out the 3 s budget and open the breaker; the rest fail fast.
    expect(times.slice(0, 2).every((ms) => ms >= 2_500)).toBe(true);
    expect(Math.max(...times.slice(2))).toBeLessThan(100);
    console.log(
      `hang: first two searches ${times
        .slice(0, 2)
        .map((ms) => Math.round(ms))
        .join(', ')} ms, then max ${Math.round(Math.max(...times.slice(2)))} ms`,
    );
  });

  it('comes back by itself after the hang, after the breaker cool-down', async () => {
    const ms = await expectRecovery('recover2');

    console.log(`recovery after hang: first 200 after ${Math.round(ms)} ms`);
  });
});
