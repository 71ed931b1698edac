import { SQSClient } from '@aws-sdk/client-sqs';
import { systemClock } from '../../shared/clock.js';
import { loadConfig } from '../../shared/config.js';
import { ConfigError } from '../../shared/errors.js';
import type { DispatchDeps } from './run/dispatch.js';
import { loadCompiledRegistry } from '../../shared/sources/registry-data.js';
import { SqsCrawlQueue } from './wiring-sqs-crawl-queue.js';
import type { Log } from '../../shared/log.js';
import { powertoolsLog } from '../../shared/wiring/powertools-log.js';

/** Builds the dispatcher's ports once per container; CRAWL_QUEUE_URL is required. */
const config = loadConfig();
if (!config.CRAWL_QUEUE_URL) throw new ConfigError('CRAWL_QUEUE_URL is required by the crawl dispatcher');
const log: Log = powertoolsLog('chiiki-crawl-dispatch', config.LOG_LEVEL);

export const dispatchDeps: DispatchDeps = {
  sources: loadCompiledRegistry(config.SOURCE_REGISTRY, { sampleHost: `localhost:${config.SAMPLE_SITES_PORT}` })
    .sources,
  queue: new SqsCrawlQueue({ client: new SQSClient({ region: config.AWS_REGION }), queueUrl: config.CRAWL_QUEUE_URL }),
  clock: systemClock,
  log,
};

/** The tracer's middleware, for the handler (only handler.ts and wiring files may reach shared/wiring). */
export { traced } from '../../shared/wiring/tracer.js';
