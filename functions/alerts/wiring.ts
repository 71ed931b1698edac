import { SQSClient } from '@aws-sdk/client-sqs';
import { systemClock } from '../../shared/clock.js';
import { loadConfig } from '../../shared/config.js';
import { documentClientFor } from '../../shared/wiring/document-client.js';
import type { Log } from '../../shared/log.js';
import { powertoolsLog } from '../../shared/wiring/powertools-log.js';
import { EmbeddedSearchIndex } from '../../shared/search/embedded-search-index.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { DynamoDbSeriesStore } from '../../shared/store/dynamodb-series-store.js';
import { DynamoDbSubscriptionStore } from '../../shared/store/dynamodb-subscription-store.js';
import type { SesEventDeps } from './ses-events.js';
import { loadTokenSecret, mailerFor } from '../../shared/wiring/mail.js';
import { tracing } from '../../shared/wiring/tracer.js';
import { buildAlertsDeps } from './deps.js';
import type { DigestFanOutDeps } from './fan-out.js';
import { SqsDigestWorkQueue } from './sqs-digest-queue.js';
import { sqsMessageSender } from '../../shared/wiring/sqs-batch-sender.js';

/**
 * Builds the alerts ports once per Lambda container: the digest job and the SES event handler.
 * With DIGEST_QUEUE_URL (AWS) a scheduled digest fans out over the digest-work queue.
 * Mail goes through SES v2 in AWS (MAIL_TRANSPORT=ses), SMTP when SMTP_URL is set, else the
 * outbox folder. The token secret comes from Secrets Manager when TOKEN_SECRET_ARN is set.
 * The ports come from the builder the local stack and `chiiki digest` use too (deps.ts).
 */
const config = loadConfig();
const log: Log = powertoolsLog('chiiki-alerts', config.LOG_LEVEL);
const clock = systemClock;

const client = documentClientFor(config);
// Mail links: PUBLIC_BASE_URL is required in Lambda, never guessed (buildAlertsDeps fails the cold start without it).
const built = buildAlertsDeps(config, {
  subscriptions: new DynamoDbSubscriptionStore({ client, tableName: config.TABLE_NAME }),
  items: new DynamoDbItemStore({ client, tableName: config.TABLE_NAME, clock, log }),
  series: new DynamoDbSeriesStore({ client, tableName: config.TABLE_NAME }),
  mailer: mailerFor(config),
  tokenSecret: await loadTokenSecret(config),
  scratchIndex: () => new EmbeddedSearchIndex({ clock }),
  clock,
  log,
});

export const fanOutDeps: DigestFanOutDeps = {
  digest: built.digest,
  tracing,
  ...(config.DIGEST_QUEUE_URL
    ? {
        queue: new SqsDigestWorkQueue({
          send: sqsMessageSender(new SQSClient({ region: config.AWS_REGION }), config.DIGEST_QUEUE_URL),
        }),
      }
    : {}),
  clock,
  log,
};

export const sesEventDeps: SesEventDeps = built.sesEvents;

/** The tracer's middleware, for the handler (only handler.ts and wiring files may reach shared/wiring). */
export { traced } from '../../shared/wiring/tracer.js';
