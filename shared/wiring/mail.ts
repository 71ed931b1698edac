import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import type { Mailer } from '../mail/mailer.js';
import { OutboxMailer } from '../mail/outbox-mailer.js';
import { SesMailer } from '../mail/ses-mailer.js';
import { SmtpMailer } from '../mail/smtp-mailer.js';

/**
 * Mail transport and token secret from config, without module-scope side effects, so the alerts
 * and API wirings, the CLI and the local stack choose them the same way. shared/wiring is for
 * wiring.ts, handler.ts and infra/ only (test/unit/architecture.test.ts enforces it).
 */

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
