import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock } from '../../shared/clock.js';
import { loadConfig } from '../../shared/config.js';
import type { Log } from '../../shared/log.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import type { CrawlJobDeps } from './crawl-jobs.js';
import { politeFetcherFactory } from './fetcher-factory.js';
import { loadRegistry } from '../../shared/sources/registry.js';

/**
 * Builds the crawl Lambda's ports once per container: the registry named by SOURCE_REGISTRY
 * (read from the `registries/` folder copied next to the bundle), the DynamoDB store, and one
 * polite fetcher per source. A bad variable or registry fails the cold start.
 */
const config = loadConfig();
const logger = new Logger({ serviceName: 'chiiki-crawl', logLevel: config.LOG_LEVEL.toUpperCase() as 'INFO' });
export const log: Log = {
  debug: (message, data) => logger.debug(message, data ?? {}),
  info: (message, data) => logger.info(message, data ?? {}),
  warn: (message, data) => logger.warn(message, data ?? {}),
  error: (message, data) => (data instanceof Error ? logger.error(message, data) : logger.error(message, data ?? {})),
};

// The sample registry's hosts only exist locally; the placeholder keeps it loadable in a dev stage.
export const registry = loadRegistry(config.SOURCE_REGISTRY, { sampleHost: `localhost:${config.SAMPLE_SITES_PORT}` });

const client = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
  }),
  { marshallOptions: { removeUndefinedValues: true } },
);

export const deps: CrawlJobDeps = {
  sources: registry.sources,
  fetcherFor: politeFetcherFactory({ userAgent: config.CRAWL_USER_AGENT, log }).fetcherFor,
  store: new DynamoDbItemStore({ client, tableName: config.TABLE_NAME, clock: systemClock, log }),
  clock: systemClock,
  log,
};
