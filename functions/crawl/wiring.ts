import { SQSClient } from '@aws-sdk/client-sqs';
import { systemClock } from '../../shared/clock.js';
import { loadConfig, type Config } from '../../shared/config.js';
import { ConfigError } from '../../shared/errors.js';
import { documentClientFor } from '../../shared/wiring/document-client.js';
import type { Log } from '../../shared/log.js';
import { powertoolsLog } from '../../shared/wiring/powertools-log.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import type { CrawlJobDeps } from './run/crawl-jobs.js';
import { buildCrawlDeps } from './deps.js';
import { loadKakenAppId } from '../../shared/wiring/kaken.js';
import { loadCompiledRegistry } from '../../shared/sources/registry-data.js';
import { SqsCrawlQueue } from './run/sqs-crawl-queue.js';
import type { DispatchDeps } from './run/dispatch.js';
import { sqsMessageSender } from '../../shared/wiring/sqs-batch-sender.js';

/**
 * Builds the ports of the crawl folder's two Lambdas, each once per container: its handler calls
 * its builder at load, so a bad variable or registry fails the cold start, and each Lambda builds
 * only its own graph.
 *
 * The crawl Lambda (`crawlDeps`) goes through the builder the local stack and `chiiki crawl` use
 * too (deps.ts): the registry named by SOURCE_REGISTRY (read from the `registries/` folder copied
 * next to the bundle), the DynamoDB store, and one polite fetcher per source. The KAKEN
 * application id is read (from Secrets Manager in AWS) when a KAKEN source is first crawled. With
 * CRAWL_QUEUE_URL set, a crawl has a time budget (the invocation's remaining time less
 * CRAWL_TIME_MARGIN_MS) and continues on that queue when it runs out; without it, none.
 *
 * The dispatch Lambda (`dispatchDeps`) needs the registry and the crawl queue; CRAWL_QUEUE_URL is
 * required there.
 */
export function crawlDeps(config: Config = loadConfig()): CrawlJobDeps {
  const log: Log = powertoolsLog('chiiki-crawl', config.LOG_LEVEL);
  const client = documentClientFor(config);
  return buildCrawlDeps(config, {
    sources: registryOf(config).sources,
    store: new DynamoDbItemStore({ client, tableName: config.TABLE_NAME, clock: systemClock, log }),
    clock: systemClock,
    log,
    kakenAppId: () => loadKakenAppId(config),
    ...(config.CRAWL_QUEUE_URL ? { queue: crawlQueue(config, config.CRAWL_QUEUE_URL) } : {}),
  }).deps;
}

/** The dispatcher's ports (see `crawlDeps`). */
export function dispatchDeps(config: Config = loadConfig()): DispatchDeps {
  if (!config.CRAWL_QUEUE_URL) throw new ConfigError('CRAWL_QUEUE_URL is required by the crawl dispatcher');
  return {
    sources: registryOf(config).sources,
    queue: crawlQueue(config, config.CRAWL_QUEUE_URL),
    clock: systemClock,
    log: powertoolsLog('chiiki-crawl-dispatch', config.LOG_LEVEL),
  };
}

// The sample registry's hosts only exist locally; the placeholder keeps it loadable in a dev stage.
function registryOf(config: Config): ReturnType<typeof loadCompiledRegistry> {
  return loadCompiledRegistry(config.SOURCE_REGISTRY, { sampleHost: `localhost:${config.SAMPLE_SITES_PORT}` });
}

function crawlQueue(config: Config, queueUrl: string): SqsCrawlQueue {
  return new SqsCrawlQueue({
    send: sqsMessageSender(new SQSClient({ region: config.AWS_REGION }), queueUrl),
    fifo: queueUrl.endsWith('.fifo'),
  });
}

/** The tracer's middleware, for the dispatch handler (only handler.ts and wiring.ts may reach shared/wiring). */
export { traced } from '../../shared/wiring/tracer.js';
