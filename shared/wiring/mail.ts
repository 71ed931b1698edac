import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import type { Mailer } from '../mail/mailer.js';
import { SesMailer } from '../mail/ses-mailer.js';

/**
 * Mail transport and token secret from config, without module-scope side effects, so the alerts
 * and API wirings choose them the same way. SMTP and the outbox live in `smtp-mail.ts` (the CLI
 * and the local stack), so the Lambda bundles carry no SMTP/MIME library. The AWS SDK clients
 * are imported when first needed: a cold start that never mails or reads the secret does not
 * load them.
 * shared/wiring is for wiring.ts, handler.ts and infra/ only (test/unit/architecture.test.ts enforces it).
 */

/** The HMAC secret of subscription links: Secrets Manager (SecretString) in AWS, TOKEN_SECRET locally. */
export async function loadTokenSecret(settings: Config): Promise<string> {
  if (!settings.TOKEN_SECRET_ARN) return settings.TOKEN_SECRET;
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const out = await new SecretsManagerClient({ region: settings.AWS_REGION }).send(
    new GetSecretValueCommand({ SecretId: settings.TOKEN_SECRET_ARN }),
  );
  if (!out.SecretString || out.SecretString.length < 16) {
    throw new ConfigError('TOKEN_SECRET_ARN names a secret without a SecretString of at least 16 characters');
  }
  return out.SecretString;
}

/**
 * The transport of the functions in AWS: SES (MAIL_TRANSPORT=ses, which the stacks set). The
 * outbox folder and SMTP are for the local stack and the CLI (`anyMailerFor` in smtp-mail.ts),
 * so the Lambda bundles carry no MIME library.
 */
export function mailerFor(settings: Config): Mailer {
  const transport = transportOf(settings);
  if (transport !== 'ses') {
    throw new ConfigError(
      `MAIL_TRANSPORT=${transport} is for the local stack and the CLI; functions in AWS send through SES (MAIL_TRANSPORT=ses)`,
    );
  }
  return new SesMailer({
    region: settings.AWS_REGION,
    from: settings.MAIL_FROM,
    configurationSet: settings.SES_CONFIGURATION_SET,
  });
}

/** MAIL_TRANSPORT, else smtp when SMTP_URL is set, else the outbox. */
export function transportOf(settings: Config): 'ses' | 'smtp' | 'outbox' {
  return settings.MAIL_TRANSPORT ?? (settings.SMTP_URL ? 'smtp' : 'outbox');
}
