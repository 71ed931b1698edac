import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import nodemailer from 'nodemailer';
import type { MailMessage, Mailer, SentMail } from './mailer.js';
import { mimeOptions } from './mime.js';

/**
 * Sends through Amazon SES v2 (nodemailer's SES transport builds the raw MIME and calls
 * `SendEmail` with `Content.Raw`), in the given configuration set so bounces and complaints reach
 * the SNS topic behind `ses-events-handler`. SES assigns its own Message-ID and has no
 * idempotency key: a send that times out after SES accepted it cannot be told apart from one
 * that failed.
 */
export class SesMailer implements Mailer {
  private readonly transport;
  private readonly from: string;
  private readonly configurationSet: string | undefined;

  constructor(options: { client: SESv2Client; from: string; configurationSet?: string }) {
    this.transport = nodemailer.createTransport({ SES: { sesClient: options.client, SendEmailCommand } });
    this.from = options.from;
    this.configurationSet = options.configurationSet;
  }

  async send(message: MailMessage): Promise<SentMail> {
    const info = await this.transport.sendMail({
      ...mimeOptions(message, this.from),
      ...(this.configurationSet ? { ses: { ConfigurationSetName: this.configurationSet } } : {}),
    });
    return { messageId: info.messageId };
  }
}
