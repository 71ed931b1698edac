import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { systemClock } from '../../shared/clock.js';
import { loadConfig } from '../../shared/config.js';
import { documentClientFor } from '../../shared/wiring/document-client.js';
import { searchIndexFor } from '../../shared/wiring/search-index.js';
import type { Log } from '../../shared/log.js';
import { powertoolsLog } from '../../shared/wiring/powertools-log.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { DynamoDbSeriesStore } from '../../shared/store/dynamodb-series-store.js';
import { buildIndexDeps, searchDirOf, type IndexDeps } from './deps.js';
import { indexRetryDelaySec } from './index-retry-queue.js';
import type { StreamDeps } from './process-stream.js';
import type { RetryDeps } from './retry-index-changes.js';
import { SqsIndexRetryQueue } from './sqs-index-retry-queue.js';
import { sqsMessageSender } from '../../shared/wiring/sqs-batch-sender.js';

/**
 * Builds the indexer's ports once per Lambda container from the environment, through the builder
 * the local stack and `chiiki reindex` use too (deps.ts). In AWS the engine
 * is OpenSearch (SEARCH_ENGINE=opensearch, OPENSEARCH_ENDPOINT, OPENSEARCH_SIGV4=true); a bad or
 * missing variable fails the cold start.
 */
const config = loadConfig();
const log: Log = powertoolsLog('chiiki-index', config.LOG_LEVEL);

const index = searchIndexFor(config, systemClock, { dir: searchDirOf(config) });
const documents = documentClientFor(config);
const built = buildIndexDeps({
  index,
  store: new DynamoDbItemStore({ client: documents, tableName: config.TABLE_NAME, clock: systemClock, log }),
  log,
  series: { store: new DynamoDbSeriesStore({ client: documents, tableName: config.TABLE_NAME }), clock: systemClock },
});

/** The stream function's ports: the engine, and in AWS the queue failed writes are parked on. */
export const deps: StreamDeps = {
  index,
  log,
  ...(built.apply.series ? { series: built.apply.series } : {}),
  // Stream images are AttributeValue JSON; StreamRecordSchema has checked each is an object map.
  unmarshall: (image) => unmarshall(image as unknown as Record<string, AttributeValue>),
  ...(config.INDEX_RETRY_QUEUE_URL
    ? {
        retryQueue: new SqsIndexRetryQueue({
          send: sqsMessageSender(new SQSClient({ region: config.AWS_REGION }), config.INDEX_RETRY_QUEUE_URL),
          delaySec: indexRetryDelaySec,
        }),
      }
    : {}),
};

/** The reindex function's ports: the same index, plus the table it rebuilds from. */
export const reindexDeps: IndexDeps['reindex'] = built.reindex;

/** The tracer's middleware, for the handler (only handler.ts and wiring files may reach shared/wiring). */
export { batchSpan, traced } from '../../shared/wiring/tracer.js';

/** The index retry function's ports: the table it re-reads items from, and the same index. */
export const retryDeps: RetryDeps = built.apply;
