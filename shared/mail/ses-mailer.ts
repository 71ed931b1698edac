import type * as SesV2 from '@aws-sdk/client-sesv2';
import type { SESv2Client, SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { UpstreamError } from '../errors.js';
import type { MailMessage, Mailer, SentMail } from './mailer.js';

export interface SesMailerOptions {
  /**
   * The SES v2 client. Absent: one is made for `region` on the first send, so the SDK module is
   * loaded when a mail goes out, not at every cold start of a function that rarely mails (the API).
   */
  readonly client?: SESv2Client;
  readonly region?: string;
  readonly from: string;
  /** Configuration set whose event destination reports bounces and complaints (see ses-events-handler). */
  readonly configurationSet?: string;
}

/**
 * Sends through Amazon SES v2 `SendEmail` with `Content.Simple`: SES builds the MIME (UTF-8
 * subject and parts) and adds our headers (List-Unsubscribe and List-Unsubscribe-Post, which SES
 * accepts on simple messages), so no MIME library ships in the bundles.
 *
 * Idempotency: none. SES assigns its own Message-ID (the caller's `messageId` is not sent) and has
 * no idempotency key, so a retried send is a second mail, and a send that times out after SES
 * accepted it cannot be told apart from one that failed. A refusal (an unverified address,
 * throttling once the SDK's own retries are spent) throws and delivers nothing. The SDK retries
 * throttling, 5xx answers and network errors by itself, so after a lost response even one `send`
 * may, rarely, deliver twice.
 */
export class SesMailer implements Mailer {
  private client: SESv2Client | undefined;
  private sdk: Promise<typeof SesV2> | undefined;

  constructor(private readonly options: SesMailerOptions) {
    this.client = options.client;
  }

  async send(message: MailMessage): Promise<SentMail> {
    const { SESv2Client, SendEmailCommand } = await (this.sdk ??= import('@aws-sdk/client-sesv2'));
    this.client ??= new SESv2Client(this.options.region ? { region: this.options.region } : {});
    const out = await this.client.send(
      new SendEmailCommand(sesEmailInput(message, this.options.from, this.options.configurationSet)),
    );
    if (!out.MessageId) throw new UpstreamError('no MessageId in the SES SendEmail answer', 'ses');
    return { messageId: out.MessageId };
  }
}

/** The `SendEmail` input for a message: UTF-8 simple content, RFC 2047 display names, our headers. */
function sesEmailInput(message: MailMessage, from: string, configurationSet?: string): SendEmailCommandInput {
  const utf8 = (data: string) => ({ Data: data, Charset: 'UTF-8' });
  return {
    FromEmailAddress: encodeAddress(from),
    Destination: { ToAddresses: [encodeAddress(message.to)] },
    Content: {
      Simple: {
        Subject: utf8(message.subject),
        Body: { Text: utf8(message.text), Html: utf8(message.html) },
        Headers: Object.entries(message.headers ?? {}).map(([Name, Value]) => ({ Name, Value })),
      },
    },
    ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
  };
}

/**
 * `Name <local@domain>` with a non-ASCII name as an RFC 2047 encoded word, which SES requires
 * of display names (`地域科学技術ポータル <a@b>` → `=?UTF-8?B?...?= <a@b>`); ASCII passes as is.
 */
export function encodeAddress(address: string): string {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/u.exec(address);
  if (!match) return address.trim();
  const [, name = '', mailbox = ''] = match;
  if (name === '') return mailbox;
  if (/^[\x20-\x7e]*$/u.test(name)) return `"${name.replace(/["\\]/g, '\\$&')}" <${mailbox}>`;
  return `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?= <${mailbox}>`;
}
