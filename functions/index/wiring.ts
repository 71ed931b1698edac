import { Logger } from '@aws-lambda-powertools/logger';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { systemClock } from '../../shared/clock.js';
import { loadConfig } from '../../shared/config.js';
import { ConfigError } from '../../shared/errors.js';
import type { Log } from '../../shared/log.js';
import { EmbeddedSearchIndex } from '../../shared/search/embedded-search-index.js';
import { makeOpenSearchClient } from '../../shared/search/opensearch-client.js';
import { OpenSearchSearchIndex } from '../../shared/search/opensearch-search-index.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import type { ItemStore } from '../../shared/store/item-store.js';
import type { StreamDeps } from './process-stream.js';

/**
 * Builds the indexer's ports once per Lambda container from the environment. In AWS the engine
 * is OpenSearch (SEARCH_ENGINE=opensearch, OPENSEARCH_ENDPOINT, OPENSEARCH_SIGV4=true); a bad or
 * missing variable fails the cold start.
 */
const config = loadConfig();
const logger = new Logger({ serviceName: 'chiiki-index', logLevel: config.LOG_LEVEL.toUpperCase() as 'INFO' });
const log: Log = {
  debug: (message, data) => logger.debug(message, data ?? {}),
  info: (message, data) => logger.info(message, data ?? {}),
  warn: (message, data) => logger.warn(message, data ?? {}),
  error: (message, data) => (data instanceof Error ? logger.error(message, data) : logger.error(message, data ?? {})),
};

function searchIndex(): SearchIndex {
  if (config.SEARCH_ENGINE === 'embedded') {
    return new EmbeddedSearchIndex({ dir: `${config.DATA_DIR}/search`, clock: systemClock });
  }
  if (!config.OPENSEARCH_ENDPOINT)
    throw new ConfigError('OPENSEARCH_ENDPOINT is required when SEARCH_ENGINE=opensearch');
  const client = makeOpenSearchClient({
    endpoint: config.OPENSEARCH_ENDPOINT,
    sigv4: config.OPENSEARCH_SIGV4,
    region: config.AWS_REGION,
  });
  return new OpenSearchSearchIndex({ client, prefix: config.OPENSEARCH_INDEX, clock: systemClock });
}

export const deps: StreamDeps = {
  index: searchIndex(),
  log,
  // Stream images are AttributeValue JSON; StreamRecordSchema has checked each is an object map.
  unmarshall: (image) => unmarshall(image as unknown as Record<string, AttributeValue>),
};

const documents = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
  }),
  { marshallOptions: { removeUndefinedValues: true } },
);

/** The reindex function's ports: the same index, plus the table it rebuilds from. */
export const reindexDeps: { readonly store: ItemStore; readonly index: SearchIndex; readonly log: Log } = {
  store: new DynamoDbItemStore({ client: documents, tableName: config.TABLE_NAME, clock: systemClock, log }),
  index: deps.index,
  log,
};
