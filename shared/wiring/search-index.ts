import { systemClock, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import { CircuitBreaker } from '../search/circuit-breaker.js';
import { EmbeddedSearchIndex } from '../search/embedded-search-index.js';
import { makeOpenSearchClient, type CredentialsProvider } from '../search/opensearch-client.js';
import { OpenSearchSearchIndex } from '../search/opensearch-search-index.js';
import type { SearchIndex } from '../search/search-index.js';

/**
 * The search index config asks for: OpenSearch (SigV4-signed in AWS) or the embedded engine,
 * in memory or on disk under `dir`. The API and indexer functions build theirs here.
 *
 * `purpose` sizes the OpenSearch client: `api` bounds each request by OPENSEARCH_TIMEOUT_MS,
 * retries included, and adds a circuit breaker, so an unreachable engine answers 503 quickly;
 * `indexer` (the default: indexer, reindex, CLI) waits OPENSEARCH_INDEXER_TIMEOUT_MS per attempt.
 */
export function searchIndexFor(
  config: Config,
  clock: Clock,
  options: { dir?: string; purpose?: 'api' | 'indexer' } = {},
): SearchIndex {
  if (config.SEARCH_ENGINE === 'embedded')
    return new EmbeddedSearchIndex({ ...(options.dir === undefined ? {} : { dir: options.dir }), clock });
  if (!config.OPENSEARCH_ENDPOINT)
    throw new ConfigError('OPENSEARCH_ENDPOINT is required when SEARCH_ENGINE=opensearch');
  const credentials = environmentCredentials(config);
  return new OpenSearchSearchIndex({
    client: makeOpenSearchClient({
      endpoint: config.OPENSEARCH_ENDPOINT,
      sigv4: config.OPENSEARCH_SIGV4,
      region: config.AWS_REGION,
      ...(credentials ? { credentials } : {}),
      ...(options.purpose === 'api'
        ? {
            requestTimeoutMs: config.OPENSEARCH_TIMEOUT_MS,
            totalTimeoutMs: config.OPENSEARCH_TIMEOUT_MS,
            // Real time even when search runs on a fixed clock (tests, demos): a cool-down must end.
            breaker: new CircuitBreaker({
              clock: systemClock,
              failureThreshold: config.OPENSEARCH_BREAKER_FAILURES,
              coolDownMs: config.OPENSEARCH_BREAKER_COOLDOWN_SEC * 1000,
            }),
          }
        : { requestTimeoutMs: config.OPENSEARCH_INDEXER_TIMEOUT_MS }),
    }),
    prefix: config.OPENSEARCH_INDEX,
    replicas: config.OPENSEARCH_REPLICAS,
    clock,
  });
}

/** The credentials the Lambda runtime puts in the environment, when they are there. */
export function environmentCredentials(config: Config): CredentialsProvider | undefined {
  const {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: sessionToken,
  } = config;
  if (!accessKeyId || !secretAccessKey) return undefined;
  const credentials = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  return () => Promise.resolve(credentials);
}
