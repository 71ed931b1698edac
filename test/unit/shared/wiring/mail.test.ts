import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../shared/config.js';
import { ConfigError } from '../../../../shared/errors.js';
import { OutboxMailer } from '../../../../shared/mail/outbox-mailer.js';
import { SesMailer } from '../../../../shared/mail/ses-mailer.js';
import { SmtpMailer } from '../../../../shared/mail/smtp-mailer.js';
import { loadTokenSecret, mailerFor } from '../../../../shared/wiring/mail.js';
import { anyMailerFor } from '../../../../shared/wiring/smtp-mail.js';

const config = (env: Record<string, string>) => loadConfig({ DATA_DIR: '/tmp/chiiki-mail-test', ...env });

describe('mail wiring', () => {
  it('gives the functions SES and refuses, naming the fix, the transports that only work locally', () => {
    expect(mailerFor(config({ MAIL_TRANSPORT: 'ses' }))).toBeInstanceOf(SesMailer);
    expect(() => mailerFor(config({}))).toThrow(ConfigError);
    expect(() => mailerFor(config({ SMTP_URL: 'smtp://localhost:2525' }))).toThrow(
      /MAIL_TRANSPORT=smtp is for the local stack and the CLI; functions in AWS send through SES/,
    );
  });

  it('gives the CLI and the local stack the outbox by default, SMTP when SMTP_URL is set, SES on request', () => {
    expect(anyMailerFor(config({}))).toBeInstanceOf(OutboxMailer);
    expect(anyMailerFor(config({ SMTP_URL: 'smtp://localhost:2525' }))).toBeInstanceOf(SmtpMailer);
    expect(anyMailerFor(config({ MAIL_TRANSPORT: 'ses' }))).toBeInstanceOf(SesMailer);
    expect(() => anyMailerFor(config({ MAIL_TRANSPORT: 'smtp' }))).toThrow(/SMTP_URL is required/);
  });

  it('reads the link-signing secret from TOKEN_SECRET when no Secrets Manager ARN is set', async () => {
    expect(await loadTokenSecret(config({ TOKEN_SECRET: 'a-local-secret-of-32-characters!' }))).toBe(
      'a-local-secret-of-32-characters!',
    );
  });

  it('fetches the secret from Secrets Manager when TOKEN_SECRET_ARN is set, and rejects a short one', async () => {
    const arn = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:chiiki-token-AbCdEf';
    const mock = mockClient(SecretsManagerClient);
    mock
      .on(GetSecretValueCommand, { SecretId: arn })
      .resolvesOnce({ SecretString: 'x'.repeat(48) })
      .resolvesOnce({ SecretString: 'short' });
    const settings = config({ TOKEN_SECRET_ARN: arn, AWS_REGION: 'ap-northeast-1' });

    expect(await loadTokenSecret(settings)).toBe('x'.repeat(48));
    await expect(loadTokenSecret(settings)).rejects.toThrow(/at least 16 characters/);
    mock.restore();
  });
});
