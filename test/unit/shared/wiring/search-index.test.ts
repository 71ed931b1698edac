import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../../../shared/clock.js';
import { loadConfig } from '../../../../shared/config.js';
import { SearchUnavailableError } from '../../../../shared/errors.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import { OpenSearchSearchIndex } from '../../../../shared/search/opensearch-search-index.js';
import { environmentCredentials, searchIndexFor } from '../../../../shared/wiring/search-index.js';

const clock = new FixedClock('2026-11-28T09:00:00+09:00');

describe('search index wiring', () => {
  it('builds the engine config names, and refuses OpenSearch without an endpoint', () => {
    expect(searchIndexFor(loadConfig({}), clock)).toBeInstanceOf(EmbeddedSearchIndex);
    expect(
      searchIndexFor(
        loadConfig({ SEARCH_ENGINE: 'opensearch', OPENSEARCH_ENDPOINT: 'https://search.example:443' }),
        clock,
      ),
    ).toBeInstanceOf(OpenSearchSearchIndex);
    expect(() => searchIndexFor(loadConfig({ SEARCH_ENGINE: 'opensearch' }), clock)).toThrow(
      /OPENSEARCH_ENDPOINT is required/,
    );
  });

  it('signs with the credentials the Lambda runtime puts in the environment, session token included', async () => {
    const provider = environmentCredentials(
      loadConfig({ AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' }),
    );
    expect(await provider?.()).toEqual({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
    expect(environmentCredentials(loadConfig({ AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE' }))).toBeUndefined();
  });
});

describe('search index wiring on a hung engine', () => {
  let server: Server;
  let endpoint: string;
  let received = 0;

  beforeAll(async () => {
    server = createServer((req) => {
      received++;
      req.resume(); // never answers
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const timed = async (index: { count(): Promise<number> }) => {
    const started = performance.now();
    const error = await index.count().catch((e: unknown) => e);
    return { error, ms: performance.now() - started };
  };

  it('gives the API a bounded request and a breaker: then it fails in milliseconds without sending', async () => {
    const config = loadConfig({
      SEARCH_ENGINE: 'opensearch',
      OPENSEARCH_ENDPOINT: endpoint,
      OPENSEARCH_TIMEOUT_MS: '300',
      OPENSEARCH_BREAKER_FAILURES: '1',
    });
    const index = searchIndexFor(config, clock, { purpose: 'api' });
    received = 0;

    const first = await timed(index);
    const second = await timed(index);

    expect(first.error).toBeInstanceOf(SearchUnavailableError);
    expect(first.ms).toBeGreaterThanOrEqual(290);
    expect(first.ms).toBeLessThan(800);
    expect(second.error).toBeInstanceOf(SearchUnavailableError);
    expect(second.ms).toBeLessThan(20);
    expect(received).toBe(1);
  });

  it('gives the indexer OPENSEARCH_INDEXER_TIMEOUT_MS per attempt, three attempts, and no breaker', async () => {
    const config = loadConfig({
      SEARCH_ENGINE: 'opensearch',
      OPENSEARCH_ENDPOINT: endpoint,
      OPENSEARCH_INDEXER_TIMEOUT_MS: '150',
    });
    const index = searchIndexFor(config, clock);
    received = 0;

    const first = await timed(index);
    const second = await timed(index);

    expect(first.error).toBeInstanceOf(SearchUnavailableError);
    expect(first.ms).toBeGreaterThanOrEqual(3 * 150 + 100 + 200 - 10);
    expect(second.ms).toBeGreaterThanOrEqual(3 * 150 + 100 + 200 - 10);
    expect(received).toBe(6);
  });
});
