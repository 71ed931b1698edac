import { SQSClient } from '@aws-sdk/client-sqs';
import { systemClock } from '../../shared/clock.js';
import { loadConfig } from '../../shared/config.js';
import { ConfigError } from '../../shared/errors.js';
import type { DispatchDeps } from './dispatch.js';
import { loadRegistry } from '../../shared/sources/registry.js';
import { SqsCrawlQueue } from './wiring-sqs-crawl-queue.js';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Log } from '../../shared/log.js';

/** Builds the dispatcher's ports once per container; CRAWL_QUEUE_URL is required. */
const config = loadConfig();
if (!config.CRAWL_QUEUE_URL) throw new ConfigError('CRAWL_QUEUE_URL is required by the crawl dispatcher');
const logger = new Logger({ serviceName: 'chiiki-crawl-dispatch', logLevel: config.LOG_LEVEL.toUpperCase() as 'INFO' });
const log: Log = {
  debug: (message, data) => logger.debug(message, data ?? {}),
  info: (message, data) => logger.info(message, data ?? {}),
  warn: (message, data) => logger.warn(message, data ?? {}),
  error: (message, data) => (data instanceof Error ? logger.error(message, data) : logger.error(message, data ?? {})),
};

export const dispatchDeps: DispatchDeps = {
  sources: loadRegistry(config.SOURCE_REGISTRY, { sampleHost: `localhost:${config.SAMPLE_SITES_PORT}` }).sources,
  queue: new SqsCrawlQueue({ client: new SQSClient({ region: config.AWS_REGION }), queueUrl: config.CRAWL_QUEUE_URL }),
  clock: systemClock,
  log,
};
