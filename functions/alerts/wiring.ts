import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { systemClock } from '../../shared/clock.js';
import { loadConfig, type Config } from '../../shared/config.js';
import { ConfigError } from '../../shared/errors.js';
import type { Log } from '../../shared/log.js';
import type { Mailer } from '../../shared/mail/mailer.js';
import { domainOf } from '../../shared/mail/mime.js';
import { OutboxMailer } from '../../shared/mail/outbox-mailer.js';
import { SesMailer } from '../../shared/mail/ses-mailer.js';
import { SmtpMailer } from '../../shared/mail/smtp-mailer.js';
import { EmbeddedSearchIndex } from '../../shared/search/embedded-search-index.js';
import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';
import { DynamoDbSubscriptionStore } from '../../shared/store/dynamodb-subscription-store.js';
import { LinkBuilder } from '../../shared/subscriptions/links.js';
import { TokenSigner } from '../../shared/subscriptions/tokens.js';
import type { DigestDeps } from './digest.js';
import type { SesEventDeps } from './ses-events.js';

/**
 * Builds the alerts ports once per Lambda container: the digest job and the SES event handler.
 * Mail goes through SES v2 in AWS (MAIL_TRANSPORT=ses), SMTP when SMTP_URL is set, else the
 * outbox folder. The token secret comes from Secrets Manager when TOKEN_SECRET_ARN is set.
 */
const config = loadConfig();
const logger = new Logger({ serviceName: 'chiiki-alerts', logLevel: config.LOG_LEVEL.toUpperCase() as 'INFO' });
const log: Log = {
  debug: (message, data) => logger.debug(message, data ?? {}),
  info: (message, data) => logger.info(message, data ?? {}),
  warn: (message, data) => logger.warn(message, data ?? {}),
  error: (message, data) => (data instanceof Error ? logger.error(message, data) : logger.error(message, data ?? {})),
};
const clock = systemClock;

/** The HMAC secret of subscription links: Secrets Manager (SecretString) in AWS, TOKEN_SECRET locally. */
export async function loadTokenSecret(settings: Config): Promise<string> {
  if (!settings.TOKEN_SECRET_ARN) return settings.TOKEN_SECRET;
  const out = await new SecretsManagerClient({ region: settings.AWS_REGION }).send(
    new GetSecretValueCommand({ SecretId: settings.TOKEN_SECRET_ARN }),
  );
  if (!out.SecretString || out.SecretString.length < 16) {
    throw new ConfigError('TOKEN_SECRET_ARN names a secret without a SecretString of at least 16 characters');
  }
  return out.SecretString;
}

/** The transport config asks for: MAIL_TRANSPORT, else smtp when SMTP_URL is set, else the outbox. */
export function mailerFor(settings: Config): Mailer {
  const transport = settings.MAIL_TRANSPORT ?? (settings.SMTP_URL ? 'smtp' : 'outbox');
  if (transport === 'ses') {
    return new SesMailer({
      client: new SESv2Client({ region: settings.AWS_REGION }),
      from: settings.MAIL_FROM,
      configurationSet: settings.SES_CONFIGURATION_SET,
    });
  }
  if (transport === 'smtp') {
    if (!settings.SMTP_URL) throw new ConfigError('SMTP_URL is required when MAIL_TRANSPORT=smtp');
    return new SmtpMailer({ url: settings.SMTP_URL, from: settings.MAIL_FROM });
  }
  return new OutboxMailer({ dir: join(settings.DATA_DIR, 'outbox'), from: settings.MAIL_FROM });
}

const client = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
  }),
  { marshallOptions: { removeUndefinedValues: true } },
);
const secret = await loadTokenSecret(config);
const subscriptions = new DynamoDbSubscriptionStore({ client, tableName: config.TABLE_NAME });
const baseUrl = config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`;

export const digestDeps: DigestDeps = {
  subscriptions,
  items: new DynamoDbItemStore({ client, tableName: config.TABLE_NAME, clock, log }),
  mailer: mailerFor(config),
  links: new LinkBuilder({ baseUrl, tokens: new TokenSigner(secret) }),
  clock,
  log,
  scratchIndex: () => new EmbeddedSearchIndex({ clock }),
  messageDomain: domainOf(config.MAIL_FROM),
};

export const sesEventDeps: SesEventDeps = { subscriptions, hashSecret: secret, clock, log };
