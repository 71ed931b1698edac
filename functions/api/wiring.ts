import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { loadRegistry } from '../../shared/sources/registry.js';
import { assessSourceHealth } from '../../shared/sources/source-health.js';
import { systemClock } from '../../shared/clock.js';
import { loadConfig } from '../../shared/config.js';
import type { Log } from '../../shared/log.js';
import type { Source } from '../../shared/domain/source.js';
import { ConfigError } from '../../shared/errors.js';
import type { Mailer } from '../../shared/mail/mailer.js';
import { OutboxMailer } from '../../shared/mail/outbox-mailer.js';
import { SesMailer } from '../../shared/mail/ses-mailer.js';
import { SmtpMailer } from '../../shared/mail/smtp-mailer.js';
import { makeOpenSearchClient } from '../../shared/search/opensearch-client.js';
import { OpenSearchSearchIndex } from '../../shared/search/opensearch-search-index.js';
import { EmbeddedSearchIndex } from '../../shared/search/embedded-search-index.js';
import type { SearchIndex } from '../../shared/search/search-index.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { DynamoDbSubscriptionStore } from '../../shared/store/dynamodb-subscription-store.js';
import { LinkBuilder } from '../../shared/subscriptions/links.js';
import type { SubscriptionDeps } from '../../shared/subscriptions/subscriptions.js';
import { TokenSigner } from '../../shared/subscriptions/tokens.js';
import { corsOriginsFrom } from '../middleware/cors.js';
import type { ApiDeps } from './routes.js';
import { CachedSearchIndex } from './search-cache.js';

/**
 * Builds the API's ports once per Lambda container from the environment. A bad variable fails
 * the cold start (loadConfig names every one), not the tenth request.
 */
const config = loadConfig();
const logger = new Logger({ serviceName: 'chiiki-api', logLevel: config.LOG_LEVEL.toUpperCase() as 'INFO' });
const log: Log = {
  debug: (message, data) => logger.debug(message, data ?? {}),
  info: (message, data) => logger.info(message, data ?? {}),
  warn: (message, data) => logger.warn(message, data ?? {}),
  error: (message, data) => (data instanceof Error ? logger.error(message, data) : logger.error(message, data ?? {})),
};
const clock = systemClock;

const client = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
  }),
  { marshallOptions: { removeUndefinedValues: true } },
);

function searchIndex(): SearchIndex {
  if (config.SEARCH_ENGINE === 'embedded') return new EmbeddedSearchIndex({ clock });
  if (!config.OPENSEARCH_ENDPOINT)
    throw new ConfigError('OPENSEARCH_ENDPOINT is required when SEARCH_ENGINE=opensearch');
  return new OpenSearchSearchIndex({
    client: makeOpenSearchClient({
      endpoint: config.OPENSEARCH_ENDPOINT,
      sigv4: config.OPENSEARCH_SIGV4,
      region: config.AWS_REGION,
    }),
    prefix: config.OPENSEARCH_INDEX,
    clock,
  });
}

// The registry is data shipped with the code; read once, lazily (only /v1/sources needs it).
let sources: readonly Source[] | undefined;

export const deps: ApiDeps = {
  // Popular searches repeat; a 5 s micro-cache spares the engine (see search-cache.ts).
  search: new CachedSearchIndex(searchIndex(), { clock, ttlMs: 5_000, maxEntries: 500 }),
  store: new DynamoDbItemStore({ client, tableName: config.TABLE_NAME, clock }),
  clock,
  log,
  sources: () => (sources ??= loadRegistry(config.SOURCE_REGISTRY).sources),
  sourceFlags: (source, health, now) => assessSourceHealth(source, health, now),
  corsOrigins: corsOriginsFrom(config.CORS_ORIGINS),
};

// The subscription routes (functions/api/subscription-routes.ts) share the API's HTTP stack. Secret and
// transport are chosen as in functions/alerts/wiring-mail.ts (a function may not import another's folder).
async function loadTokenSecret(): Promise<string> {
  if (!config.TOKEN_SECRET_ARN) return config.TOKEN_SECRET;
  const out = await new SecretsManagerClient({ region: config.AWS_REGION }).send(
    new GetSecretValueCommand({ SecretId: config.TOKEN_SECRET_ARN }),
  );
  if (!out.SecretString || out.SecretString.length < 16)
    throw new ConfigError('TOKEN_SECRET_ARN names a secret without a SecretString of at least 16 characters');
  return out.SecretString;
}
function mailer(): Mailer {
  const transport = config.MAIL_TRANSPORT ?? (config.SMTP_URL ? 'smtp' : 'outbox');
  if (transport === 'ses')
    return new SesMailer({
      client: new SESv2Client({ region: config.AWS_REGION }),
      from: config.MAIL_FROM,
      configurationSet: config.SES_CONFIGURATION_SET,
    });
  if (transport === 'smtp') {
    if (!config.SMTP_URL) throw new ConfigError('SMTP_URL is required when MAIL_TRANSPORT=smtp');
    return new SmtpMailer({ url: config.SMTP_URL, from: config.MAIL_FROM });
  }
  return new OutboxMailer({ dir: join(config.DATA_DIR, 'outbox'), from: config.MAIL_FROM });
}
const tokenSecret = await loadTokenSecret();
const tokens = new TokenSigner(tokenSecret);
export const subscriptionDeps: SubscriptionDeps = {
  subscriptions: new DynamoDbSubscriptionStore({ client, tableName: config.TABLE_NAME }),
  mailer: mailer(),
  tokens,
  links: new LinkBuilder({ baseUrl: config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`, tokens }),
  clock,
  log,
  hashSecret: tokenSecret,
};
