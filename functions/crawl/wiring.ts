import { SQSClient } from '@aws-sdk/client-sqs';
import { systemClock } from '../../shared/clock.js';
import { loadConfig } from '../../shared/config.js';
import { documentClientFor } from '../../shared/wiring/document-client.js';
import type { Log } from '../../shared/log.js';
import { powertoolsLog } from '../../shared/wiring/powertools-log.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import type { CrawlJobDeps } from './run/crawl-jobs.js';
import { buildCrawlDeps } from './deps.js';
import { loadKakenAppId } from '../../shared/wiring/kaken.js';
import { loadCompiledRegistry } from '../../shared/sources/registry-data.js';
import { SqsCrawlQueue } from './wiring-sqs-crawl-queue.js';

/**
 * Builds the crawl Lambda's ports once per container, through the builder the local stack and
 * `chiiki crawl` use too (deps.ts): the registry named by SOURCE_REGISTRY (read from the
 * `registries/` folder copied next to the bundle), the DynamoDB store, and one polite fetcher per
 * source. A bad variable or registry fails the cold start. The KAKEN application id is read (from
 * Secrets Manager in AWS) when a KAKEN source is first crawled. With CRAWL_QUEUE_URL set, a crawl
 * has a time budget (the invocation's remaining time less CRAWL_TIME_MARGIN_MS) and continues on
 * that queue when it runs out; without it, none.
 */
const config = loadConfig();
const log: Log = powertoolsLog('chiiki-crawl', config.LOG_LEVEL);

// The sample registry's hosts only exist locally; the placeholder keeps it loadable in a dev stage.
const registry = loadCompiledRegistry(config.SOURCE_REGISTRY, {
  sampleHost: `localhost:${config.SAMPLE_SITES_PORT}`,
});

const client = documentClientFor(config);

export const deps: CrawlJobDeps = buildCrawlDeps(config, {
  sources: registry.sources,
  store: new DynamoDbItemStore({ client, tableName: config.TABLE_NAME, clock: systemClock, log }),
  clock: systemClock,
  log,
  kakenAppId: () => loadKakenAppId(config),
  ...(config.CRAWL_QUEUE_URL
    ? {
        queue: new SqsCrawlQueue({
          client: new SQSClient({ region: config.AWS_REGION }),
          queueUrl: config.CRAWL_QUEUE_URL,
        }),
      }
    : {}),
}).deps;
