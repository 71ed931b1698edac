import { join } from 'node:path';
import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import type { Mailer } from '../mail/mailer.js';
import { OutboxMailer } from '../mail/outbox-mailer.js';
import { SmtpMailer } from '../mail/smtp-mailer.js';
import { mailerFor, transportOf } from './mail.js';

/**
 * Every transport config can ask for, for the CLI and the local stack: SMTP (nodemailer), the
 * outbox folder (`.eml` files) or SES. The Lambda wirings use `mailerFor` from mail.ts, SES only.
 */
export function anyMailerFor(settings: Config): Mailer {
  const transport = transportOf(settings);
  if (transport === 'ses') return mailerFor(settings);
  if (transport === 'outbox')
    return new OutboxMailer({ dir: join(settings.DATA_DIR, 'outbox'), from: settings.MAIL_FROM });
  if (!settings.SMTP_URL) throw new ConfigError('SMTP_URL is required when MAIL_TRANSPORT=smtp');
  return new SmtpMailer({ url: settings.SMTP_URL, from: settings.MAIL_FROM });
}
